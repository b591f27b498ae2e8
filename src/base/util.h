/* Small helpers shared by every part of tong: cleanup attributes, file I/O. */
#ifndef TONG_UTIL_H
#define TONG_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"
#include "format.h"

static inline void
freep (void *p)
{
  free (*(void **) p);
}

static inline void
closep (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

static inline void
fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

static inline void
strvfreep (char ***v)
{
  if (*v)
    {
      for (char **p = *v; *p; p++)
        free (*p);
      free (*v);
    }
}

#define _cleanup_free_ __attribute__ ((cleanup (freep)))
#define _cleanup_close_ __attribute__ ((cleanup (closep)))
#define _cleanup_fclose_ __attribute__ ((cleanup (fclosep)))
#define _cleanup_strv_ __attribute__ ((cleanup (strvfreep)))

/* Move ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                                                                \
  ({                                                                                               \
    __typeof__ (p) _tp = (p);                                                                      \
    (p) = NULL;                                                                                    \
    _tp;                                                                                           \
  })
#define TAKE_FD(fd)                                                                                \
  ({                                                                                               \
    int _tf = (fd);                                                                                \
    (fd) = -1;                                                                                     \
    _tf;                                                                                           \
  })

#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

/* Allocation that cannot fail: tong aborts on out-of-memory, as there is no
 * sane way to continue setting up a container without memory. */
void *xmalloc (size_t n);
void *xcalloc (size_t n, size_t m);
void *xrealloc (void *p, size_t n);
char *xstrdup (const char *s);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
char *xvasprintf (const char *fmt, va_list ap) __attribute__ ((format (printf, 1, 0)));

/* Character classes of the C locale, without <ctype.h>'s table (which lives
 * in a part of libc that nothing else of a container's start reads). */
static inline bool
ascii_isdigit (char c)
{
  return c >= '0' && c <= '9';
}

static inline bool
ascii_isalnum (char c)
{
  return ascii_isdigit (c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
ascii_isspace (char c)
{
  return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline char
ascii_tolower (char c)
{
  return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

/* Does s start with prefix, ignoring the case of ASCII letters? */
static inline bool
ascii_prefix_nocase (const char *s, const char *prefix)
{
  for (; *prefix; s++, prefix++)
    if (ascii_tolower (*s) != ascii_tolower (*prefix))
      return false;
  return true;
}

/* Write a string to standard output, whole, without stdio (whose buffers
 * and vfprintf a command would otherwise map just to print one line).
 * Returns 0 or -errno. */
int out_puts (const char *s);

/* Read a whole file (relative to dirfd, or AT_FDCWD) into a NUL-terminated buffer. */
int read_file_at (int dirfd, const char *path, char **out, size_t *len, tong_error *err);
/* The same for a file that may be absent: 0 and *out NULL then, with no
 * error made (an error message costs strerror's part of libc). */
int read_file_if_exists_at (int dirfd, const char *path, char **out, size_t *len, tong_error *err);
/* Write a file in place (e.g. a /proc or /sys file). */
int write_file_at (int dirfd, const char *path, const void *data, size_t len, tong_error *err);
/* Create a file that must not exist yet and write it: for a file no reader
 * looks at before another one appears (config.json before state.json). */
int write_file_new_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                       tong_error *err);
/* Write a file atomically: a temporary name in the same directory, fsync, rename. */
int write_file_atomic_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                          tong_error *err);
/* The same without fsync: for files whose readers need them whole but that
 * need not survive a crash (the runtime state, which lives on a tmpfs such
 * as /run, pid files). */
int write_file_replace_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                           tong_error *err);
/* write(2) the whole buffer, retrying on EINTR and short counts.  Returns 0 or -errno. */
int write_all (int fd, const void *buf, size_t len);

/* Mark every fd from `first` up close-on-exec: close_range where the kernel
 * has CLOSE_RANGE_CLOEXEC (5.11), else fcntl on each possible fd. */
void fds_cloexec_from (int first);

/* Make fds 3..3+n-1 (--preserve-fds) inheritable, reserving any the caller
 * left unopened with /dev/null, so that none of tong's own fds takes their place. */
int fds_preserve (int n, tong_error *err);

/* Connect a SOCK_STREAM unix socket to path; `what` names it in errors
 * ("console socket").  Returns the fd (O_CLOEXEC) or -errno. */
int unix_connect (const char *path, const char *what, tong_error *err);

/* mkdir -p, mode for each created component. */
/* A size as runc and podman take it: a number of bytes, or one (fractions
 * allowed) followed by k, m, g or t (binary units) and an optional b.
 * Negative sizes are -EINVAL: a caller that allows -1 checks it first. */
int size_parse (const char *text, int64_t *out);

int mkdir_p (const char *path, mode_t mode, tong_error *err);

/* The first executable `name` in PATH (a default PATH when it is unset), or
 * NULL; the caller frees it. */
char *path_lookup (const char *name);

/* Whether this process runs in a user namespace other than the host's (its
 * uid_map is not the identity of every id): root there is not the host's. */
bool in_user_namespace (void);

/* Is a string a valid container id (as runc: [A-Za-z0-9_+.-], not . or ..)? */
bool container_id_valid (const char *id);

/* A decimal number and nothing else: no sign, no space, no overflow. */
bool decimal_parse (const char *s, unsigned long *out);

/* The decimal digits at s (one at least, no sign) as a number: a pointer
 * past them, or NULL when there is no digit or the number overflows.  The
 * number parsers of libc read the locale's tables, which nothing else of a
 * container's start touches; this is all tong's own formats need. */
const char *digits_scan (const char *s, unsigned long long *out);

/* Current time as RFC 3339 with nanoseconds (UTC), into buf. */
void rfc3339_now (char *buf, size_t len);
/* The same for ts ("2024-02-29T23:59:59.000000001Z"). */
struct timespec;
void rfc3339_format (const struct timespec *ts, char *buf, size_t len);

/* Parse a signal name ("KILL", "SIGKILL", "9"); returns the number or -EINVAL. */
int signal_parse (const char *s);
/* The name of a standard signal without "SIG" ("KILL"), or NULL (real-time
 * signals, unknown numbers). */
const char *signal_abbrev (int sig);

#endif
