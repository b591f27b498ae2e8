#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

#include "src/cgroups/hierarchy.h"
#include "src/base/util.h"

const char *
cgroup_v2_mount (void)
{
  static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
  struct statfs sfs;

  for (size_t i = 0; i < ARRAY_SIZE (candidates); i++)
    if (statfs (candidates[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
      return candidates[i];
  return NULL;
}

int
cgroup_resolve (const struct oci_spec *spec, const char *id, char **out, tong_error *err)
{
  const char *mnt = cgroup_v2_mount ();
  const char *cp = spec->linux_ ? spec->linux_->cgroups_path : NULL;
  const char *own = cgroup_host_get ()->v2_own;
  int r;

  *out = NULL;
  if (!mnt)
    return 0;
  r = cgroup_path_check (cp, err);
  if (r < 0)
    return r;
  *out = cgroup_dir_join (mnt, "/", own ? own : "", cp, id);
  return 0;
}

static int events_value (const char *path, const char *key);

int
cgroup_check_unused (const char *path, tong_error *err)
{
  if (events_value (path, "populated") == 1)
    return tong_err (err, EBUSY,
                     "cgroup `%s` (linux.cgroupsPath) already holds processes: "
                     "is another container using it?",
                     path);
  return 0;
}

int
cgroup_create (const char *path, tong_error *err)
{
  int fd, r;

  r = mkdir_p (path, 0755, err);
  if (r < 0)
    return tong_err_prefix (err, "create cgroup");
  r = cgroup_check_unused (path, err);
  if (r < 0)
    return r;
  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tong_err (err, errno, "open cgroup `%s`", path);
  return fd;
}

static int
cgroup_write (const char *path, const char *file, const char *value, tong_error *err)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", path, file);
  return write_file_at (AT_FDCWD, p, value, strlen (value), err);
}

int
cgroup_pids (const char *path, pid_t **pids, size_t *n, tong_error *err)
{
  _cleanup_free_ char *file = xasprintf ("%s/cgroup.procs", path), *text = NULL;
  char *line, *save = NULL;
  int r = read_file_at (AT_FDCWD, file, &text, NULL, err);

  *pids = NULL;
  *n = 0;
  if (r < 0)
    return r;
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      *pids = xrealloc (*pids, (*n + 1) * sizeof **pids);
      (*pids)[(*n)++] = (pid_t) atoi (line);
    }
  return 0;
}

/* Value of `key` in cgroup.events (populated, frozen), or -1. */
static int
events_value (const char *path, const char *key)
{
  _cleanup_free_ char *file = xasprintf ("%s/cgroup.events", path), *text = NULL;
  tong_error ignored;
  size_t klen = strlen (key);

  if (read_file_at (AT_FDCWD, file, &text, NULL, &ignored) < 0)
    return -1;
  for (char *l = text; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    if (strncmp (l, key, klen) == 0 && l[klen] == ' ')
      return atoi (l + klen + 1);
  return -1;
}

/* Wait until cgroup.events has key == want; cgroup.events signals every
 * change with POLLPRI.  Gives up after timeout_ms. */
static int
events_wait (const char *path, const char *key, int want, int timeout_ms)
{
  _cleanup_free_ char *file = xasprintf ("%s/cgroup.events", path);
  _cleanup_close_ int fd = open (file, O_RDONLY | O_CLOEXEC);
  struct timespec start, now;

  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLPRI };
      long elapsed;
      int v = events_value (path, key);
      if (v == want || v < 0)
        return v == want ? 0 : -ENOENT;
      clock_gettime (CLOCK_MONOTONIC, &now);
      elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
      if (elapsed >= timeout_ms)
        return -ETIMEDOUT;
      if (fd < 0
          || poll (&pfd, 1, (int) (timeout_ms - elapsed < 100 ? timeout_ms - elapsed : 100)) < 0)
        {
          struct timespec ts = { 0, 10 * 1000 * 1000 };
          nanosleep (&ts, NULL);
        }
    }
}

int
cgroup_freeze (const char *path, bool freeze, tong_error *err)
{
  int r = cgroup_write (path, "cgroup.freeze", freeze ? "1" : "0", err);
  if (r < 0)
    return r;
  r = events_wait (path, "frozen", freeze ? 1 : 0, 10000);
  if (r < 0)
    return tong_err (err, -r, "wait for cgroup `%s` to be %s", path, freeze ? "frozen" : "thawed");
  return 0;
}

bool
cgroup_frozen (const char *path)
{
  return events_value (path, "frozen") == 1;
}

int
cgroup_signal_all (const char *path, int sig, tong_error *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  _cleanup_free_ char *killfile = xasprintf ("%s/cgroup.kill", path);
  size_t n;
  int r;

  if (sig == SIGKILL && access (killfile, W_OK) == 0)
    return cgroup_write (path, "cgroup.kill", "1", err);
  r = cgroup_pids (path, &pids, &n, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < n; i++)
    kill (pids[i], sig);
  return 0;
}

/* The default parent tong/ goes with its last container (another create
 * may be using it: then rmdir fails and it stays). */
void
cgroup_remove_default_parent (const char *path)
{
  _cleanup_free_ char *parent = xstrdup (path);
  char *slash = strrchr (parent, '/');

  if (!slash)
    return;
  *slash = '\0';
  slash = strrchr (parent, '/');
  if (slash && strcmp (slash + 1, "tong") == 0)
    rmdir (parent);
}

int
cgroup_destroy (const char *path, tong_error *err)
{
  int r;

  /* A create killed between the two mkdirs leaves tong/ alone. */
  if (access (path, F_OK) < 0)
    {
      cgroup_remove_default_parent (path);
      return 0;
    }
  if (events_value (path, "populated") == 1)
    {
      if (cgroup_frozen (path))
        cgroup_write (path, "cgroup.freeze", "0", err);
      r = cgroup_signal_all (path, SIGKILL, err);
      if (r < 0)
        return r;
      r = events_wait (path, "populated", 0, 10000);
      if (r < 0 && r != -ENOENT)
        return tong_err (err, -r, "wait for the processes of cgroup `%s` to exit", path);
    }
  if (rmdir (path) < 0 && errno != ENOENT)
    return tong_err (err, errno, "remove cgroup `%s`", path);
  cgroup_remove_default_parent (path);
  return 0;
}
