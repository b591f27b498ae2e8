/* One error value carried up the stack: an errno and a message with context.
 * Functions return 0 or a negative errno and fill a tong_error on failure;
 * the message is printed once, at the top (main.c). */
#ifndef TONG_ERROR_H
#define TONG_ERROR_H

#include <stdarg.h>

typedef struct tong_error
{
  int errnum;     /* positive errno; EINVAL for a bad input without a system error */
  char msg[4096]; /* what failed, on what, and where possible what to do */
} tong_error;

/* Set the error.  With errnum > 0 the message is followed by ": strerror(errnum)".
 * With errnum == 0 the error is a validation error (errnum becomes EINVAL).
 * Returns -errnum, so callers can write `return tong_err (err, errno, "open %s", p);`. */
int tong_err (tong_error *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Like tong_err, but the message stands alone: errnum is kept for callers
 * that test it (ENOENT for "does not exist") and not spelled out. */
int tong_err_code (tong_error *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* For the static analyzer, which does not look into error.c: tong_err and
 * tong_err_code return a negative value, so a path that returns theirs is a
 * failure.  Nothing changes in a build. */
#if defined(__clang_analyzer__) && !defined(TONG_ERROR_C)
#define TONG_ERR_NEGATIVE_(r)                                                                      \
  ({                                                                                               \
    int _te = (r);                                                                                 \
    if (_te >= 0)                                                                                  \
      __builtin_unreachable ();                                                                    \
    _te;                                                                                           \
  })
#define tong_err(...) TONG_ERR_NEGATIVE_ ((tong_err) (__VA_ARGS__))
#define tong_err_code(...) TONG_ERR_NEGATIVE_ ((tong_err_code) (__VA_ARGS__))
#endif

/* Prepend context to an error already set: "context: previous message".
 * Returns -err->errnum. */
int tong_err_prefix (tong_error *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Clear the error. */
void tong_err_clear (tong_error *err);

#endif
