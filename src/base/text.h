/* Text and numbers: ASCII classes, sizes, decimals, container ids, RFC 3339
 * times, signal names; without <ctype.h>, strtoul or the locale. */
#ifndef TONG_TEXT_H
#define TONG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* A size as runc and podman take it: a number of bytes, or one (fractions
 * allowed) followed by k, m, g or t (binary units) and an optional b.
 * Negative sizes are -EINVAL: a caller that allows -1 checks it first. */
int size_parse (const char *text, int64_t *out);

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
