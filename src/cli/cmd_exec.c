/* tong exec [--process FILE | options] ID [COMMAND [ARG...]]: run one more
 * process in a container.  The process is the container's own (from the
 * config.json kept in its state directory) with args from the command line,
 * or a runtime-spec process object from --process; the flags override either. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "src/cli/commands.h"
#include "src/container/exec.h"
#include "src/process/lsm.h"
#include "src/process/process.h"
#include "src/self/guard.h"
#include "src/base/util.h"

enum
{
  OPT_CWD = 256,
  OPT_PID_FILE,
  OPT_CONSOLE_SOCKET,
  OPT_NO_NEW_PRIVS,
  OPT_APPARMOR,
  OPT_PROCESS_LABEL,
  OPT_PRESERVE_FDS,
  OPT_IGNORE_PAUSED,
};

static const struct option exec_options_table[] = {
  { "process", required_argument, NULL, 'p' },
  { "tty", no_argument, NULL, 't' },
  { "detach", no_argument, NULL, 'd' },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "env", required_argument, NULL, 'e' },
  { "cwd", required_argument, NULL, OPT_CWD },
  { "user", required_argument, NULL, 'u' },
  { "additional-gids", required_argument, NULL, 'g' },
  { "cap", required_argument, NULL, 'c' },
  { "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
  { "apparmor", required_argument, NULL, OPT_APPARMOR },
  { "process-label", required_argument, NULL, OPT_PROCESS_LABEL },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* The flags, as given; the lists point into argv. */
struct exec_flags
{
  const char *process_file;
  bool tty;
  const char **env, **caps;
  size_t env_len, caps_len;
  uint32_t *gids;
  size_t gids_len;
  const char *cwd;
  bool has_uid, has_gid;
  uint32_t uid, gid;
  bool no_new_privs;
  bool ignore_paused;
  const char *apparmor_profile, *process_label;
  struct exec_options o;
};

static void
exec_flags_free (struct exec_flags *f)
{
  free (f->env);
  free (f->caps);
  free (f->gids);
}

/* A uid or gid: a decimal number below 2^32 - 1 (which means "none"). */
static int
parse_id (const char *s, uint32_t *out)
{
  char *end;
  unsigned long long v;

  if (!*s || *s == '-' || *s == '+')
    return -EINVAL;
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno || *end || v >= UINT32_MAX)
    return -EINVAL;
  *out = (uint32_t) v;
  return 0;
}

static int
parse_user (struct exec_flags *f, const char *arg, tong_error *err)
{
  _cleanup_free_ char *uid = xstrdup (arg);
  char *gid = strchr (uid, ':');

  if (gid)
    *gid++ = '\0';
  if (parse_id (uid, &f->uid) < 0 || (gid && parse_id (gid, &f->gid) < 0))
    return tong_err (err, 0, "--user: \"%s\" is not UID[:GID] (numeric ids only)", arg);
  f->has_uid = true;
  f->has_gid = gid != NULL;
  return 0;
}

