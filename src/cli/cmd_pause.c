/* tong pause ID / tong resume ID: freeze and thaw every process of a
 * container through its cgroup (container_pause). */
#include "src/cli/commands.h"
#include "src/container/cgroup-ops.h"

static int
freeze_command (struct tong_globals *g, int argc, char **argv, bool freeze, tong_error *err)
{
  const char *id;
  int r = command_only_id (argc, argv, &id, err);

  return r < 0 ? r : container_pause (g, id, freeze, err);
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
