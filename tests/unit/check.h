/* The shared harness of the unit tests: each program prints `ok - NAME` or
 * `not ok - NAME: reason` lines (tests/run.sh counts them) and exits 1 when
 * anything failed. */
#ifndef TONG_TESTS_CHECK_H
#define TONG_TESTS_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int failures;

/* One named result, with a printf-style reason when it failed. */
static void __attribute__ ((format (printf, 3, 4), unused))
report (const char *name, bool ok, const char *fmt, ...)
{
  va_list ap;

  if (ok)
    {
      printf ("ok - %s\n", name);
      return;
    }
  failures++;
  printf ("not ok - %s: ", name);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
}

/* An assertion inside a larger test: only a failure is printed. */
#define CHECK(cond)                                                                                \
  do                                                                                               \
    {                                                                                              \
      if (!(cond))                                                                                 \
        {                                                                                          \
          printf ("not ok - %s:%d: %s\n", __FILE__, __LINE__, #cond);                              \
          failures++;                                                                              \
        }                                                                                          \
    }                                                                                              \
  while (0)

/* Run a test function made of CHECKs and report it as one named result. */
#define RUN(fn)                                                                                    \
  do                                                                                               \
    {                                                                                              \
      int before_ = failures;                                                                      \
      fn ();                                                                                       \
      if (failures == before_)                                                                     \
        printf ("ok - %s\n", #fn);                                                                 \
    }                                                                                              \
  while (0)

#endif
