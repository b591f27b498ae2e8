/* tong-shim: global flags, the command table, one error printed at the top. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/base/log.h"
#include "src/shim/db.h"
#include "src/shim/shim.h"
#include "src/shim/userns.h"
#include "src/base/util.h"

static const struct
{
  const char *name;
  shim_command_fn fn;
  const char *args;
  const char *summary;
  bool in_userns; /* rootless: run in the store's user namespace (it writes or reads the
                     image's files, owned by subordinate ids) */
} commands[] = {
  { "pull", cmd_pull,
    "[--insecure] [--platform OS/ARCH[/VARIANT]] [--creds USER:PASS] [--ca-file FILE] REF",
    "pull an image from a registry", true },
  { "load", cmd_load, "-i PATH [--tag NAME]",
    "load an image from an OCI layout (directory or tarball) or a docker-archive tarball", true },
  { "save", cmd_save, "-o PATH [--format oci-dir|oci-archive|docker-archive] IMAGE",
    "write an image to an OCI layout or a docker-archive tarball", false },
  { "images", cmd_images, "[--quiet] [--no-trunc]", "list the images in the store", false },
  { "inspect", cmd_inspect, "IMAGE|CONTAINER...",
    "print an image's or a container's details as JSON", false },
  { "rmi", cmd_rmi, "[--force] IMAGE...", "remove images (a tag, or the image with all its tags)",
    true },
  { "run", cmd_run, "[options] IMAGE [COMMAND [ARG...]]", "run a command in a new container",
    false },
  { "ps", cmd_ps, "[--all] [--quiet] [--no-trunc]", "list containers", false },
  { "logs", cmd_logs, "CONTAINER", "print the output of a detached container", false },
  { "stop", cmd_stop, "[--time SECS] CONTAINER...", "stop containers: SIGTERM, then SIGKILL",
    false },
  { "rm", cmd_rm, "[--force] CONTAINER...", "remove containers and everything they left behind",
    false },
  { "exec", cmd_exec, "[-it] [-e K=V]... [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]",
    "run a command in a running container", false },
  { "prune", cmd_prune, "", "remove unreferenced layers and blobs from the store", true },
  { "check", cmd_check, "",
    "verify every blob's digest and the layer directories against the metadata", true },
};

void
shim_command_usage (const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      printf ("Usage: tong-shim [global options] %s %s\n\n%s.\nSee tong-shim-%s(1).\n", name,
              commands[i].args, commands[i].summary, name);
}

int
shim_unknown_option (int argc, char **argv, tong_error *err)
{
  (void) argc;
  return tong_err (err, 0, "%s: unknown option `%s` (see tong-shim %s --help)", argv[0],
                   argv[optind - 1], argv[0]);
}

