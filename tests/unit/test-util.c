/* Unit tests for small helpers of libtong.a: the RFC 3339 timestamps,
 * passwd(5) lookups, integers in generated JSON. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "oci/json-gen.h"
#include "src/passwd.h"
#include "src/util.h"
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
  CHECK (memcmp (buf, "[0,7,-7,1234567890123,9223372036854775807,-9223372036854775808]", len)
         == 0);
  yajl_gen_free (g);
}

int
main (void)
{
  RUN (test_rfc3339_known);
  RUN (test_rfc3339_matches_gmtime);
  RUN (test_passwd_find_uid);
  RUN (test_json_gen_integer);
  if (failures)
    {
      fprintf (stderr, "test-util: %d checks failed\n", failures);
      return 1;
    }
  printf ("test-util: all checks passed\n");
  return 0;
}
