#include "hierarchy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "src/base/util.h"
#include "src/cgroups/systemd-unit.h"

bool
cgroup_list_has (const char *list, const char *name)
{
  size_t n = strlen (name);

  for (const char *s = list; s && *s; s = strchr (s, ',') ? strchr (s, ',') + 1 : NULL)
    if (strncmp (s, name, n) == 0 && (s[n] == ',' || s[n] == '\0'))
      return true;
  return false;
}

/* Mount options of a v1 hierarchy that name no controller. */
static bool
is_mount_option (const char *opt, size_t len)
{
  static const char *const options[]
      = { "rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "favordynmods" };

  if (len > 14 && strncmp (opt, "release_agent=", 14) == 0)
    return true;
  for (size_t i = 0; i < ARRAY_SIZE (options); i++)
    if (strlen (options[i]) == len && strncmp (opt, options[i], len) == 0)
      return true;
  return false;
}

/* Do the super options of a v1 mount name exactly the controllers of
 * /proc/self/cgroup's field `list`? */
static bool
options_name (const char *options, const char *list)
{
  size_t named = 0, listed = 1;

  for (const char *s = list; *s; s++)
    listed += *s == ',';
  for (const char *o = options; o && *o;)
    {
      size_t len = strcspn (o, ",");
      _cleanup_free_ char *word = xstrndup (o, len);
      if (!is_mount_option (o, len))
        {
          if (!cgroup_list_has (list, word))
            return false;
          named++;
        }
      o = o[len] ? o + len + 1 : NULL;
    }
  return *list && named == listed;
}

/* mountinfo's escapes (\040 for a space, ...) undone in place. */
static void
unescape (char *s)
{
  char *w = s;

  for (; *s; s++)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0'
          && s[3] <= '7')
        {
          *w++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
          s += 3;
        }
      else
        *w++ = *s;
    }
  *w = '\0';
}

/* The fields of one mountinfo line that matter here; false when it is not
 * a cgroup mount. */
struct mount_line
{
  char *root, *point, *fstype, *options;
};

static bool
mount_line_split (char *line, struct mount_line *m)
{
  char *fields[5] = { 0 }, *save = NULL, *tok, *dash;
  int n = 0;

  dash = strstr (line, " - ");
  if (!dash)
    return false;
  *dash = '\0';
  for (tok = strtok_r (line, " ", &save); tok && n < 5; tok = strtok_r (NULL, " ", &save))
    fields[n++] = tok;
  if (n < 5)
    return false;
  m->root = fields[3];
  m->point = fields[4];
  save = NULL;
  m->fstype = strtok_r (dash + 3, " ", &save);
  if (!m->fstype || !strtok_r (NULL, " ", &save))
    return false;
  m->options = strtok_r (NULL, " ", &save);
  if (!m->options)
    return false;
  unescape (m->root);
  unescape (m->point);
  return true;
}

/* The caller's cgroup v2 path (/proc/self/cgroup's "0::" line), or NULL. */
static const char *
v2_own (char *const *lines, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strncmp (lines[i], "0::", 3) == 0)
      return lines[i] + 3;
  return NULL;
}

static bool
is_kept (const char *controllers)
{
  for (const char *s = controllers; s; s = strchr (s, ',') ? strchr (s, ',') + 1 : NULL)
    if (strncmp (s, "name=", 5) != 0 || strncmp (s, "name=systemd", 12) == 0)
      return true;
  return false;
}

static bool
has_controller (const struct cgroup_host *h)
{
  for (size_t i = 0; i < h->n_v1; i++)
    for (const char *s = h->v1[i].controllers; s; s = strchr (s, ',') ? strchr (s, ',') + 1 : NULL)
      if (strncmp (s, "name=", 5) != 0)
        return true;
  return false;
}

/* The v1 mount m, if /proc/self/cgroup has its hierarchy and tong places
 * containers in it. */
static void
add_v1 (struct cgroup_host *h, const struct mount_line *m, char *const *lines, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      const char *colon = strchr (lines[i], ':'), *end = colon ? strchr (colon + 1, ':') : NULL;
      _cleanup_free_ char *names = NULL;

      if (!end)
        continue;
      names = xstrndup (colon + 1, (size_t) (end - colon - 1));
      if (!options_name (m->options, names))
        continue;
      if (!is_kept (names) || cgroup_host_v1_find (h, names))
        return;
      h->v1 = xrealloc (h->v1, (h->n_v1 + 1) * sizeof *h->v1);
      h->v1[h->n_v1++] = (struct cgroup_v1_hierarchy){
        .controllers = TAKE_PTR (names),
        .mount = xstrdup (m->point),
        .root = xstrdup (m->root),
        .own = xstrdup (strcmp (end + 1, "/") == 0 ? "" : end + 1),
      };
      return;
    }
}

