#include "text.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "format.h"
#include "util.h"

int
size_parse (const char *text, int64_t *out)
{
  char *end;
  double v, mult = 1;

  errno = 0;
  v = strtod (text, &end);
  if (errno || end == text || !(v >= 0) || v > 9.2e18)
    return -EINVAL;
  switch (*end | 0x20)
    {
    case 'k':
      mult = 0x1p10;
      break;
    case 'm':
      mult = 0x1p20;
      break;
    case 'g':
      mult = 0x1p30;
      break;
    case 't':
      mult = 0x1p40;
      break;
    default:
      break;
    }
  if (mult > 1)
    end++;
  if ((*end | 0x20) == 'b')
    end++;
  if (*end || v * mult > 9.2e18)
    return -EINVAL;
  *out = (int64_t) (v * mult);
  return 0;
}

bool
container_id_valid (const char *id)
{
  size_t n = 0;
  if (!id || !*id || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return false;
  for (const char *c = id; *c; c++, n++)
    if (!ascii_isalnum (*c) && !strchr ("_+-.", *c))
      return false;
  return n <= 1024;
}

void
rfc3339_format (const struct timespec *ts, char *buf, size_t len)
{
  long long days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400, era, doe, yoe, doy, mp;
  int month, day;

  /* The civil date of a day count from 1970-01-01, by 400-year eras counted
   * from 0000-03-01, so that a leap day ends its year (proleptic Gregorian). */
  if (secs < 0)
    {
      secs += 86400;
      days--;
    }
  days += 719468;
  era = (days >= 0 ? days : days - 146096) / 146097;
  doe = days - era * 146097;                                   /* [0, 146096] */
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
  mp = (5 * doy + 2) / 153;                                    /* March is 0 */
  day = (int) (doy - (153 * mp + 2) / 5 + 1);
  month = (int) (mp < 10 ? mp + 3 : mp - 9);
  str_format (buf, len, "%04lld-%02d-%02dT%02lld:%02lld:%02lld.%09ldZ",
              yoe + era * 400 + (month <= 2), month, day, secs / 3600, secs / 60 % 60, secs % 60,
              ts->tv_nsec);
}

void
rfc3339_now (char *buf, size_t len)
{
  struct timespec ts;

  /* Not gmtime_r: glibc's reads /etc/localtime on its first call (tzset),
   * seven syscalls that a UTC timestamp does not need. */
  clock_gettime (CLOCK_REALTIME, &ts);
  rfc3339_format (&ts, buf, len);
}

static const struct
{
  const char *name;
  int num;
} signals[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },   { "QUIT", SIGQUIT },     { "ILL", SIGILL },
  { "TRAP", SIGTRAP },     { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },
  { "FPE", SIGFPE },       { "KILL", SIGKILL }, { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },     { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
  { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
  { "WINCH", SIGWINCH },   { "POLL", SIGPOLL }, { "IO", SIGIO },         { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

const char *
signal_abbrev (int sig)
{
  /* The first name of a number is glibc's (ABRT before IOT, POLL before IO). */
  for (size_t i = 0; i < ARRAY_SIZE (signals); i++)
    if (signals[i].num == sig)
      return signals[i].name;
  return NULL;
}

int
signal_parse (const char *s)
{
  unsigned long long u;
  const char *end;
  long n;

  if (!s || !*s)
    return -EINVAL;
  if (ascii_isdigit (*s))
    {
      end = digits_scan (s, &u);
      if (!end || *end || u == 0 || u > (unsigned long long) SIGRTMAX)
        return -EINVAL;
      return (int) u;
    }
  if (ascii_prefix_nocase (s, "SIG"))
    s += 3;
  for (size_t i = 0; i < ARRAY_SIZE (signals); i++)
    if (ascii_prefix_nocase (s, signals[i].name) && s[strlen (signals[i].name)] == '\0')
      return signals[i].num;
  if (ascii_prefix_nocase (s, "RTMIN") || ascii_prefix_nocase (s, "RTMAX"))
    {
      bool min = ascii_prefix_nocase (s, "RTMIN");
      const char *rest = s + 5;
      long off = 0;
      if (*rest)
        {
          /* RTMIN+3, RTMAX-2 */
          bool neg = *rest == '-';
          end = digits_scan (rest + (*rest == '+' || neg), &u);
          if (!end || *end || u > 64)
            return -EINVAL;
          off = neg ? -(long) u : (long) u;
        }
      n = min ? SIGRTMIN + off : SIGRTMAX + off;
      if (n < SIGRTMIN || n > SIGRTMAX)
        return -EINVAL;
      return (int) n;
    }
  return -EINVAL;
}

bool
decimal_parse (const char *s, unsigned long *out)
{
  unsigned long long v;
  const char *end = digits_scan (s, &v);

  if (!end || *end || v > ULONG_MAX)
    return false;
  *out = (unsigned long) v;
  return true;
}

const char *
digits_scan (const char *s, unsigned long long *out)
{
  unsigned long long v = 0;

  if (!ascii_isdigit (*s))
    return NULL;
  for (; ascii_isdigit (*s); s++)
    {
      unsigned d = (unsigned) (*s - '0');
      if (v > (ULLONG_MAX - d) / 10)
        return NULL;
      v = v * 10 + d;
    }
  *out = v;
  return s;
}
