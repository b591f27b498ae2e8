#include "v2.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "src/base/format.h"
#include "src/base/spawn.h"
#include "src/base/util.h"
#include "src/cgroups/cgroup.h"
#include "src/cgroups/stats.h"

static int
v2_plan (const struct cgroup_config *c, struct cgroup_handle *cg, tong_error *err)
{
  int r = cgroup_resolve (c->spec, c->id, &cg->path, err);

  /* Before it is recorded: delete kills whatever is in a recorded cgroup. */
  if (r == 0 && cg->path)
    r = cgroup_check_unused (cg->path, err);
  if (r < 0)
    {
      free (cg->path);
      cg->path = NULL;
    }
  return r;
}

/* cg->path is the planned directory. */
static int
v2_create (const struct cgroup_config *c, struct cgroup_handle *cg, int *birth_fd, tong_error *err)
{
  int fd = cgroup_create (cg->path, err);

  (void) c;
  if (fd < 0)
    {
      free (cg->path);
      cg->path = NULL;
      return fd;
    }
  *birth_fd = fd;
  return 0;
}

void
cgroup_v2_settle (struct cgroup_handle *cg)
{
  (void) cg;
}

int
cgroup_v2_apply (const struct cgroup_handle *cg, const struct cgroup_limits *l, tong_error *err)
{
  return cgroup_limits_apply (cg->path, l, false, err);
}

static int
v2_update (const struct cgroup_handle *cg, const struct oci_resources *res,
           const struct cgroup_limits *l, tong_error *err)
{
  (void) res;
  return cgroup_limits_apply (cg->path, l, true, err);
}

int
cgroup_v2_freeze (const struct cgroup_handle *cg, bool freeze, tong_error *err)
{
  return cgroup_freeze (cg->path, freeze, err);
}

bool
cgroup_v2_is_frozen (const struct cgroup_handle *cg)
{
  return cg->path && cgroup_frozen (cg->path);
}

int
cgroup_v2_kill (const struct cgroup_handle *cg, int sig, tong_error *err)
{
  return cgroup_signal_all (cg->path, sig, err);
}

int
cgroup_v2_pids (const struct cgroup_handle *cg, pid_t **pids, size_t *n, tong_error *err)
{
  return cgroup_pids (cg->path, pids, n, err);
}

char *
cgroup_v2_stats (const struct cgroup_handle *cg)
{
  return cgroup_stats_event (cg->path, cg->id);
}

bool
cgroup_v2_oom_kills (const struct cgroup_handle *cg, unsigned long long *count)
{
  return cgroup_oom_kills (cg->path, count);
}

int
cgroup_v2_destroy (struct cgroup_handle *cg, tong_error *err)
{
  return cg->path ? cgroup_destroy (cg->path, err) : 0;
}

const struct cgroup_driver cgroup_v2_driver = {
  .name = "cgroupfs",
  .hand_over = NULL,
  .plan = v2_plan,
  .create = v2_create,
  .join_open = NULL,
  .settle = cgroup_v2_settle,
  .apply = cgroup_v2_apply,
  .update = v2_update,
  .freeze = cgroup_v2_freeze,
  .is_frozen = cgroup_v2_is_frozen,
  .kill = cgroup_v2_kill,
  .pids = cgroup_v2_pids,
  .stats = cgroup_v2_stats,
  .oom_kills = cgroup_v2_oom_kills,
  .destroy = cgroup_v2_destroy,
};
