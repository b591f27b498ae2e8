/* tong kill [--all] ID [SIGNAL] */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>

#include "src/cli/commands.h"
#include "src/container/container.h"
#include "src/base/util.h"

static const struct option kill_options[] = {
  { "all", no_argument, NULL, 'a' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_kill (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  bool all = false;
  int c, sig = SIGTERM;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+ah", kill_options, NULL)) != -1)
    {
      switch (c)
        {
        case 'a':
          all = true;
          break;
        case 'h':
          command_usage (argv[0]);
          exit (0);
        default:
          return tong_err (err, 0, "kill: unknown option `%s`", argv[optind - 1]);
        }
    }
  if (argc - optind < 1 || argc - optind > 2)
    return tong_err (err, 0, "\"kill\" requires 1 or 2 arguments: the container ID and a signal");
  if (argc - optind == 2)
    {
      sig = signal_parse (argv[optind + 1]);
      if (sig < 0)
        return tong_err (err, 0, "unknown signal \"%s\"", argv[optind + 1]);
    }
  return container_kill (g, argv[optind], sig, all, err);
}