static void
usage (FILE *out)
{
  fprintf (out, "Usage: tong-shim [global options] COMMAND [options] [ARGS]\n\n"
                "Images and containers for tong.\n\nCommands:\n");
  for (size_t i = 0; i < ARRAY_SIZE (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\nGlobal options:\n"
           "  --root DIR              the image store (default /var/lib/tong;\n"
           "                          rootless: $XDG_DATA_HOME/tong)\n"
           "  --runroot DIR           state of running containers (default /run/tong-shim;\n"
           "                          rootless: $XDG_RUNTIME_DIR/tong-shim)\n"
           "  --runtime PATH          the tong binary to call (default: tong next to tong-shim,\n"
           "                          else tong in PATH)\n"
           "  --registries-conf FILE  registries configuration\n"
           "  --mount-program PROG    rootless: mount overlay roots with this FUSE program\n"
           "                          (default: the kernel's overlayfs; fuse-overlayfs where\n"
           "                          the kernel refuses it)\n"
           "  --debug                 log debug messages\n"
           "  --version, -v           print the version\n"
           "  --help, -h              print this help\n"
           "\nSee tong-shim(1) and tong-shim-COMMAND(1).\n");
}

enum
{
  OPT_ROOT = 256,
  OPT_RUNROOT,
  OPT_RUNTIME,
  OPT_REGISTRIES_CONF,
  OPT_MOUNT_PROGRAM,
  OPT_DEBUG,
};

static const struct option global_options[] = {
  { "root", required_argument, NULL, OPT_ROOT },
  { "runroot", required_argument, NULL, OPT_RUNROOT },
  { "runtime", required_argument, NULL, OPT_RUNTIME },
  { "registries-conf", required_argument, NULL, OPT_REGISTRIES_CONF },
  { "mount-program", required_argument, NULL, OPT_MOUNT_PROGRAM },
  { "debug", no_argument, NULL, OPT_DEBUG },
  { "version", no_argument, NULL, 'v' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* tong next to the running tong-shim, else tong from PATH. */
static const char *
default_runtime (void)
{
  static char buf[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", buf, sizeof buf - 16);
  char *slash;

  if (n > 0)
    {
      buf[n] = '\0';
      slash = strrchr (buf, '/');
      if (slash)
        {
          strcpy (slash + 1, "tong");
          if (access (buf, X_OK) == 0)
            return buf;
        }
    }
  return "tong";
}

static int
default_dirs (struct shim_globals *g, tong_error *err)
{
  static char root[PATH_MAX], runroot[PATH_MAX];
  const char *xdg;

  if (!g->root)
    {
      if (!g->rootless)
        g->root = "/var/lib/tong";
      else
        {
          xdg = getenv ("XDG_DATA_HOME");
          if (xdg && *xdg)
            snprintf (root, sizeof root, "%s/tong", xdg);
          else if (getenv ("HOME"))
            snprintf (root, sizeof root, "%s/.local/share/tong", getenv ("HOME"));
          else
            return tong_err (err, 0, "rootless: set XDG_DATA_HOME or HOME, or give --root");
          g->root = root;
        }
    }
  if (!g->runroot)
    {
      if (!g->rootless)
        g->runroot = "/run/tong-shim";
      else
        {
          xdg = getenv ("XDG_RUNTIME_DIR");
          if (!xdg || !*xdg)
            return tong_err (err, 0, "rootless: set XDG_RUNTIME_DIR or give --runroot");
          snprintf (runroot, sizeof runroot, "%s/tong-shim", xdg);
          g->runroot = runroot;
        }
    }
  if (!g->runtime)
    g->runtime = default_runtime ();
  return 0;
}

static int
parse_globals (struct shim_globals *g, int argc, char **argv, bool *debug, tong_error *err)
{
  int c;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+vh", global_options, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_ROOT:
          g->root = optarg;
          break;
        case OPT_RUNROOT:
          g->runroot = optarg;
          break;
        case OPT_RUNTIME:
          g->runtime = optarg;
          break;
        case OPT_REGISTRIES_CONF:
          g->registries_conf = optarg;
          break;
        case OPT_MOUNT_PROGRAM:
          g->mount_program = optarg;
          break;
        case OPT_DEBUG:
          *debug = true;
          break;
        case 'v':
          printf ("tong-shim version %s\ncommit: %s\n", PACKAGE_VERSION, TONG_COMMIT);
          exit (0);
        case 'h':
          usage (stdout);
          exit (0);
        default:
          return tong_err (err, 0, "unknown global option `%s` (see tong-shim --help)",
                           argv[optind - 1]);
        }
    }
  return 0;
}

int
shim_open (const struct shim_globals *g, struct shim *s, tong_error *err)
{
  _cleanup_free_ char *path = NULL;
  int r;

  memset (s, 0, sizeof *s);
  s->g = g;
  r = store_open (g->root, &s->store, err);
  if (r < 0)
    return r;
  path = xasprintf ("%s/metadata.db", g->root);
  r = db_open (path, &s->db, err);
  if (r < 0)
    store_close (&s->store);
  return r;
}

void
shim_close (struct shim *s)
{
  db_close (s->db);
  s->db = NULL;
  store_close (&s->store);
}

int
main (int argc, char **argv)
{
  struct shim_globals g = { 0 };
  tong_error err = { 0 };
  bool debug = false;
  const char *name;
  int r;

  umask (022);
  log_program = "tong-shim";
  g.rootless = geteuid () != 0;
  r = parse_globals (&g, argc, argv, &debug, &err);
  if (r == 0)
    r = log_init (NULL, false, debug, &err);
  if (r == 0)
    r = default_dirs (&g, &err);
  if (r < 0)
    {
      log_error_report (&err);
      return SHIM_EXIT_ERROR;
    }
  if (optind >= argc)
    {
      usage (stderr);
      return SHIM_EXIT_ERROR;
    }
  name = argv[optind];
  for (size_t i = 0; i < ARRAY_SIZE (commands); i++)
    {
      int first = optind;
      if (strcmp (commands[i].name, name) != 0)
        continue;
      optind = 0;
      r = 0;
      if (g.rootless && commands[i].in_userns)
        r = shim_userns_enter (&err);
      if (r == 0)
        r = commands[i].fn (&g, argc - first, argv + first, &err);
      if (r < 0)
        {
          log_error_report (&err);
          return SHIM_EXIT_ERROR;
        }
      return r;
    }
  tong_err (&err, 0, "unknown command `%s` (see tong-shim --help)", name);
  log_error_report (&err);
  return SHIM_EXIT_ERROR;
}