void
cgroup_host_parse (const char *mountinfo, const char *proc_cgroup, struct cgroup_host *h)
{
  _cleanup_free_ char *mi = xstrdup (mountinfo ? mountinfo : "");
  _cleanup_free_ char *pc = xstrdup (proc_cgroup ? proc_cgroup : "");
  _cleanup_free_ char **lines = NULL;
  char *line, *save = NULL;
  size_t n = 0;

  *h = (struct cgroup_host){ 0 };
  for (line = strtok_r (pc, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      lines = xrealloc (lines, (n + 1) * sizeof *lines);
      lines[n++] = line;
    }
  save = NULL;
  for (line = strtok_r (mi, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      struct mount_line m;
      if (!mount_line_split (line, &m))
        continue;
      if (strcmp (m.fstype, "cgroup2") == 0 && !h->v2_mount)
        {
          const char *own = v2_own (lines, n);
          h->v2_mount = xstrdup (m.point);
          h->v2_own = xstrdup (!own || strcmp (own, "/") == 0 ? "" : own);
        }
      else if (strcmp (m.fstype, "cgroup") == 0 && n > 0)
        add_v1 (h, &m, lines, n);
    }
  if (has_controller (h))
    h->mode = h->v2_mount ? CGROUP_MODE_HYBRID : CGROUP_MODE_V1;
  else
    h->mode = h->v2_mount ? CGROUP_MODE_V2 : CGROUP_MODE_NONE;
}

void
cgroup_host_clear (struct cgroup_host *h)
{
  for (size_t i = 0; i < h->n_v1; i++)
    {
      free (h->v1[i].controllers);
      free (h->v1[i].mount);
      free (h->v1[i].root);
      free (h->v1[i].own);
    }
  free (h->v1);
  free (h->v2_mount);
  free (h->v2_own);
  *h = (struct cgroup_host){ 0 };
}

const struct cgroup_host *
cgroup_host_get (void)
{
  static struct cgroup_host host;
  static bool read;
  _cleanup_free_ char *mountinfo = NULL, *cgroup = NULL;
  tong_error ignored;
  struct statfs sfs;

  if (read)
    return &host;
  read = true;
  if (read_file_at (AT_FDCWD, "/proc/self/cgroup", &cgroup, NULL, &ignored) < 0)
    return &host;
  /* A pure v2 host (the common case) is told by one statfs: no mountinfo
   * to read. */
  if (statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    {
      char *line = cgroup;
      for (; line && !host.v2_own; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
        if (strncmp (line, "0::", 3) == 0)
          {
            host.v2_own = xstrndup (line + 3, strcspn (line + 3, "\n"));
            if (strcmp (host.v2_own, "/") == 0)
              host.v2_own[0] = '\0';
          }
      host.mode = CGROUP_MODE_V2;
      host.v2_mount = xstrdup ("/sys/fs/cgroup");
      return &host;
    }
  if (read_file_at (AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, &ignored) < 0)
    return &host;
  cgroup_host_parse (mountinfo, cgroup, &host);
  return &host;
}

bool
cgroup_host_is_v1 (const struct cgroup_host *h)
{
  return h->mode == CGROUP_MODE_V1 || h->mode == CGROUP_MODE_HYBRID;
}

const char *
cgroup_mode_name (enum cgroup_mode mode)
{
  switch (mode)
    {
    case CGROUP_MODE_V2:
      return "v2";
    case CGROUP_MODE_V1:
      return "v1";
    case CGROUP_MODE_HYBRID:
      return "hybrid";
    case CGROUP_MODE_NONE:
      break;
    }
  return "none";
}

const struct cgroup_v1_hierarchy *
cgroup_host_v1_find (const struct cgroup_host *h, const char *controller)
{
  for (size_t i = 0; i < h->n_v1; i++)
    if (strcmp (h->v1[i].controllers, controller) == 0
        || cgroup_list_has (h->v1[i].controllers, controller))
      return &h->v1[i];
  return NULL;
}

/* own below the mount's root: what follows the mount point. */
static const char *
below_root (const char *root, const char *path)
{
  size_t n = strlen (root);

  if (strcmp (root, "/") == 0)
    return path;
  if (strncmp (path, root, n) == 0 && (path[n] == '/' || path[n] == '\0'))
    return path + n;
  return NULL;
}

char *
cgroup_dir_join (const char *mount, const char *root, const char *own, const char *cgroups_path,
                 const char *id)
{
  const char *rel = below_root (root, own);

  if (cgroups_path && cgroups_path[0] == '/')
    return xasprintf ("%s%s", mount, cgroups_path);
  if (!rel)
    rel = "";
  if (cgroups_path && *cgroups_path)
    return xasprintf ("%s%s/%s", mount, rel, cgroups_path);
  return xasprintf ("%s%s/tong/%s", mount, rel, id);
}

static bool
path_safe (const char *p)
{
  /* No way up and out of the hierarchy. */
  return !strstr (p, "/../") && strncmp (p, "../", 3) != 0 && strcmp (p, "..") != 0
         && !(strlen (p) >= 3 && strcmp (p + strlen (p) - 3, "/..") == 0);
}

int
cgroup_path_check (const char *cp, tong_error *err)
{
  if (cp && *cp && !path_safe (cp))
    return tong_err (err, 0, "config.json: linux.cgroupsPath \"%s\": must not contain \"..\"", cp);
  if (systemd_path_is_systemd (cp))
    return tong_err (err, 0,
                     "config.json: linux.cgroupsPath \"%s\" is in systemd's form "
                     "slice:prefix:name: use the systemd cgroup driver "
                     "(--systemd-cgroup, or --cgroup-manager systemd)",
                     cp);
  return 0;
}

char *
cgroup_v1_dir_of (const struct cgroup_v1_hierarchy *hier, const char *path)
{
  const char *rel = below_root (hier->root, path);

  if (!rel)
    return NULL;
  return xasprintf ("%s%s", hier->mount, strcmp (rel, "/") == 0 ? "" : rel);
}

int
cgroup_v1_join_open (char *const *dirs, size_t n, struct cgroup_v1_join *j, tong_error *err)
{
  *j = (struct cgroup_v1_join){ 0 };
  j->fds = xcalloc (n ? n : 1, sizeof *j->fds);
  j->dirs = xcalloc (n ? n : 1, sizeof *j->dirs);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *file = xasprintf ("%s/tasks", dirs[i]);
      int fd = open (file, O_WRONLY | O_CLOEXEC);

      if (fd < 0)
        {
          int e = errno;
          cgroup_v1_join_close (j);
          return tong_err (err, e, "open `%s`", file);
        }
      j->fds[j->n] = fd;
      j->dirs[j->n++] = xstrdup (dirs[i]);
    }
  return 0;
}

int
cgroup_v1_join_open_like (pid_t like, struct cgroup_v1_join *j, tong_error *err)
{
  const struct cgroup_host *h = cgroup_host_get ();
  _cleanup_free_ char *text = NULL;
  char file[64], *line, *save = NULL;
  char **dirs = NULL;
  size_t n = 0;
  int r;

  *j = (struct cgroup_v1_join){ 0 };
  if (!cgroup_host_is_v1 (h))
    return 0;
  str_format (file, sizeof file, "/proc/%d/cgroup", (int) like);
  r = read_file_at (AT_FDCWD, file, &text, NULL, err);
  if (r < 0)
    return r;
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *names = strchr (line, ':'), *path = names ? strchr (names + 1, ':') : NULL;
      const struct cgroup_v1_hierarchy *hier;
      char *dir;

      if (!path || path == names + 1)
        continue;
      *path++ = '\0';
      hier = cgroup_host_v1_find (h, names + 1);
      if (!hier || strcmp (path, *hier->own ? hier->own : "/") == 0)
        continue;
      dir = cgroup_v1_dir_of (hier, path);
      if (!dir)
        continue;
      dirs = xrealloc (dirs, (n + 1) * sizeof *dirs);
      dirs[n++] = dir;
    }
  r = cgroup_v1_join_open (dirs, n, j, err);
  for (size_t i = 0; i < n; i++)
    free (dirs[i]);
  free (dirs);
  return r;
}

int
cgroup_v1_join_self (const struct cgroup_v1_join *j, tong_error *err)
{
  for (size_t i = 0; i < j->n; i++)
    if (write (j->fds[i], "0", 1) != 1)
      return tong_err (err, errno, "move into cgroup `%s`", j->dirs[i]);
  return 0;
}

void
cgroup_v1_join_close (struct cgroup_v1_join *j)
{
  for (size_t i = 0; i < j->n; i++)
    {
      close (j->fds[i]);
      free (j->dirs[i]);
    }
  free (j->fds);
  free (j->dirs);
  *j = (struct cgroup_v1_join){ 0 };
}
