/* tong delete [--force] ID */
#include <getopt.h>
#include <stdlib.h>

#include "src/cli/commands.h"
#include "src/container/container.h"

static const struct option delete_options[] = {
  { "force", no_argument, NULL, 'f' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_delete (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  bool force = false;
  const char *id;
  int c, r;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+fh", delete_options, NULL)) != -1)
    {
      switch (c)
        {
        case 'f':
          force = true;
          break;
        case 'h':
          command_usage (argv[0]);
          exit (0);
        default:
          return tong_err (err, 0, "delete: unknown option `%s`", argv[optind - 1]);
        }
    }
  r = command_id_arg (argc, argv, &id, err);
  if (r < 0)
    return r;
  return container_delete (g, id, force, NULL, err);
}
