#include "v1.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci/config.h"
#include "src/base/util.h"
#include "src/cgroups/cgroup.h"
#include "src/cgroups/hierarchy.h"
#include "src/cgroups/stats.h"
#include "src/cgroups/v2.h"

/* How long a freeze, a kill or a destroy waits for the kernel. */
#define WAIT_MS 10000

/* The distinct directories of v1_paths (co-mounted controllers share
 * one): the i-th, or NULL past the last. */
static const char *
dir_nth (const struct cgroup_handle *cg, size_t i)
{
  for (size_t k = 0, seen = 0; k < cg->v1_paths.len; k++)
    {
      const char *d = cg->v1_paths.items[k].value;
      bool first = true;
      for (size_t j = 0; j < k && first; j++)
        first = strcmp (cg->v1_paths.items[j].value, d) != 0;
      if (first && seen++ == i)
        return d;
    }
  return NULL;
}

static const char *
dir_of (const char *controller, void *arg)
{
  const struct cgroup_handle *cg = arg;
  return controller ? oci_map_get (&cg->v1_paths, controller) : NULL;
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
  nanosleep (&ts, NULL);
}

/* pids of a v1 directory's cgroup.procs; 0 (none) when it is gone. */
static int
dir_pids (const char *dir, pid_t **pids, size_t *n, tong_error *err)
{
  int r = cgroup_pids (dir, pids, n, err);
  return r == -ENOENT ? 0 : r;
}

static bool
dir_populated (const char *dir)
{
  _cleanup_free_ pid_t *pids = NULL;
  tong_error ignored;
  size_t n = 0;

  return dir_pids (dir, &pids, &n, &ignored) == 0 && n > 0;
}

static int
v1_plan (const struct cgroup_config *c, struct cgroup_handle *cg, tong_error *err)
{
  const struct cgroup_host *h = cgroup_host_get ();
  const char *cp = c->spec->linux_ ? c->spec->linux_->cgroups_path : NULL;
  int r = cgroup_path_check (cp, err);

  for (size_t i = 0; r == 0 && i < h->n_v1; i++)
    {
      const struct cgroup_v1_hierarchy *hier = &h->v1[i];
      _cleanup_free_ char *dir = cgroup_dir_join (hier->mount, hier->root, hier->own, cp, c->id);
      _cleanup_free_ char *list = xstrdup (hier->controllers);
      char *save = NULL;

      /* Before it is recorded: delete kills whatever is in a recorded cgroup. */
      if (dir_populated (dir))
        r = tong_err (err, EBUSY,
                      "cgroup `%s` (linux.cgroupsPath) already holds processes: "
                      "is another container using it?",
                      dir);
      for (char *name = strtok_r (list, ",", &save); r == 0 && name;
           name = strtok_r (NULL, ",", &save))
        oci_map_set (&cg->v1_paths, name, dir);
    }
  if (r == 0 && h->mode == CGROUP_MODE_HYBRID)
    {
      r = cgroup_resolve (c->spec, c->id, &cg->path, err);
      if (r == 0 && cg->path)
        r = cgroup_check_unused (cg->path, err);
    }
  if (r < 0)
    cgroup_handle_clear (cg);
  return r;
}

/* A new cpuset cgroup has no cpus and no mems, and takes no process until
 * it has: each level made below the hierarchy's root gets its parent's. */
static int
cpuset_fill (const char *mount, const char *dir, tong_error *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  size_t mlen = strlen (mount);

  for (const char *s = dir + mlen; s && *s; s = strchr (s + 1, '/'))
    {
      const char *next = strchr (s + 1, '/');
      _cleanup_free_ char *parent = xstrndup (dir, (size_t) (s - dir));
      _cleanup_free_ char *level = next ? xstrndup (dir, (size_t) (next - dir)) : xstrdup (dir);
      for (size_t i = 0; i < ARRAY_SIZE (files); i++)
        {
          _cleanup_free_ char *mine = xasprintf ("%s/%s", level, files[i]), *text = NULL;
          _cleanup_free_ char *theirs = xasprintf ("%s/%s", parent, files[i]);
          int r = read_file_at (AT_FDCWD, mine, &text, NULL, err);
          if (r == 0 && strspn (text, " \n") == strlen (text))
            {
              free (text);
              text = NULL;
              r = read_file_at (AT_FDCWD, theirs, &text, NULL, err);
              if (r == 0)
                r = write_file_at (AT_FDCWD, mine, text, strlen (text), err);
            }
          if (r < 0)
            return tong_err_prefix (err, "cgroup v1 cpuset `%s`", level);
        }
    }
  return 0;
}

static int v1_destroy (struct cgroup_handle *cg, tong_error *err);

