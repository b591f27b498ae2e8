#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "src/base/util.h"

#define PASSWD_FIELDS 7 /* name:password:uid:gid:gecos:home:shell */

/* Split one line into its fields, in place; false unless it has them all. */
static bool
split_line (char *line, char *field[PASSWD_FIELDS])
{
  int n = 0;

  field[n++] = line;
  for (char *p = line; *p; p++)
    if (*p == ':')
      {
        if (n == PASSWD_FIELDS)
          return false;
        *p = '\0';
        field[n++] = p + 1;
      }
  return n == PASSWD_FIELDS;
}

static bool
uid_equals (const char *text, uid_t uid)
{
  unsigned long v;
  return decimal_parse (text, &v) && v == (unsigned long) uid;
}

int
passwd_find_uid (const char *path, uid_t uid, char **name, char **home)
{
  _cleanup_free_ char *text = NULL;
  tong_error ignored;
  char *line, *next;
  int r = read_file_at (AT_FDCWD, path, &text, NULL, &ignored);

  if (r < 0)
    return r;
  for (line = text; line && *line; line = next)
    {
      char *field[PASSWD_FIELDS];

      next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      if (!split_line (line, field) || !uid_equals (field[2], uid))
        continue;
      if (name)
        *name = xstrdup (field[0]);
      if (home)
        *home = xstrdup (field[5]);
      return 0;
    }
  return -ENOENT;
}
