/* Unit tests for small helpers of libtong.a: the RFC 3339 timestamps. */
#include <stdio.h>
#include <string.h>
#include <time.h>

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

int
main (void)
{
  RUN (test_rfc3339_known);
  RUN (test_rfc3339_matches_gmtime);
  if (failures)
    {
      fprintf (stderr, "test-util: %d checks failed\n", failures);
      return 1;
    }
  printf ("test-util: all checks passed\n");
  return 0;
}
