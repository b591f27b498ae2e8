/* The systemd driver: a scope that systemd starts and stops (systemd.h),
 * holding a cgroup v2 directory that tong writes as the cgroupfs driver
 * does (v2.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "src/base/log.h"
#include "src/base/util.h"
#include "src/cgroups/cgroup.h"
#include "src/cgroups/systemd-unit.h"
#include "src/cgroups/systemd.h"
#include "src/cgroups/v2.h"

static int
sd_plan (const struct cgroup_config *c, struct cgroup_handle *cg, tong_error *err)
{
  _cleanup_systemd_unit_ struct systemd_unit u = { 0 };
  const char *mnt = cgroup_v2_mount ();
  int r;

  if (c->rootless)
    return tong_err (err, 0,
                     "the systemd cgroup driver for a non-root user (systemd --user) "
                     "is not supported: use --cgroup-manager cgroupfs");
  r = systemd_unit_parse (c->spec->linux_ ? c->spec->linux_->cgroups_path : NULL, c->id, &u, err);
  if (r < 0)
    return tong_err_prefix (err, "config.json");
  /* Where systemd will put the scope. */
  if (mnt)
    cg->path = xasprintf ("%s%s%s/%s", mnt, *u.slice_path ? "/" : "", u.slice_path, u.unit);
  cg->unit = TAKE_PTR (u.unit);
  /* Before it is recorded: delete kills whatever is in a recorded cgroup. */
  if (cg->path)
    {
      r = cgroup_check_unused (cg->path, err);
      if (r < 0)
        cgroup_handle_clear (cg);
    }
  return r;
}

/* systemd creates the cgroup (a scope unit, delegated to tong). */
static int
sd_create (const struct cgroup_config *c, struct cgroup_handle *cg, int *birth_fd, tong_error *err)
{
  struct systemd_scope scope = { 0 };
  int fd, r;

  cgroup_handle_clear (cg);
  r = systemd_scope_start (c->spec, c->id, &scope, err);
  if (r < 0)
    return r;
  fd = open (scope.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      tong_error ignored;
      r = tong_err (err, errno, "open cgroup `%s` of %s", scope.path, scope.unit);
      systemd_scope_release_helper (&scope);
      systemd_scope_stop (scope.unit, &ignored);
      systemd_scope_clear (&scope);
      return r;
    }
  cg->path = TAKE_PTR (scope.path);
  cg->unit = TAKE_PTR (scope.unit);
  cg->helper = scope.helper;
  *birth_fd = fd;
  return 0;
}

static void
sd_settle (struct cgroup_handle *cg)
{
  struct systemd_scope scope = { .helper = cg->helper };

  systemd_scope_release_helper (&scope);
  cg->helper = 0;
}

/* systemd first: it writes the files of its properties itself. */
static int
sd_update (const struct cgroup_handle *cg, const struct oci_resources *res,
           const struct cgroup_limits *l, tong_error *err)
{
  int r = systemd_scope_set_resources (cg->unit, res, err);

  return r < 0 ? r : cgroup_limits_apply (cg->path, l, true, err);
}

/* Emptied by tong first (systemd would wait TimeoutStopSec for SIGTERM).
 * The scope holds nothing then, and systemd ends an empty scope itself: a
 * failed stop (no bus any more) must not make the container undeletable. */
static int
sd_destroy (struct cgroup_handle *cg, tong_error *err)
{
  tong_error stop_err;
  int r;

  sd_settle (cg);
  r = cgroup_v2_destroy (cg, err);
  if (!cg->unit)
    return r;
  /* Stopped also when the cgroup could not be removed: systemd then kills
   * and removes what is left of it. */
  if (systemd_scope_stop (cg->unit, &stop_err) < 0)
    log_warning ("delete %s: stop its systemd scope %s: %s", cg->id, cg->unit, stop_err.msg);
  return r;
}

const struct cgroup_driver cgroup_systemd_driver = {
  .name = "systemd",
  .hand_over = "the systemd cgroup driver",
  .plan = sd_plan,
  .create = sd_create,
  .join_open = NULL,
  .settle = sd_settle,
  .apply = cgroup_v2_apply,
  .update = sd_update,
  .freeze = cgroup_v2_freeze,
  .is_frozen = cgroup_v2_is_frozen,
  .kill = cgroup_v2_kill,
  .pids = cgroup_v2_pids,
  .stats = cgroup_v2_stats,
  .oom_kills = cgroup_v2_oom_kills,
  .destroy = sd_destroy,
};
