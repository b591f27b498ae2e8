/* tong create [--bundle DIR] [--pid-file F] [--console-socket S] [--no-pivot]
 *             [--no-new-keyring] [--preserve-fds N] ID */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "src/cli/commands.h"
#include "src/container/container.h"
#include "src/base/util.h"

enum
{
  OPT_PID_FILE = 256,
  OPT_CONSOLE_SOCKET,
  OPT_NO_PIVOT,
  OPT_NO_NEW_KEYRING,
  OPT_PRESERVE_FDS,
  OPT_KEEP,
  OPT_NO_SUBREAPER,
  OPT_PIDFD_SOCKET,
};

static const struct option create_options_table[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
  { "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "detach", no_argument, NULL, 'd' },
  { "keep", no_argument, NULL, OPT_KEEP },
  { "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
command_id_arg (int argc, char **argv, const char **id, tong_error *err)
{
  if (argc - optind != 1)
    return tong_err (err, 0, "\"%s\" requires exactly 1 argument: the container ID", argv[0]);
  *id = argv[optind];
  return 0;
}

int
command_only_id (int argc, char **argv, const char **id, tong_error *err)
{
  static const struct option help_only[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+h", help_only, NULL)) != -1)
    {
      if (c == 'h')
        {
          command_usage (argv[0]);
          exit (0);
        }
      return tong_err (err, 0, "%s: unknown option `%s`", argv[0], argv[optind - 1]);
    }
  return command_id_arg (argc, argv, id, err);
}

int
create_flags_parse (int argc, char **argv, struct create_options *o, bool *detach, bool *keep,
                    tong_error *err)
{
  int c;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, detach ? "+b:dh" : "+b:h", create_options_table, NULL))
         != -1)
    {
      switch (c)
        {
        case 'b':
          o->bundle = optarg;
          break;
        case OPT_PID_FILE:
          o->pid_file = optarg;
          break;
        case OPT_CONSOLE_SOCKET:
          o->console_socket = optarg;
          break;
        case OPT_NO_PIVOT:
          o->no_pivot = true;
          break;
        case OPT_NO_NEW_KEYRING:
          o->no_new_keyring = true;
          break;
        case OPT_PRESERVE_FDS:
          {
            char *end;
            long n;
            errno = 0;
            n = strtol (optarg, &end, 10);
            if (errno || *end || n < 0 || n > 65536)
              return tong_err (err, 0, "--preserve-fds: not a count of fds: \"%s\"", optarg);
            o->preserve_fds = (int) n;
            break;
          }
        case 'd':
          if (!detach)
            goto unknown;
          *detach = true;
          break;
        case OPT_KEEP:
          if (!keep)
            goto unknown;
          *keep = true;
          break;
        case OPT_NO_SUBREAPER:
          if (!detach)
            goto unknown;
          /* tong run never makes itself a subreaper: accepted for runc compatibility. */
          break;
        case 'h':
          command_usage (argv[0]);
          exit (0);
        default:
        unknown:
          return tong_err (err, 0, "%s: unknown option `%s` (see tong %s --help)", argv[0],
                           argv[optind - 1], argv[0]);
        }
    }
  return command_id_arg (argc, argv, &o->id, err);
}

int
cmd_create (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  struct create_options o = { 0 };
  struct created_container cc;
  int r;

  r = create_flags_parse (argc, argv, &o, NULL, NULL, err);
  if (r < 0)
    return r;
  r = container_create (g, &o, &cc, err);
  if (r < 0)
    return r;
  if (cc.pidfd >= 0)
    close (cc.pidfd);
  oci_spec_free (cc.spec);
  return 0;
}
