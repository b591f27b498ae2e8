#include "controllers.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "src/base/util.h"

bool
cgroup_word_in (const char *list, const char *name)
{
  size_t n = strlen (name);

  for (const char *s = list; s && *s;)
    {
      s += strspn (s, " \n");
      if (strncmp (s, name, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '\n'))
        return true;
      s += strcspn (s, " \n");
    }
  return false;
}

static char *
read_list (const char *dir, const char *file, tong_error *err)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", dir, file);
  char *text = NULL;

  if (read_file_at (AT_FDCWD, p, &text, NULL, err) < 0)
    return NULL;
  return text;
}

int
cgroup_controllers_check (const char *mount, const struct cgroup_plan *plan, tong_error *err)
{
  _cleanup_free_ char *offered = NULL;

  if (cgroup_plan_empty (plan))
    return 0;
  offered = read_list (mount, "cgroup.controllers", err);
  if (!offered)
    return -err->errnum;
  for (size_t i = 0; i < plan->n; i++)
    {
      const struct cgroup_write *w = &plan->writes[i];
      if (!w->controller || w->is_default || cgroup_word_in (offered, w->controller))
        continue;
      return tong_err (err, 0, "%s needs the cgroup v2 controller `%s`, which %s does not offer%s",
                       w->field, w->controller, mount,
                       strcmp (mount, "/sys/fs/cgroup/unified") == 0
                           ? " (on a hybrid host it is bound to cgroup v1: boot with "
                             "systemd.unified_cgroup_hierarchy=1 for a pure cgroup v2 host)"
                           : "");
    }
  return 0;
}

static int
enable_in (const char *dir, const char *controller, const char *field, tong_error *err)
{
  _cleanup_free_ char *enabled = read_list (dir, "cgroup.subtree_control", err);
  _cleanup_free_ char *file = NULL, *value = NULL;
  int r;

  if (!enabled)
    return -err->errnum;
  if (cgroup_word_in (enabled, controller))
    return 0;
  file = xasprintf ("%s/cgroup.subtree_control", dir);
  value = xasprintf ("+%s", controller);
  r = write_file_at (AT_FDCWD, file, value, strlen (value), err);
  if (r == -EBUSY)
    return tong_err (err, EBUSY,
                     "%s: enable the controller `%s` in `%s`: that cgroup holds "
                     "processes itself (cgroup v2 allows controllers only for "
                     "cgroups whose processes live in leaves); use a "
                     "linux.cgroupsPath outside it",
                     field, controller, file);
  if (r < 0)
    return tong_err_prefix (err, "%s: enable the controller `%s`", field, controller);
  return 0;
}

int
cgroup_controllers_enable (const char *mount, const char *path, const struct cgroup_plan *plan,
                           tong_error *err)
{
  size_t mlen = strlen (mount);
  _cleanup_free_ char *dir = NULL, *offered = NULL;
  const char *rel;

  if (cgroup_plan_empty (plan))
    return 0;
  if (strncmp (path, mount, mlen) != 0 || (path[mlen] != '/' && path[mlen] != '\0'))
    return tong_err (err, 0, "cgroup `%s` is not below `%s`", path, mount);
  offered = read_list (mount, "cgroup.controllers", err);
  if (!offered)
    return -err->errnum;
  dir = xstrdup (mount);
  rel = path + mlen;
  for (;;)
    {
      const char *next;
      for (size_t i = 0; i < plan->n; i++)
        {
          const struct cgroup_write *w = &plan->writes[i];
          int r;
          if (!w->controller || (w->is_default && !cgroup_word_in (offered, w->controller)))
            continue;
          r = enable_in (dir, w->controller, w->field, err);
          if (r < 0)
            return r;
        }
      /* Down one level; stop at the parent of path. */
      while (*rel == '/')
        rel++;
      next = strchr (rel, '/');
      if (!next)
        return 0;
      free (dir);
      dir = xasprintf ("%.*s", (int) (next - path), path);
      rel = next;
    }
}
