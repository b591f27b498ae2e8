#define TONG_ERROR_C /* the definitions below, not the analyzer's macros */
#include "error.h"

#include "format.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int
tong_err (tong_error *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  size_t len;

  if (errnum < 0)
    errnum = -errnum;
  va_start (ap, fmt);
  str_vformat (err->msg, sizeof err->msg, fmt, ap);
  va_end (ap);
  if (errnum > 0)
    {
      len = strlen (err->msg);
      str_format (err->msg + len, sizeof err->msg - len, ": %s", strerror (errnum));
    }
  err->errnum = errnum > 0 ? errnum : EINVAL;
  return -err->errnum;
}

int
tong_err_code (tong_error *err, int errnum, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  str_vformat (err->msg, sizeof err->msg, fmt, ap);
  va_end (ap);
  err->errnum = errnum > 0 ? errnum : errnum < 0 ? -errnum : EINVAL;
  return -err->errnum;
}

int
tong_err_prefix (tong_error *err, const char *fmt, ...)
{
  char prefix[1024];
  size_t plen, olen, cap = sizeof err->msg;
  va_list ap;

  va_start (ap, fmt);
  str_vformat (prefix, sizeof prefix - 2, fmt, ap);
  va_end (ap);
  strcat (prefix, ": ");
  plen = strlen (prefix);
  olen = strnlen (err->msg, cap - 1);
  if (plen + olen > cap - 1)
    olen = cap - 1 - plen;
  memmove (err->msg + plen, err->msg, olen);
  memcpy (err->msg, prefix, plen);
  err->msg[plen + olen] = '\0';
  if (err->errnum <= 0)
    err->errnum = EINVAL;
  return -err->errnum;
}

void
tong_err_clear (tong_error *err)
{
  err->errnum = 0;
  err->msg[0] = '\0';
}
