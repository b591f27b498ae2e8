/* snprintf for tong's paths and messages, without glibc's vfprintf (format.h). */
#include "format.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* A conversion's length modifier. */
enum length
{
  LEN_NONE,
  LEN_HH,
  LEN_H,
  LEN_L,
  LEN_LL,
  LEN_Z,
  LEN_J,
  LEN_T,
};

/* The output so far: what fits goes to buf, len counts all of it. */
struct out
{
  char *buf;
  size_t size;
  size_t len;
};

static void
put (struct out *o, const char *s, size_t n)
{
  if (o->len < o->size)
    {
      size_t room = o->size - 1 - o->len;
      memcpy (o->buf + o->len, s, n < room ? n : room);
    }
  o->len += n;
}

static void
pad (struct out *o, char c, size_t n)
{
  char run[16];

  memset (run, c, sizeof run);
  for (; n > sizeof run; n -= sizeof run)
    put (o, run, sizeof run);
  put (o, run, n);
}

/* One field: sign (or none), then body, padded to width. */
static void
field (struct out *o, const char *sign, const char *body, size_t n, size_t width, bool left,
       bool zero)
{
  size_t total = strlen (sign) + n;
  size_t fill = width > total ? width - total : 0;

  if (!left && !zero)
    pad (o, ' ', fill);
  put (o, sign, strlen (sign));
  if (!left && zero)
    pad (o, '0', fill);
  put (o, body, n);
  if (left)
    pad (o, ' ', fill);
}

/* The digits of v in base 10 or 16, at the end of a buffer of 24. */
static char *
digits (char *end, uintmax_t v, unsigned base, bool upper)
{
  const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";

  do
    {
      *--end = set[v % base];
      v /= base;
    }
  while (v);
  return end;
}

int
str_vformat (char *buf, size_t size, const char *fmt, va_list ap)
{
  struct out o = { buf, size, 0 };
  va_list start;
  int r;

  va_copy (start, ap);
  for (const char *p = fmt; *p; p++)
    {
      const char *lit = strchr (p, '%');
      bool left = false, zero = false, has_prec = false;
      size_t width = 0, prec = 0;
      enum length size_mod = LEN_NONE;
      char num[24], *d, *end = num + sizeof num;
      uintmax_t u;
      intmax_t s;

      if (!lit)
        {
          put (&o, p, strlen (p));
          break;
        }
      put (&o, p, lit - p);
      p = lit + 1;
      for (;; p++)
        if (*p == '-')
          left = true;
        else if (*p == '0')
          zero = true;
        else
          break;
      if (*p == '*')
        {
          int w = va_arg (ap, int);
          if (w < 0)
            left = true;
          width = w < 0 ? -(size_t) w : (size_t) w;
          p++;
        }
      else
        for (; *p >= '0' && *p <= '9'; p++)
          width = width * 10 + (*p - '0');
      if (*p == '.')
        {
          has_prec = true;
          p++;
          if (*p == '*')
            {
              int pr = va_arg (ap, int);
              has_prec = pr >= 0;
              prec = pr >= 0 ? (size_t) pr : 0;
              p++;
            }
          else
            for (; *p >= '0' && *p <= '9'; p++)
              prec = prec * 10 + (*p - '0');
        }
      if (*p == 'h')
        size_mod = *++p == 'h' ? (p++, LEN_HH) : LEN_H;
      else if (*p == 'l')
        size_mod = *++p == 'l' ? (p++, LEN_LL) : LEN_L;
      else if (*p == 'z')
        size_mod = (p++, LEN_Z);
      else if (*p == 'j')
        size_mod = (p++, LEN_J);
      else if (*p == 't')
        size_mod = (p++, LEN_T);

      switch (*p)
        {
        case '%':
          if (width || left || zero || has_prec || size_mod != LEN_NONE)
            goto fallback;
          put (&o, "%", 1);
          break;
        case 'c':
          if (has_prec || size_mod != LEN_NONE || zero)
            goto fallback;
          num[0] = (char) va_arg (ap, int);
          field (&o, "", num, 1, width, left, false);
          break;
        case 's':
          {
            const char *str;
            size_t n;

            if (size_mod != LEN_NONE || zero)
              goto fallback;
            str = va_arg (ap, const char *);
            if (!str)
              goto fallback; /* glibc's "(null)" */
            n = has_prec ? strnlen (str, prec) : strlen (str);
            field (&o, "", str, n, width, left, false);
            break;
          }
        case 'd':
        case 'i':
          if (has_prec)
            goto fallback;
          switch (size_mod)
            {
            case LEN_HH:
              s = (signed char) va_arg (ap, int);
              break;
            case LEN_H:
              s = (short) va_arg (ap, int);
              break;
            case LEN_NONE:
              s = va_arg (ap, int);
              break;
            case LEN_L:
              s = va_arg (ap, long);
              break;
            case LEN_LL:
              s = va_arg (ap, long long);
              break;
            case LEN_Z:
              s = va_arg (ap, ssize_t);
              break;
            case LEN_J:
              s = va_arg (ap, intmax_t);
              break;
            case LEN_T:
              s = va_arg (ap, ptrdiff_t);
              break;
            }
          u = s < 0 ? -(uintmax_t) s : (uintmax_t) s;
          d = digits (end, u, 10, false);
          field (&o, s < 0 ? "-" : "", d, end - d, width, left, zero);
          break;
        case 'u':
        case 'x':
        case 'X':
          if (has_prec)
            goto fallback;
          switch (size_mod)
            {
            case LEN_HH:
              u = (unsigned char) va_arg (ap, unsigned);
              break;
            case LEN_H:
              u = (unsigned short) va_arg (ap, unsigned);
              break;
            case LEN_NONE:
              u = va_arg (ap, unsigned);
              break;
            case LEN_L:
              u = va_arg (ap, unsigned long);
              break;
            case LEN_LL:
              u = va_arg (ap, unsigned long long);
              break;
            case LEN_Z:
              u = va_arg (ap, size_t);
              break;
            case LEN_J:
              u = va_arg (ap, uintmax_t);
              break;
            case LEN_T:
              u = (uintmax_t) va_arg (ap, ptrdiff_t);
              break;
            }
          d = digits (end, u, *p == 'u' ? 10 : 16, *p == 'X');
          field (&o, "", d, end - d, width, left, zero);
          break;
        default:
          goto fallback;
        }
    }
  va_end (start);
  if (size > 0)
    buf[o.len < size ? o.len : size - 1] = '\0';
  return o.len > INT_MAX ? -1 : (int) o.len;

fallback:
  /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): start is va_copy'd on entry */
  r = vsnprintf (buf, size, fmt, start);
  va_end (start);
  return r;
}

int
str_format (char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = str_vformat (buf, size, fmt, ap);
  va_end (ap);
  return r;
}