static int
parse_flags (int argc, char **argv, struct exec_flags *f, tong_error *err)
{
  uint32_t id;
  int c;

  f->env = xcalloc ((size_t) argc, sizeof *f->env);
  f->caps = xcalloc ((size_t) argc, sizeof *f->caps);
  f->gids = xcalloc ((size_t) argc, sizeof *f->gids);
  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+p:tde:u:g:c:h", exec_options_table, NULL)) != -1)
    {
      switch (c)
        {
        case 'p':
          f->process_file = optarg;
          break;
        case 't':
          f->tty = true;
          break;
        case 'd':
          f->o.detach = true;
          break;
        case OPT_PID_FILE:
          f->o.pid_file = optarg;
          break;
        case OPT_CONSOLE_SOCKET:
          f->o.console_socket = optarg;
          break;
        case 'e':
          if (!strchr (optarg, '=') || optarg[0] == '=')
            return tong_err (err, 0, "--env: \"%s\" is not KEY=VALUE", optarg);
          f->env[f->env_len++] = optarg;
          break;
        case OPT_CWD:
          if (optarg[0] != '/')
            return tong_err (err, 0, "--cwd: \"%s\" is not an absolute path", optarg);
          f->cwd = optarg;
          break;
        case 'u':
          if (parse_user (f, optarg, err) < 0)
            return -EINVAL;
          break;
        case 'g':
          if (parse_id (optarg, &id) < 0)
            return tong_err (err, 0, "--additional-gids: \"%s\" is not a numeric gid", optarg);
          f->gids[f->gids_len++] = id;
          break;
        case 'c':
          if (process_cap_from_name (optarg) < 0)
            return tong_err (err, 0,
                             "--cap: unknown capability \"%s\" (names are spelled like "
                             "\"CAP_NET_ADMIN\")",
                             optarg);
          f->caps[f->caps_len++] = optarg;
          break;
        case OPT_NO_NEW_PRIVS:
          f->no_new_privs = true;
          break;
        case OPT_APPARMOR:
          if (lsm_check_apparmor ("--apparmor", optarg, err) < 0)
            return -EINVAL;
          f->apparmor_profile = optarg;
          break;
        case OPT_PROCESS_LABEL:
          if (lsm_check_selinux ("--process-label", optarg, err) < 0)
            return -EINVAL;
          f->process_label = optarg;
          break;
        case OPT_PRESERVE_FDS:
          {
            char *end;
            long n;
            errno = 0;
            n = strtol (optarg, &end, 10);
            if (errno || *end || !*optarg || n < 0 || n > 65536)
              return tong_err (err, 0, "--preserve-fds: not a count of fds: \"%s\"", optarg);
            f->o.preserve_fds = (int) n;
            break;
          }
        case OPT_IGNORE_PAUSED:
          f->ignore_paused = true;
          break;
        case 'h':
          command_usage (argv[0]);
          exit (0);
        default:
          return tong_err (err, 0, "%s: unknown option `%s` (see tong %s --help)", argv[0],
                           argv[optind - 1], argv[0]);
        }
    }
  return 0;
}

/* The flags win over the process, from config.json or from --process (runc
 * ignores them with --process; applying them is what the caller asked for).
 * --cap adds a capability to every set. */
static void
apply_flags (const struct exec_flags *f, char **args, struct oci_process *p)
{
  if (args[0])
    {
      char **old = p->args;
      strvfreep (&old);
      p->args = NULL;
      for (size_t i = 0; args[i]; i++)
        strv_add (&p->args, args[i]);
    }
  if (f->tty)
    p->terminal = true;
  for (size_t i = 0; i < f->env_len; i++)
    process_env_set (p, f->env[i]);
  if (f->cwd)
    {
      free (p->cwd);
      p->cwd = xstrdup (f->cwd);
    }
  if (f->has_uid)
    p->user.uid = f->uid;
  if (f->has_gid)
    p->user.gid = f->gid;
  if (f->gids_len)
    {
      size_t n = p->user.additional_gids_len;
      p->user.additional_gids
          = xrealloc (p->user.additional_gids, (n + f->gids_len) * sizeof *f->gids);
      memcpy (p->user.additional_gids + n, f->gids, f->gids_len * sizeof *f->gids);
      p->user.additional_gids_len = n + f->gids_len;
    }
  if (f->caps_len && !p->capabilities)
    p->capabilities = xcalloc (1, sizeof *p->capabilities);
  for (size_t i = 0; i < f->caps_len; i++)
    {
      strv_add (&p->capabilities->bounding, f->caps[i]);
      strv_add (&p->capabilities->effective, f->caps[i]);
      strv_add (&p->capabilities->permitted, f->caps[i]);
      strv_add (&p->capabilities->inheritable, f->caps[i]);
      strv_add (&p->capabilities->ambient, f->caps[i]);
    }
  if (f->no_new_privs)
    p->no_new_privileges = true;
  if (f->apparmor_profile)
    {
      free (p->apparmor_profile);
      p->apparmor_profile = xstrdup (f->apparmor_profile);
    }
  if (f->process_label)
    {
      free (p->selinux_label);
      p->selinux_label = xstrdup (f->process_label);
    }
}

