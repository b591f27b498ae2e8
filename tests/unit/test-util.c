/* Unit tests for small helpers of libtong.a: the RFC 3339 timestamps,
 * passwd(5) lookups, integers in generated JSON, str_format against
 * snprintf, signal names. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <yajl/yajl_gen.h>

#include "oci/json-gen.h"
#include "src/process/passwd.h"
#include "src/base/util.h"
#include "tests/unit/check.h"

/* What gmtime_r and strftime make of t, for comparison. */
static void
reference (time_t t, long nsec, char *buf, size_t len)
{
  struct tm tm;
  size_t n;

  gmtime_r (&t, &tm);
  n = strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, len - n, ".%09ldZ", nsec);
}

static void
test_rfc3339_known (void)
{
  char buf[64];
  struct timespec ts = { 0, 0 };

  rfc3339_format (&ts, buf, sizeof buf);
  CHECK (strcmp (buf, "1970-01-01T00:00:00.000000000Z") == 0);
  ts = (struct timespec){ 951868800 - 1, 999999999 }; /* the last instant of 2000-02-29 */
  rfc3339_format (&ts, buf, sizeof buf);
  CHECK (strcmp (buf, "2000-02-29T23:59:59.999999999Z") == 0);
  ts = (struct timespec){ -1, 5 };
  rfc3339_format (&ts, buf, sizeof buf);
  CHECK (strcmp (buf, "1969-12-31T23:59:59.000000005Z") == 0);
}

/* Every day from 1900 to 2400, at a time of day that moves. */
static void
test_rfc3339_matches_gmtime (void)
{
  char got[64], want[64];
  int bad = 0;

  for (long long t = -2208988800LL; t < 13569465600LL && bad < 5; t += 86400 + 3607)
    {
      struct timespec ts = { (time_t) t, 123456789 };
      rfc3339_format (&ts, got, sizeof got);
      reference ((time_t) t, 123456789, want, sizeof want);
      if (strcmp (got, want) != 0)
        {
          fprintf (stderr, "# %lld: %s, gmtime says %s\n", t, got, want);
          bad++;
        }
    }
  CHECK (bad == 0);
}

static void
test_passwd_find_uid (void)
{
  char path[] = "/tmp/tong-test-passwd.XXXXXX";
  const char text[] = "# a comment\n"
                      "root:x:0:0:root:/root:/bin/sh\n"
                      "short:x:7:7\n"
                      "bad:x:12x:0::/nope:/bin/sh\n"
                      "\n"
                      "builder:x:1000:1000:The Builder,,,:/home/builder:/bin/bash\n"
                      "nohome:x:1001:1001:::/bin/sh"; /* no final newline */
  char *name = NULL, *home = NULL;
  int fd = mkstemp (path);

  CHECK (fd >= 0 && write (fd, text, sizeof text - 1) == (ssize_t) (sizeof text - 1));
  close (fd);
  CHECK (passwd_find_uid (path, 1000, &name, &home) == 0);
  CHECK (name && strcmp (name, "builder") == 0);
  CHECK (home && strcmp (home, "/home/builder") == 0);
  free (name);
  free (home);
  name = home = NULL;
  CHECK (passwd_find_uid (path, 0, &name, NULL) == 0 && name && strcmp (name, "root") == 0);
  free (name);
  CHECK (passwd_find_uid (path, 1001, NULL, &home) == 0 && home && strcmp (home, "") == 0);
  free (home);
  /* A line with too few fields, and a uid that is not a number, are no entries. */
  CHECK (passwd_find_uid (path, 7, NULL, NULL) == -ENOENT);
  CHECK (passwd_find_uid (path, 12, NULL, NULL) == -ENOENT);
  CHECK (passwd_find_uid (path, 4242, NULL, NULL) == -ENOENT);
  unlink (path);
  CHECK (passwd_find_uid (path, 0, NULL, NULL) == -ENOENT);
}

