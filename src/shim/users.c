/* Users and groups from the image's own passwd and group files. */
#include "src/shim/users.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/shim/layout.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

/* A decimal id, or false. */
static bool
parse_id (const char *s, unsigned long *out)
{
  char *end;
  if (!*s || *s == '-' || *s == '+')
    return false;
  errno = 0;
  *out = strtoul (s, &end, 10);
  return errno == 0 && *end == '\0' && *out < 4294967295UL;
}

/* Split line into up to n ':'-fields (in place); returns the count. */
static size_t
split_fields (char *line, char **f, size_t n)
{
  size_t i = 0;
  f[i++] = line;
  for (char *p = line; *p && i < n; p++)
    if (*p == ':')
      {
        *p = '\0';
        f[i++] = p + 1;
      }
  return i;
}

/* Find a passwd entry by name or uid: fields 0 name, 2 uid, 3 gid, 5 home. */
static bool
passwd_find (const char *text, const char *key, bool by_id, unsigned long id, unsigned long *uid,
             unsigned long *gid, char **home, char **name)
{
  _cleanup_free_ char *copy = xstrdup (text ? text : "");
  char *save = NULL;

  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[7];
      unsigned long u, g;
      if (split_fields (line, f, 7) < 7 || !parse_id (f[2], &u) || !parse_id (f[3], &g))
        continue;
      if (by_id ? u != id : strcmp (f[0], key) != 0)
        continue;
      *uid = u;
      *gid = g;
      *home = xstrdup (f[5]);
      *name = xstrdup (f[0]);
      return true;
    }
  return false;
}

/* A group by name or gid; with member set, collect every group listing it. */
static bool
group_find (const char *text, const char *key, bool by_id, unsigned long id, unsigned long *gid)
{
  _cleanup_free_ char *copy = xstrdup (text ? text : "");
  char *save = NULL;

  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[4];
      unsigned long g;
      if (split_fields (line, f, 4) < 4 || !parse_id (f[2], &g))
        continue;
      if (by_id ? g == id : strcmp (f[0], key) == 0)
        {
          *gid = g;
          return true;
        }
    }
  return false;
}

static void
add_member_groups (const char *text, const char *user, gid_t primary, struct user_ids *u)
{
  _cleanup_free_ char *copy = xstrdup (text ? text : "");
  char *save = NULL;

  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[4], *msave = NULL;
      unsigned long g;
      if (split_fields (line, f, 4) < 4 || !parse_id (f[2], &g) || g == primary)
        continue;
      for (char *m = strtok_r (f[3], ",", &msave); m; m = strtok_r (NULL, ",", &msave))
        if (strcmp (m, user) == 0)
          {
            u->groups = xrealloc (u->groups, (u->n_groups + 1) * sizeof *u->groups);
            u->groups[u->n_groups++] = (gid_t) g;
            break;
          }
    }
}

int
user_resolve_text (const char *passwd, const char *group, const char *spec, struct user_ids *u,
                   tong_error *err)
{
  _cleanup_free_ char *copy = xstrdup (spec), *home = NULL, *name = NULL;
  char *user = copy, *grp = strchr (copy, ':');
  unsigned long id, uid, gid;
  bool found;

  memset (u, 0, sizeof *u);
  if (grp)
    *grp++ = '\0';
  if (!*user || (grp && !*grp))
    return tong_err (err, 0, "--user \"%s\": expected USER[:GROUP] (names or numeric ids)", spec);
  if (parse_id (user, &id))
    {
      found = passwd_find (passwd, NULL, true, id, &uid, &gid, &home, &name);
      if (!found)
        {
          uid = id;
          gid = 0; /* as podman: a uid unknown to the image runs with gid 0 */
        }
    }
  else
    {
      found = passwd_find (passwd, user, false, 0, &uid, &gid, &home, &name);
      if (!found)
        return tong_err_code (err, ENOENT,
                              "--user \"%s\": no user \"%s\" in the image's "
                              "/etc/passwd",
                              spec, user);
    }
  if (grp)
    {
      if (parse_id (grp, &id))
        gid = id;
      else if (!group_find (group, grp, false, 0, &gid))
        return tong_err_code (err, ENOENT,
                              "--user \"%s\": no group \"%s\" in the image's "
                              "/etc/group",
                              spec, grp);
    }
  u->uid = (uid_t) uid;
  u->gid = (gid_t) gid;
  u->home = TAKE_PTR (home);
  if (found && !grp)
    add_member_groups (group, name, u->gid, u);
  return 0;
}

static char *
read_in_root (int rootfd, const char *path)
{
  tong_error e = { 0 };
  _cleanup_close_ int fd = sys_openat2 (rootfd, path, O_RDONLY | O_CLOEXEC, 0,
                                        RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  char *data = NULL;
  size_t len;

  if (fd < 0 || read_fd_all (fd, &data, &len, &e) < 0)
    return NULL;
  return data;
}

int
user_resolve (int rootfd, const char *spec, struct user_ids *u, tong_error *err)
{
  _cleanup_free_ char *passwd = read_in_root (rootfd, "etc/passwd");
  _cleanup_free_ char *group = read_in_root (rootfd, "etc/group");
  return user_resolve_text (passwd, group, spec, u, err);
}

void
user_ids_clear (struct user_ids *u)
{
  free (u->groups);
  free (u->home);
  memset (u, 0, sizeof *u);
}