static int
check_process (const struct exec_flags *f, const struct oci_process *p, const char *source,
               tong_error *err)
{
  if (!p->args || !p->args[0] || !p->args[0][0])
    return tong_err (err, 0,
                     "exec: no command to run: give one after the container ID, or "
                     "--process FILE");
  if (!p->cwd || p->cwd[0] != '/')
    return tong_err (err, 0, "%s: process.cwd must be an absolute path", source);
  if (lsm_check_process (p, source, err) < 0)
    return -EINVAL;
  if (p->terminal && f->o.detach && !f->o.console_socket)
    return tong_err (err, 0,
                     "cannot allocate a terminal for a detached exec without "
                     "--console-socket to pass it to");
  if (f->o.console_socket && !(p->terminal && f->o.detach))
    return tong_err (err, 0,
                     "--console-socket needs both a terminal (-t, or process.terminal) "
                     "and --detach");
  return process_check_capabilities (p, err);
}

static int
load_process_file (const char *path, struct oci_process **out, tong_error *err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r;

  r = read_file_at (AT_FDCWD, path, &text, &len, err);
  if (r < 0)
    return tong_err_prefix (err, "--process");
  return oci_process_parse (text, len, path, out, err);
}

static int
run_exec (struct tong_globals *g, struct exec_flags *f, const char *id, char **args,
          tong_error *err)
{
  struct exec_target t;
  struct oci_process *from_file = NULL, *p = NULL;
  int r;

  /* Before anything is read: the copy starts afresh (src/self/guard.h). */
  r = protect_exe_ensure (err);
  if (r < 0)
    return r;
  r = exec_target_open (g, id, f->ignore_paused, &t, err);
  if (r < 0)
    return r;
  if (f->process_file)
    r = load_process_file (f->process_file, &from_file, err);
  p = from_file ? from_file : t.spec->process;
  if (r == 0 && !p)
    r = tong_err (err, 0, "container \"%s\" has no process in its config.json: use --process", id);
  if (r == 0 && p)
    {
      /* The container's own terminal belongs to its init: -t asks for a new one. */
      if (!from_file)
        p->terminal = false;
      apply_flags (f, args, p);
      r = check_process (f, p, f->process_file ? f->process_file : "config.json", err);
    }
  if (r == 0)
    r = exec_spawn (&t, p, &f->o, err);
  if (from_file)
    oci_process_free (from_file);
  exec_target_close (&t);
  return r;
}

int
cmd_exec (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  struct exec_flags f = { 0 };
  int r;

  r = parse_flags (argc, argv, &f, err);
  if (r < 0)
    goto out;
  if (optind >= argc)
    {
      r = tong_err (err, 0, "\"%s\" requires at least 1 argument: the container ID", argv[0]);
      goto out;
    }
  if (!f.process_file && optind + 1 >= argc)
    {
      r = tong_err (err, 0,
                    "exec: no command to run: give one after the container ID, or "
                    "--process FILE");
      goto out;
    }
  if (f.process_file && optind + 1 < argc)
    {
      r = tong_err (err, 0,
                    "exec: a command after the container ID cannot be combined with "
                    "--process (put the args in the process file)");
      goto out;
    }
  /* Before anything else opens an fd. */
  r = fds_preserve (f.o.preserve_fds, err);
  if (r == 0)
    r = run_exec (g, &f, argv[optind], argv + optind + 1, err);
out:
  exec_flags_free (&f);
  return r;
}
