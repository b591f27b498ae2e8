#include "util.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "src/base/syscalls.h"

static void __attribute__ ((noreturn)) oom (void)
{
  static const char msg[] = "tong: out of memory\n";
  (void) !write (STDERR_FILENO, msg, sizeof msg - 1);
  abort ();
}

void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  if (!p)
    oom ();
  return p;
}

void *
xcalloc (size_t n, size_t m)
{
  void *p = calloc (n ? n : 1, m ? m : 1);
  if (!p)
    oom ();
  return p;
}

void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (!p)
    oom ();
  return p;
}

char *
xstrdup (const char *s)
{
  char *p = strdup (s);
  if (!p)
    oom ();
  return p;
}

char *
xvasprintf (const char *fmt, va_list ap)
{
  va_list again;
  char *p;
  int n;

  va_copy (again, ap);
  n = str_vformat (NULL, 0, fmt, again);
  va_end (again);
  if (n < 0)
    oom ();
  p = xmalloc ((size_t) n + 1);
  str_vformat (p, (size_t) n + 1, fmt, ap);
  return p;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *p;

  va_start (ap, fmt);
  p = xvasprintf (fmt, ap);
  va_end (ap);
  return p;
}

int
out_puts (const char *s)
{
  return write_all (STDOUT_FILENO, s, strlen (s));
}

int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

int
read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  while (len > 0)
    {
      ssize_t n = read (fd, p, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      if (n == 0)
        return -EPIPE;
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

/* The rest of an open file (named path in errors) into a NUL-terminated buffer. */
static int
read_file_fd (int fd, const char *path, char **out, size_t *len, tong_error *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t size = 0, cap = 0;

  for (;;)
    {
      ssize_t n;
      if (cap - size < 4096)
        {
          cap = cap ? cap * 2 : 8192;
          buf = xrealloc (buf, cap);
        }
      n = read (fd, buf + size, cap - size - 1);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return tong_err (err, errno, "read `%s`", path);
        }
      if (n == 0)
        break;
      size += (size_t) n;
    }
  if (!buf)
    buf = xmalloc (1);
  buf[size] = '\0';
  if (len)
    *len = size;
  *out = TAKE_PTR (buf);
  return 0;
}

int
read_file_at (int dirfd, const char *path, char **out, size_t *len, tong_error *err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return tong_err (err, errno, "open `%s`", path);
  return read_file_fd (fd, path, out, len, err);
}

int
read_file_if_exists_at (int dirfd, const char *path, char **out, size_t *len, tong_error *err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);

  *out = NULL;
  if (fd < 0 && errno == ENOENT)
    return 0;
  if (fd < 0)
    return tong_err (err, errno, "open `%s`", path);
  return read_file_fd (fd, path, out, len, err);
}

int
write_file_at (int dirfd, const char *path, const void *data, size_t len, tong_error *err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  int r;

  if (fd < 0)
    return tong_err (err, errno, "open `%s` for writing", path);
  r = write_all (fd, data, len);
  if (r < 0)
    return tong_err (err, -r, "write `%s`", path);
  return 0;
}

int
write_file_new_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                   tong_error *err)
{
  _cleanup_close_ int fd
      = openat (dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  int r;

  if (fd < 0)
    return tong_err (err, errno, "create `%s`", path);
  r = write_all (fd, data, len);
  if (r < 0)
    return tong_err (err, -r, "write `%s`", path);
  return 0;
}

static int
replace_file (int dirfd, const char *path, const void *data, size_t len, mode_t mode, bool durable,
              tong_error *err)
{
  _cleanup_free_ char *tmp = xasprintf ("%s.tmp.%d", path, (int) getpid ());
  _cleanup_close_ int fd = -1;
  int r;

  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return tong_err (err, errno, "create `%s`", tmp);
  r = write_all (fd, data, len);
  if (r == 0 && durable && fsync (fd) < 0)
    r = -errno;
  if (r < 0)
    {
      unlinkat (dirfd, tmp, 0);
      return tong_err (err, -r, "write `%s`", tmp);
    }
  if (renameat (dirfd, tmp, dirfd, path) < 0)
    {
      r = errno;
      unlinkat (dirfd, tmp, 0);
      return tong_err (err, r, "rename `%s` to `%s`", tmp, path);
    }
  return 0;
}

int
write_file_atomic_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                      tong_error *err)
{
  return replace_file (dirfd, path, data, len, mode, true, err);
}

