/* snprintf for tong's paths and messages, without glibc's vfprintf.
 *
 * Every tong invocation formats a few dozen short strings (paths, the JSON
 * path of a config field, pids, times).  glibc's vfprintf and the tables it
 * reads sit in parts of libc.so that nothing else of a container's start
 * touches: calling it maps four more 64 KB windows of libc into the process,
 * about a tenth of tong's peak RSS (docs/bench.md).  str_format handles what
 * tong's formats use (flags `-` and `0`, a width, a precision for strings,
 * the length modifiers hh h l ll z j t, and d i u x X c s %) itself, and
 * hands any other format to vsnprintf, so that its output is always what
 * snprintf's would be. */
#ifndef TONG_FORMAT_H
#define TONG_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* As vsnprintf and snprintf: at most size - 1 characters and a NUL go to
 * buf (nothing when size is 0); the result is the length of the whole
 * output, or negative on an error of vsnprintf's. */
int str_vformat (char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__ ((format (printf, 3, 0)));
int str_format (char *buf, size_t size, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

#endif
