/* tong pause ID / tong resume ID: freeze and thaw every process of a
 * container through its cgroup (cgroup.freeze). */
#include <errno.h>

#include "src/cgroups/cgroup.h"
#include "src/cli/commands.h"
#include "src/container/container.h"
#include "src/container/status.h"
#include "src/base/util.h"

static int
freeze_command (struct tong_globals *g, int argc, char **argv, bool freeze, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  struct container_state st = { 0 };
  enum container_status status;
  const char *id;
  int r;

  r = command_only_id (argc, argv, &id, err);
  if (r < 0)
    return r;
  r = open_container (g, id, true, &dirfd, &st, err);
  if (r < 0)
    return r;
  status = state_status (dirfd, &st);
  if (!st.cgroup)
    r = tong_err (err, 0,
                  "cannot %s container %s: it has no cgroup (created with "
                  "--cgroup-manager disabled, or on a host without cgroup v2)",
                  argv[0], id);
  else
    r = container_op_allowed (freeze ? OP_PAUSE : OP_RESUME, status, id, err);
  if (r == 0)
    r = cgroup_freeze (st.cgroup, freeze, err);
  state_clear (&st);
  return r;
}

int
cmd_pause (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  return freeze_command (g, argc, argv, true, err);
}

int
cmd_resume (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  return freeze_command (g, argc, argv, false, err);
}