static bool
not_permitted (int errnum)
{
  return errnum == EACCES || errnum == EPERM || errnum == EROFS;
}

/* Forget every controller whose directory is dir. */
static void
drop_dir (struct cgroup_handle *cg, const char *dir)
{
  _cleanup_free_ char *gone = xstrdup (dir);
  struct oci_map *m = &cg->v1_paths;
  size_t kept = 0;

  for (size_t i = 0; i < m->len; i++)
    {
      if (strcmp (m->items[i].value, gone) == 0)
        {
          free (m->items[i].key);
          free (m->items[i].value);
          continue;
        }
      m->items[kept++] = m->items[i];
    }
  m->len = kept;
}

static int
v1_create (const struct cgroup_config *c, struct cgroup_handle *cg, int *birth_fd, tong_error *err)
{
  const struct cgroup_v1_hierarchy *cpuset = cgroup_host_v1_find (cgroup_host_get (), "cpuset");
  const char *dir;
  int r = 0;

  *birth_fd = -1;
  for (size_t i = 0; r == 0 && (dir = dir_nth (cg, i));)
    {
      r = mkdir_p (dir, 0755, err);
      /* A user without the v1 hierarchies (they are root's) still has a
       * delegated v2 cgroup on a hybrid host: a limit that needs one of
       * them fails when it is applied, naming it. */
      if (r < 0 && c->rootless && cg->path && not_permitted (err->errnum))
        {
          drop_dir (cg, dir);
          r = 0;
          continue;
        }
      if (r < 0)
        tong_err_prefix (err, "create cgroup");
      i++;
    }
  if (r == 0 && cpuset && (dir = dir_of ("cpuset", cg)))
    r = cpuset_fill (cpuset->mount, dir, err);
  if (r == 0 && cg->path)
    {
      int fd = cgroup_create (cg->path, err);
      if (fd < 0)
        r = fd;
      else
        *birth_fd = fd;
    }
  if (r < 0)
    {
      tong_error ignored;
      v1_destroy (cg, &ignored);
      cgroup_handle_clear (cg);
    }
  return r;
}

static int
v1_join_open (const struct cgroup_handle *cg, struct cgroup_v1_join *j, tong_error *err)
{
  _cleanup_free_ char **dirs = xcalloc (cg->v1_paths.len + 1, sizeof *dirs);
  size_t n = 0;

  while ((dirs[n] = (char *) dir_nth (cg, n)))
    n++;
  return cgroup_v1_join_open (dirs, n, j, err);
}

static void
v1_settle (struct cgroup_handle *cg)
{
  (void) cg;
}

static int
apply_limits (const struct cgroup_handle *cg, const struct cgroup_limits *l, bool update,
              tong_error *err)
{
  int r = cgroup_plan_apply_at (&l->v1, dir_of, (void *) cg, err);

  if (r == 0)
    r = cgroup_plan_apply_at (&l->v1_devices, dir_of, (void *) cg, err);
  if (r == 0 && cg->path)
    r = cgroup_limits_apply (cg->path, l, update, err);
  return r;
}

static int
v1_apply (const struct cgroup_handle *cg, const struct cgroup_limits *l, tong_error *err)
{
  return apply_limits (cg, l, false, err);
}

static int
v1_update (const struct cgroup_handle *cg, const struct oci_resources *res,
           const struct cgroup_limits *l, tong_error *err)
{
  (void) res;
  return apply_limits (cg, l, true, err);
}

static bool
freezer_is (const char *dir, const char *state)
{
  _cleanup_free_ char *file = xasprintf ("%s/freezer.state", dir), *text = NULL;
  size_t len = strlen (state);
  tong_error ignored;

  return read_file_at (AT_FDCWD, file, &text, NULL, &ignored) == 0
         && strncmp (text, state, len) == 0 && (text[len] == '\n' || text[len] == '\0');
}

/* freezer.state reads FREEZING until every task is frozen: written again
 * until it says FROZEN (a task forked meanwhile is caught by the next
 * write), as the kernel's documentation advises. */
static int
freezer_set (const char *dir, bool freeze, tong_error *err)
{
  _cleanup_free_ char *file = xasprintf ("%s/freezer.state", dir);
  const char *want = freeze ? "FROZEN" : "THAWED";

  for (int waited = 0; waited < WAIT_MS; waited += 10)
    {
      int r = write_file_at (AT_FDCWD, file, want, strlen (want), err);
      if (r < 0)
        return tong_err_prefix (err, "cgroup `%s`", dir);
      if (freezer_is (dir, want))
        return 0;
      sleep_ms (10);
    }
  return tong_err (err, ETIMEDOUT, "wait for cgroup `%s` to be %s", dir,
                   freeze ? "frozen" : "thawed");
}

