/* Small helpers shared by every part of tong: cleanup attributes, memory,
 * output; and, included from here, files (files.h), text and numbers
 * (text.h), fds (fdpass.h). */
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
#include "fdpass.h"
#include "files.h"
#include "format.h"
#include "text.h"

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

/* Append a copy of s to the NULL-terminated vector *v. */
void strv_add (char ***v, const char *s);

static inline void
close_pairp (int (*pair)[2])
{
  closep (&(*pair)[0]);
  closep (&(*pair)[1]);
}

#define _cleanup_free_ __attribute__ ((cleanup (freep)))
#define _cleanup_close_ __attribute__ ((cleanup (closep)))
#define _cleanup_fclose_ __attribute__ ((cleanup (fclosep)))
#define _cleanup_strv_ __attribute__ ((cleanup (strvfreep)))
#define _cleanup_close_pair_ __attribute__ ((cleanup (close_pairp)))

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
/* At most n bytes of s. */
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
char *xvasprintf (const char *fmt, va_list ap) __attribute__ ((format (printf, 1, 0)));

/* Write a string to standard output, whole, without stdio (whose buffers
 * and vfprintf a command would otherwise map just to print one line).
 * Returns 0 or -errno. */
int out_puts (const char *s);

/* The first executable `name` in PATH (a default PATH when it is unset), or
 * NULL; the caller frees it. */
char *path_lookup (const char *name);

/* Whether this process runs in a user namespace other than the host's (its
 * uid_map is not the identity of every id): root there is not the host's. */
bool in_user_namespace (void);

#endif
