/* tong state ID: the OCI state of a container as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "src/commands.h"
#include "src/container.h"
#include "src/util.h"

static const struct option state_options[] = {
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_state (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  _cleanup_free_ char *json = NULL;
  struct container_state st = { 0 };
  const char *id;
  int c, r;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+h", state_options, NULL)) != -1)
    {
      if (c == 'h')
        {
          command_usage (argv[0]);
          exit (0);
        }
      return tong_err (err, 0, "state: unknown option `%s`", argv[optind - 1]);
    }
  r = command_id_arg (argc, argv, &id, err);
  if (r < 0)
    return r;
  r = open_container (g, id, false, &dirfd, &st, err);
  if (r < 0)
    return r;
  json = state_to_json (&st, state_status (dirfd, &st), true);
  puts (json);
  state_clear (&st);
  return 0;
}
