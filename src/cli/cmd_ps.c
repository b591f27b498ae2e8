/* tong ps [--format table|json] ID [-- PS-ARGS...]: the processes of a
 * container, from its cgroup (container_ps).  The table is the host's ps(1) output (with
 * PS-ARGS, default -ef) limited to the container's processes, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "src/cli/commands.h"
#include "src/container/cgroup-ops.h"
#include "src/base/util.h"

static const struct option ps_options[] = {
  { "format", required_argument, NULL, 'f' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static bool
pid_in (pid_t pid, const pid_t *pids, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

/* Run ps with args; print its header and the lines whose PID column is one of pids. */
static int
print_ps_table (char **args, int nargs, const pid_t *pids, size_t n, tong_error *err)
{
  _cleanup_fclose_ FILE *out = NULL;
  /* "ps", "-ef" or the args, and the NULL that ends them */
  _cleanup_free_ char **argv = xcalloc ((size_t) nargs + 3, sizeof *argv);
  _cleanup_free_ char *line = NULL;
  int fds[2], status, pid_col = -1;
  size_t cap = 0;
  pid_t child;

  argv[0] = (char *) "ps";
  if (nargs == 0)
    argv[1] = (char *) "-ef";
  for (int i = 0; i < nargs; i++)
    argv[i + 1] = args[i];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return tong_err (err, errno, "pipe");
  child = fork ();
  if (child < 0)
    return tong_err (err, errno, "fork");
  if (child == 0)
    {
      dup2 (fds[1], STDOUT_FILENO);
      execvp ("ps", argv);
      fprintf (stderr, "tong: exec ps: %s\n", strerror (errno));
      _exit (127);
    }
  close (fds[1]);
  out = fdopen (fds[0], "r");
  for (bool header = true; getline (&line, &cap, out) > 0; header = false)
    {
      char *copy = xstrdup (line), *tok, *save = NULL;
      int col = 0;
      bool show = header;
      for (tok = strtok_r (copy, " \t\n", &save); tok; tok = strtok_r (NULL, " \t\n", &save), col++)
        {
          if (header && strcmp (tok, "PID") == 0)
            pid_col = col;
          else if (!header && col == pid_col)
            show = pid_in ((pid_t) atoi (tok), pids, n);
        }
      free (copy);
      if (show)
        fputs (line, stdout);
    }
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (pid_col < 0)
    return tong_err (err, 0, "ps: its output has no PID column (ps %s)",
                     nargs ? "args must keep the PID column" : "-ef failed");
  return 0;
}

int
cmd_ps (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  const char *format = "table", *id;
  size_t n = 0;
  int c, r;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+f:h", ps_options, NULL)) != -1)
    {
      if (c == 'f')
        format = optarg;
      else if (c == 'h')
        {
          command_usage (argv[0]);
          exit (0);
        }
      else
        return tong_err (err, 0, "ps: unknown option `%s`", argv[optind - 1]);
    }
  if (strcmp (format, "table") && strcmp (format, "json"))
    return tong_err (err, 0, "ps: --format: unknown format \"%s\" (table or json)", format);
  if (optind >= argc)
    return tong_err (err, 0, "\"ps\" requires the container ID");
  id = argv[optind++];
  if (optind < argc && strcmp (argv[optind], "--") == 0)
    optind++;
  r = container_ps (g, id, &pids, &n, err);
  if (r == 0 && strcmp (format, "json") == 0)
    {
      fputc ('[', stdout);
      for (size_t i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", (int) pids[i]);
      fputs ("]\n", stdout);
    }
  else if (r == 0)
    r = print_ps_table (argv + optind, argc - optind, pids, n, err);
  return r;
}
