/* tong state ID: the OCI state of a container as JSON. */
#include "src/cli/commands.h"
#include "src/container/container.h"
#include "src/base/util.h"

int
cmd_state (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  _cleanup_free_ char *json = NULL;
  struct container_state st = { 0 };
  const char *id;
  int r;

  r = command_only_id (argc, argv, &id, err);
  if (r < 0)
    return r;
  r = open_container (g, id, false, &dirfd, &st, err);
  if (r < 0)
    return r;
  json = state_to_json (&st, state_status (dirfd, &st), true);
  state_clear (&st);
  r = out_puts (json);
  if (r == 0)
    r = out_puts ("\n");
  if (r < 0)
    return tong_err (err, r, "state: write to standard output");
  return 0;
}