static int
v1_freeze (const struct cgroup_handle *cg, bool freeze, tong_error *err)
{
  const char *freezer = dir_of ("freezer", (void *) cg);

  if (freezer)
    return freezer_set (freezer, freeze, err);
  if (cg->path)
    return cgroup_freeze (cg->path, freeze, err);
  return tong_err (err, ENOTSUP, "%s: this host has no freezer hierarchy (cgroup v1's freezer)",
                   freeze ? "pause" : "resume");
}

static bool
v1_is_frozen (const struct cgroup_handle *cg)
{
  const char *freezer = dir_of ("freezer", (void *) cg);

  if (freezer)
    return freezer_is (freezer, "FROZEN");
  return cg->path && cgroup_frozen (cg->path);
}

/* The directory whose cgroup.procs lists the container's processes: every
 * one is in every hierarchy. */
static const char *
procs_dir (const struct cgroup_handle *cg)
{
  const char *d = dir_of ("freezer", (void *) cg);

  if (!d)
    d = dir_of ("pids", (void *) cg);
  return d ? d : dir_nth (cg, 0);
}

static int
v1_pids (const struct cgroup_handle *cg, pid_t **pids, size_t *n, tong_error *err)
{
  if (cg->path)
    return cgroup_pids (cg->path, pids, n, err);
  *pids = NULL;
  *n = 0;
  return procs_dir (cg) ? cgroup_pids (procs_dir (cg), pids, n, err) : 0;
}

static int
v1_kill (const struct cgroup_handle *cg, int sig, tong_error *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n;
  int r;

  if (cg->path)
    return cgroup_signal_all (cg->path, sig, err);
  r = v1_pids (cg, &pids, &n, err);
  for (size_t i = 0; r == 0 && i < n; i++)
    kill (pids[i], sig);
  return r;
}

static char *
v1_stats (const struct cgroup_handle *cg)
{
  return cgroup_stats_event_v1 (cg->id, dir_of, (void *) cg, cg->path);
}

static bool
v1_oom_kills (const struct cgroup_handle *cg, unsigned long long *count)
{
  const char *memory = dir_of ("memory", (void *) cg);

  return memory && cgroup_oom_kills_v1 (memory, count);
}

static bool
any_populated (const struct cgroup_handle *cg)
{
  const char *dir;

  for (size_t i = 0; (dir = dir_nth (cg, i)); i++)
    if (dir_populated (dir))
      return true;
  return false;
}

/* Kill what is left until no hierarchy lists a process. */
static int
kill_all (struct cgroup_handle *cg, tong_error *err)
{
  for (int waited = 0; waited < WAIT_MS; waited += 10)
    {
      const char *dir;
      if (!any_populated (cg))
        return 0;
      for (size_t i = 0; (dir = dir_nth (cg, i)); i++)
        {
          _cleanup_free_ pid_t *pids = NULL;
          size_t n = 0;
          if (dir_pids (dir, &pids, &n, err) == 0)
            for (size_t k = 0; k < n; k++)
              kill (pids[k], SIGKILL);
        }
      sleep_ms (10);
    }
  return tong_err (err, ETIMEDOUT, "wait for the processes of cgroup `%s` to exit",
                   dir_nth (cg, 0));
}

static int
v1_destroy (struct cgroup_handle *cg, tong_error *err)
{
  const char *freezer = dir_of ("freezer", cg), *dir;
  int r = 0;

  /* A frozen task dies only once thawed. */
  if (freezer && freezer_is (freezer, "FROZEN"))
    freezer_set (freezer, false, err);
  /* The v2 directory first: cgroup.kill and cgroup.events end every
   * process at once, in all hierarchies. */
  if (cg->path)
    r = cgroup_destroy (cg->path, err);
  if (r == 0)
    r = kill_all (cg, err);
  for (size_t i = 0; r == 0 && (dir = dir_nth (cg, i)); i++)
    {
      if (rmdir (dir) < 0 && errno != ENOENT)
        r = tong_err (err, errno, "remove cgroup `%s`", dir);
      else
        cgroup_remove_default_parent (dir);
    }
  return r;
}

const struct cgroup_driver cgroup_v1_driver = {
  .name = "cgroupfs",
  .hand_over = NULL,
  .plan = v1_plan,
  .create = v1_create,
  .join_open = v1_join_open,
  .settle = v1_settle,
  .apply = v1_apply,
  .update = v1_update,
  .freeze = v1_freeze,
  .is_frozen = v1_is_frozen,
  .kill = v1_kill,
  .pids = v1_pids,
  .stats = v1_stats,
  .oom_kills = v1_oom_kills,
  .destroy = v1_destroy,
};