int
write_file_replace_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                       tong_error *err)
{
  return replace_file (dirfd, path, data, len, mode, false, err);
}

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

int
mkdir_p (const char *path, mode_t mode, tong_error *err)
{
  _cleanup_free_ char *p = xstrdup (path);
  char *s;

  for (s = p + 1; *s; s++)
    {
      if (*s != '/')
        continue;
      *s = '\0';
      if (mkdir (p, mode) < 0 && errno != EEXIST)
        return tong_err (err, errno, "mkdir `%s`", p);
      *s = '/';
    }
  if (mkdir (p, mode) < 0 && errno != EEXIST)
    return tong_err (err, errno, "mkdir `%s`", p);
  return 0; /* NOLINT(clang-analyzer-unix.Malloc): p is freed by _cleanup_free_ */
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

void
fds_cloexec_from (int first)
{
  struct rlimit rl;
  long last = 1024;

  if (sys_close_range ((unsigned) first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  /* Before Linux 5.11: one by one, up to the highest fd this process could
   * have opened. */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
      && (long) rl.rlim_cur > last)
    last = (long) rl.rlim_cur;
  for (long fd = first; fd < last; fd++)
    (void) fcntl ((int) fd, F_SETFD, FD_CLOEXEC);
}

/* Make sure fds 3..3+n-1 are open (reserving them with /dev/null if the caller
 * left a gap) and inheritable, so that none of tong's own fds takes their place. */
int
fds_preserve (int n, tong_error *err)
{
  for (int fd = 3; fd < 3 + n; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags < 0)
        {
          int nfd = open ("/dev/null", O_RDWR);
          if (nfd < 0)
            return tong_err (err, errno, "open /dev/null");
          if (nfd != fd)
            {
              dup2 (nfd, fd);
              close (nfd);
            }
        }
      else if (flags & FD_CLOEXEC)
        fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  return 0;
}

int
unix_connect (const char *path, const char *what, tong_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  _cleanup_close_ int sock = -1;
  int r;

  if (strlen (path) >= sizeof addr.sun_path)
    return tong_err (err, ENAMETOOLONG, "%s `%s`: a unix socket path has at most %zu bytes", what,
                     path, sizeof addr.sun_path - 1);
  memcpy (addr.sun_path, path, strlen (path) + 1);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return tong_err (err, errno, "create a unix socket");
  do
    r = connect (sock, (struct sockaddr *) &addr, sizeof addr);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return tong_err (err, errno, "connect to the %s `%s`", what, path);
  return TAKE_FD (sock);
}

bool
in_user_namespace (void)
{
  unsigned long long id[3];
  const char *p;
  char buf[128];
  int fd = open ("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return false;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  p = buf;
  for (int i = 0; i < 3; i++)
    {
      while (*p == ' ')
        p++;
      p = digits_scan (p, &id[i]);
      if (!p)
        return false;
    }
  /* The host's: one line mapping every id to itself. */
  return !(id[0] == 0 && id[1] == 0 && id[2] == 4294967295ULL && strcmp (p, "\n") == 0);
}

char *
path_lookup (const char *name)
{
  const char *path = getenv ("PATH");
  _cleanup_free_ char *copy = xstrdup (
      path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  char *save = NULL;

  /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): copy is freed by _cleanup_free_ */
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *full = xasprintf ("%s/%s", *dir ? dir : ".", name);
      if (access (full, X_OK) == 0)
        return full;
      free (full);
    }
  return NULL;
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
