/* tong start ID */

#include "src/cli/commands.h"
#include "src/container/container.h"

int
cmd_start (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  const char *id;
  int r;

  r = command_only_id (argc, argv, &id, err);
  if (r < 0)
    return r;
  return container_start (g, id, NULL, err);
}
