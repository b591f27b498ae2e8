/* tong start ID */
#include <getopt.h>
#include <stdlib.h>

#include "src/commands.h"
#include "src/container.h"

static const struct option start_options[] = {
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_start (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  const char *id;
  int c, r;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+h", start_options, NULL)) != -1)
    {
      if (c == 'h')
        {
          command_usage (argv[0]);
          exit (0);
        }
      return tong_err (err, 0, "start: unknown option `%s`", argv[optind - 1]);
    }
  r = command_id_arg (argc, argv, &id, err);
  if (r < 0)
    return r;
  return container_start (g, id, err);
}
