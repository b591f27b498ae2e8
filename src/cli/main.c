/* tong: parse the global flags, pick the command, print an error once. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "src/base/log.h"
#include "src/self/guard.h"
#include "src/base/util.h"

#define OCI_RUNTIME_SPEC_VERSION "1.2.0"

static const struct
{
  const char *name;
  tong_command_fn fn;
  const char *args;
  const char *summary;
} commands[] = {
  { "create", cmd_create,
    "[--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--no-pivot] "
    "[--no-new-keyring] [--preserve-fds N] ID",
    "create a container, leaving its process waiting for `start`" },
  { "start", cmd_start, "ID", "start the process of a created container" },
  { "exec", cmd_exec, "[options] ID [COMMAND [ARG...]]", "run a process in a running container" },
  { "run", cmd_run, "[-d] [--keep] [--no-subreaper] [create flags] ID",
    "create and start a container, and wait for it" },
  { "state", cmd_state, "ID", "print the state of a container as JSON" },
  { "kill", cmd_kill, "[--all] ID [SIGNAL]", "send a signal (default SIGTERM) to a container" },
  { "delete", cmd_delete, "[--force] ID", "delete a container and its state" },
  { "pause", cmd_pause, "ID", "freeze every process of a container" },
  { "resume", cmd_resume, "ID", "thaw a paused container" },
  { "ps", cmd_ps, "[--format table|json] ID [-- PS-ARGS...]", "list the processes of a container" },
  { "update", cmd_update,
    "[--resources FILE|-] [--memory N] [--memory-swap N] "
    "[--memory-reservation N] [--cpu-shares N] [--cpu-quota N] "
    "[--cpu-period N] [--cpuset-cpus L] [--cpuset-mems L] "
    "[--pids-limit N] [--blkio-weight N] ID",
    "change the cgroup limits of a container" },
  { "events", cmd_events, "[--stats] [--interval DURATION] ID",
    "print a container's resource usage and OOM events as JSON" },
  { "list", cmd_list, "[--format table|json] [--quiet]", "list containers" },
  { "spec", cmd_spec, "[--bundle DIR] [--rootless]", "write a default config.json" },
  { "features", cmd_features, "", "print the features this runtime implements as JSON" },
};

void
command_usage (const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      printf ("Usage: tong [global options] %s %s\n\n%s.\nSee tong-%s(8).\n", name,
              commands[i].args, commands[i].summary, name);
}

static void
usage (FILE *out)
{
  fprintf (out, "Usage: tong [global options] COMMAND [options] [ID]\n\n"
                "An OCI container runtime.\n\nCommands:\n");
  for (size_t i = 0; i < ARRAY_SIZE (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nGlobal options:\n"
                "  --root DIR              state directory (default /run/tong)\n"
                "  --log FILE              write log records to FILE\n"
                "  --log-format text|json  format of the log records (default text)\n"
                "  --debug                 log debug messages\n"
                "  --systemd-cgroup        use the systemd cgroup driver\n"
                "  --cgroup-manager M      cgroupfs, systemd or disabled\n"
                "  --version, -v           print the version\n"
                "  --help, -h              print this help\n"
                "\nSee tong(8) and tong-COMMAND(8).\n");
}

/* crun's layout, which podman shows in `podman info`: the last line names
 * what this build can do (no +SYSTEMD until there is a systemd cgroup
 * driver, no +CRIU without checkpoint/restore). */
static void
print_version (void)
{
  printf (
      "tong version %s\ncommit: %s\nspec: %s\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +YAJL\n",
      PACKAGE_VERSION, TONG_COMMIT, OCI_RUNTIME_SPEC_VERSION);
}

enum
{
  OPT_ROOT = 256,
  OPT_LOG,
  OPT_LOG_FORMAT,
  OPT_DEBUG,
  OPT_SYSTEMD_CGROUP,
  OPT_CGROUP_MANAGER,
  OPT_ROOTLESS,
  OPT_CRIU,
};

static const struct option global_options[] = {
  { "root", required_argument, NULL, OPT_ROOT },
  { "log", required_argument, NULL, OPT_LOG },
  { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
  { "debug", no_argument, NULL, OPT_DEBUG },
  { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
  { "cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER },
  { "rootless", required_argument, NULL, OPT_ROOTLESS },
  { "criu", required_argument, NULL, OPT_CRIU },
  { "version", no_argument, NULL, 'v' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static int
parse_globals (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  const char *log_format = "text";
  int c;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+vh", global_options, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_ROOT:
          g->root = optarg;
          break;
        case OPT_LOG:
          g->log = optarg;
          break;
        case OPT_LOG_FORMAT:
          log_format = optarg;
          break;
        case OPT_DEBUG:
          g->debug = true;
          break;
        case OPT_SYSTEMD_CGROUP:
          g->systemd_cgroup = true;
          g->cgroup_manager = "systemd";
          break;
        case OPT_CGROUP_MANAGER:
          if (strcmp (optarg, "cgroupfs") && strcmp (optarg, "systemd")
              && strcmp (optarg, "disabled"))
            return tong_err (
                err, 0, "--cgroup-manager: unknown manager \"%s\" (cgroupfs, systemd or disabled)",
                optarg);
          g->cgroup_manager = optarg;
          g->systemd_cgroup = strcmp (optarg, "systemd") == 0;
          break;
        case OPT_ROOTLESS:
        case OPT_CRIU:
          /* Accepted for runc compatibility; rootless mode follows the effective uid. */
          break;
        case 'v':
          print_version ();
          exit (0);
        case 'h':
          usage (stdout);
          exit (0);
        default:
          return tong_err (err, 0, "unknown global option `%s` (see tong --help)",
                           argv[optind - 1]);
        }
    }
  if (strcmp (log_format, "json") == 0)
    g->log_json = true;
  else if (strcmp (log_format, "text") != 0)
    return tong_err (err, 0, "--log-format: unknown format \"%s\" (text or json)", log_format);
  return 0;
}

int
main (int argc, char **argv)
{
  struct tong_globals g = { .root = NULL, .cgroup_manager = "cgroupfs" };
  tong_error err = { 0 };
  const char *name;
  int r;

  protect_exe_remember_start (argv);
  g.rootless = geteuid () != 0;
  r = parse_globals (&g, argc, argv, &err);
  if (r == 0)
    r = log_init (g.log, g.log_json, g.debug, &err);
  if (r < 0)
    {
      log_error_report (&err);
      return 1;
    }
  if (!g.root)
    {
      const char *xdg = getenv ("XDG_RUNTIME_DIR");
      static char buf[4096];
      if (g.rootless && xdg && *xdg)
        {
          str_format (buf, sizeof buf, "%s/tong", xdg);
          g.root = buf;
        }
      else
        g.root = "/run/tong";
    }
  if (optind >= argc)
    {
      usage (stderr);
      return 1;
    }
  name = argv[optind];
  for (size_t i = 0; i < ARRAY_SIZE (commands); i++)
    {
      int first = optind;
      if (strcmp (commands[i].name, name) != 0)
        continue;
      optind = 0; /* make getopt start afresh on the command's own flags */
      r = commands[i].fn (&g, argc - first, argv + first, &err);
      if (r < 0)
        {
          log_error_report (&err);
          return 1;
        }
      log_flush ();
      return r;
    }
  tong_err (&err, 0, "unknown command `%s` (see tong --help)", name);
  log_error_report (&err);
  return 1;
}