static void
test_json_gen_integer (void)
{
  static const long long values[] = { 0, 7, -7, 1234567890123LL, LLONG_MAX, LLONG_MIN };
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t len;

  yajl_gen_array_open (g);
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
    CHECK (json_gen_integer (g, values[i]) == yajl_gen_status_ok);
  yajl_gen_array_close (g);
  yajl_gen_get_buf (g, &buf, &len);
  CHECK (len == strlen ("[0,7,-7,1234567890123,9223372036854775807,-9223372036854775808]"));
  CHECK (memcmp (buf, "[0,7,-7,1234567890123,9223372036854775807,-9223372036854775808]", len) == 0);
  yajl_gen_free (g);
}

/* str_format and snprintf on the same format and arguments, into buffers
 * of several sizes: the same result, the same bytes, nothing written past
 * what snprintf writes. */
#define SAME_AS_SNPRINTF(fmt, ...)                                                                 \
  do                                                                                               \
    {                                                                                              \
      static const size_t sizes_[] = { 0, 1, 2, 5, 17, 200 };                                      \
      for (size_t i_ = 0; i_ < sizeof sizes_ / sizeof sizes_[0]; i_++)                             \
        {                                                                                          \
          char mine_[256], libc_[256];                                                             \
          int rm_, rl_;                                                                            \
          memset (mine_, '#', sizeof mine_);                                                       \
          memset (libc_, '#', sizeof libc_);                                                       \
          rm_ = str_format (mine_, sizes_[i_], fmt, __VA_ARGS__);                                  \
          rl_ = snprintf (libc_, sizes_[i_], fmt, __VA_ARGS__);                                    \
          if (rm_ != rl_ || memcmp (mine_, libc_, sizeof mine_) != 0)                              \
            {                                                                                      \
              printf ("not ok - %s:%d: str_format (%s) into %zu: %d \"%.*s\", snprintf: %d "       \
                      "\"%.*s\"\n",                                                                \
                      __FILE__, __LINE__, #fmt, sizes_[i_], rm_, (int) sizes_[i_], mine_, rl_,     \
                      (int) sizes_[i_], libc_);                                                    \
              failures++;                                                                          \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
  while (0)

static void
test_format_matches_snprintf (void)
{
  const char *volatile null = NULL;

  SAME_AS_SNPRINTF ("plain text, no conversion%s", "");
  SAME_AS_SNPRINTF ("%s/%s/config.json", "/run/tong", "a-container");
  SAME_AS_SNPRINTF ("[%zu] %zd %zx", (size_t) 12345, (ssize_t) -7, (size_t) 0xbeef);
  SAME_AS_SNPRINTF ("%d %i %d %d", 0, -1, INT_MAX, INT_MIN);
  SAME_AS_SNPRINTF ("%u %x %X %lu", 0u, 0xdeadbeefu, 0xabcu, ULONG_MAX);
  SAME_AS_SNPRINTF ("%ld %lld %llu %jd %td", LONG_MIN, LLONG_MIN, ULLONG_MAX, (intmax_t) -42,
                    (ptrdiff_t) -3);
  SAME_AS_SNPRINTF ("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
  SAME_AS_SNPRINTF ("%04d-%02d-%02dT%02d %09ld", 2026, 1, 31, 7, 5L);
  SAME_AS_SNPRINTF ("[%5d|%-5d|%05d|%3d|%-1d]", -42, -42, -42, 123456, 7);
  SAME_AS_SNPRINTF ("[%8s|%-8s|%.3s|%-6.2s|%.*s|%*s|%-*s]", "ab", "ab", "abcdef", "xyz", 2, "hello",
                    4, "x", -4, "y");
  SAME_AS_SNPRINTF ("%.*s", -1, "negative precision is none");
  SAME_AS_SNPRINTF ("%c%c%3c%-3c|", 'a', 'b', 'c', 'd');
  SAME_AS_SNPRINTF ("100%% of %s", "it");
  SAME_AS_SNPRINTF ("%08x %#x %+d % d %o", 0x1fu, 0x1fu, 5, 5, 8u);
  SAME_AS_SNPRINTF ("%p %5.1f %e", (void *) 0x1234, 3.25, 1e10);
  SAME_AS_SNPRINTF ("%s and %.2s", null, "abc");
  SAME_AS_SNPRINTF ("%.3d %lc", 7, (wint_t) 'w');
}

static void
test_format_long_output (void)
{
  char big[3000], out[8192];
  int n;

  memset (big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  n = str_format (out, sizeof out, "<%s|%1100d>", big, 9);
  CHECK (n == 2999 + 1100 + 3);
  CHECK (strlen (out) == (size_t) n);
  CHECK (out[0] == '<' && out[3000] == '|' && out[n - 2] == '9' && out[n - 1] == '>');
  free (xasprintf ("%s", ""));
  {
    _cleanup_free_ char *p = xasprintf ("%s-%d-%s", big, 42, "end");
    CHECK (strlen (p) == 2999 + 7 && strcmp (p + 2999, "-42-end") == 0);
  }
}

/* signal_abbrev replaced glibc's sigabbrev_np: the same names, for every
 * standard signal. */
static void
test_signal_abbrev_matches_glibc (void)
{
  CHECK (strcmp (signal_abbrev (SIGKILL), "KILL") == 0);
  CHECK (strcmp (signal_abbrev (SIGABRT), "ABRT") == 0);
  CHECK (strcmp (signal_abbrev (SIGIO), "POLL") == 0);
  CHECK (strcmp (signal_abbrev (SIGCHLD), "CHLD") == 0);
  CHECK (signal_abbrev (SIGRTMIN) == NULL);
  CHECK (signal_abbrev (0) == NULL);
#ifdef __GLIBC__
  for (int sig = 1; sig < SIGRTMIN; sig++)
    {
      const char *ours = signal_abbrev (sig), *glibc = sigabbrev_np (sig);
      CHECK ((!ours && !glibc) || (ours && glibc && strcmp (ours, glibc) == 0));
    }
#endif
  for (int sig = 1; sig < SIGRTMIN; sig++)
    if (signal_abbrev (sig))
      CHECK (signal_parse (signal_abbrev (sig)) == sig);
}

/* mkdir_p: the levels that are missing, nothing for one that exists, a
 * trailing slash, and an error naming a level that cannot be made. */
static void
test_mkdir_p (void)
{
  char base[] = "/tmp/tong-test-mkdir.XXXXXX";
  _cleanup_free_ char *deep = NULL, *again = NULL, *under_file = NULL, *file = NULL;
  struct stat st;
  tong_error err;

  CHECK (mkdtemp (base) != NULL);
  deep = xasprintf ("%s/a/b/c", base);
  again = xasprintf ("%s/a/b/", base);
  file = xasprintf ("%s/f", base);
  under_file = xasprintf ("%s/f/x/y", base);
  CHECK (mkdir_p (deep, 0700, &err) == 0);
  CHECK (stat (deep, &st) == 0 && S_ISDIR (st.st_mode));
  CHECK (mkdir_p (deep, 0700, &err) == 0);
  CHECK (mkdir_p (again, 0700, &err) == 0);
  CHECK (write_file_atomic_at (AT_FDCWD, file, "x", 1, 0644, &err) == 0);
  CHECK (mkdir_p (under_file, 0700, &err) < 0 && err.errnum == ENOTDIR);
  CHECK (strstr (err.msg, "/f/x") != NULL);
  unlink (file);
  rmdir (deep);
  *strrchr (deep, '/') = '\0';
  rmdir (deep);
  *strrchr (deep, '/') = '\0';
  rmdir (deep);
  rmdir (base);
}

int
main (void)
{
  RUN (test_rfc3339_known);
  RUN (test_rfc3339_matches_gmtime);
  RUN (test_passwd_find_uid);
  RUN (test_json_gen_integer);
  RUN (test_format_matches_snprintf);
  RUN (test_format_long_output);
  RUN (test_signal_abbrev_matches_glibc);
  RUN (test_mkdir_p);
  if (failures)
    {
      fprintf (stderr, "test-util: %d checks failed\n", failures);
      return 1;
    }
  printf ("test-util: all checks passed\n");
  return 0;
}
