/* create: spawn the container's init with clone3, set it up step by step in
 * lock-step with the runtime over a socketpair, and leave it blocked on
 * exec.fifo until `start`. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "oci/config.h"
#include "src/cgroups/driver.h"
#include "src/cgroups/limits.h"
#include "src/process/console.h"
#include "src/container/create-plan.h"
#include "src/container/hooks.h"
#include "src/container/launch.h"
#include "src/base/log.h"
#include "src/process/lsm.h"
#include "src/namespaces/idmap.h"
#include "src/namespaces/namespaces.h"
#include "src/namespaces/rootfs.h"
#include "src/namespaces/rootless.h"
#include "src/netns/annotations.h"
#include "src/netns/loopback.h"
#include "src/netns/net.h"
#include "src/process/process.h"
#include "src/self/guard.h"
#include "src/seccomp/filter.h"
#include "src/container/sync.h"
#include "src/base/spawn.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"
#include "src/self/twin.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

/* Everything the init needs, prepared by the runtime before clone3. */
struct init_ctx
{
  const struct oci_spec *spec;
  const struct create_options *opts;
  struct rootfs_ctx rootfs;
  int sync_fd;
  int fifo_fd;
  int *ns_fds;
  struct create_plan plan;      /* the namespaces, what is deferred, the fds kept */
  struct container_state state; /* for the hooks the init runs; pid set at SYNC_GO */
  /* linux.seccomp (NULL: none): compiled by the runtime, the plan made by
   * the init before pivot_root */
  const struct seccomp_program *seccomp_program;
  struct seccomp_plan *seccomp;
  struct lsm_attrs lsm; /* opened by the init before it joins anything */
  /* The runtime's state fds and its end of the sync socket: the init
   * closes its copies, so that the flock on the state dir goes with the
   * runtime, and so that the runtime's death closes the socket, which the
   * init reads before it has PR_SET_PDEATHSIG. */
  int runtime_fds[3];
};

/* The init gets a clean signal state: nothing blocked, nothing ignored. */
static void
reset_signals (void)
{
  sigset_t all;
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      signal (s, SIG_DFL);
}

static int
init_setup (struct init_ctx *c, tong_error *err)
{
  const struct oci_process *p = c->spec->process;
  struct sync_msg m;
  int fd = -1, r, master = -1;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  r = sync_recv (c->sync_fd, &m, &fd);
  if (r != SYNC_GO)
    return tong_err (err, r < 0 ? -r : EPIPE, "init: waiting for the runtime");
  c->state.pid = m.value;
  if (c->plan.defer_hide)
    protect_exe_hide_runtime ();

  if (c->plan.new_userns)
    {
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return tong_err (err, errno,
                         "become root in the user namespace (is container uid 0 mapped?)");
    }
  /* While /proc is the runtime's: a namespace joined by path, and the
   * rootfs after pivot_root, are the container's. */
  r = lsm_open_attrs (p, !c->opts->no_new_keyring, &c->lsm, err);
  if (r < 0)
    return r;
  r = ns_join (c->ns_fds, c->plan.ns_skip, err);
  if (r < 0)
    return r;
  if (c->plan.unshare_flags && unshare ((int) c->plan.unshare_flags) < 0)
    return tong_err (err, errno, "unshare namespaces");
  if (c->plan.new_timens)
    {
      if (unshare (CLONE_NEWTIME) < 0)
        return tong_err (err, errno, "create time namespace");
      r = ns_write_time_offsets (0, c->spec, err);
      if (r < 0)
        return r;
    }
  if (!c->opts->no_new_keyring)
    {
      r = lsm_set_key_label (&c->lsm, p->selinux_label, err);
      if (r < 0)
        return r;
      /* A fresh session keyring, so that keys of the host's session are not shared. */
      if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS
          && errno != EPERM && errno != EACCES && errno != EDQUOT)
        return tong_err (err, errno, "join a new session keyring");
    }

  /* Before the rootfs: listenerPath is a path on the host. */
  if (c->spec->linux_->seccomp)
    {
      r = seccomp_prepare (c->spec->linux_->seccomp, c->seccomp_program, &c->seccomp, err);
      if (r < 0)
        return r;
    }
  if (c->plan.new_netns)
    {
      r = netns_loopback_up (err);
      if (r < 0)
        return r;
    }
  r = rootfs_setup (&c->rootfs, err);
  if (r < 0)
    return r;
  if (c->spec->hooks && c->spec->hooks->create_container.len)
    {
      _cleanup_free_ char *json = state_to_json (&c->state, STATUS_CREATING, false);
      r = hooks_run (&c->spec->hooks->create_container, "createContainer", json, err);
      if (r < 0)
        return r;
    }
  r = rootfs_finish (&c->rootfs, err);
  if (r < 0)
    return r;
  r = ns_set_uts (c->spec, err);
  if (r < 0)
    return r;

  if (p->terminal)
    {
      r = console_setup_in_container (p, &master, err);
      if (r == 0)
        r = sync_pass_fd (c->sync_fd, SYNC_CONSOLE, master, "the terminal", err);
      if (r < 0)
        return r;
    }
  r = process_prepare (c->spec->process, c->spec->linux_->personality, err);
  if (r < 0)
    return r;
  /* From here on the init outlives `tong create`. */
  prctl (PR_SET_PDEATHSIG, 0);
  r = sync_send (c->sync_fd, SYNC_READY, NULL, -1);
  if (r < 0)
    return tong_err (err, -r, "report ready to the runtime");
  return 0;
}

/* The startContainer hooks, run by the init as the last step before the
 * execve: with the container process's user, capabilities,
 * noNewPrivileges, rlimits and seccomp filter, as runc and crun run them.
 * A hook is a program of the container's; before that point it would hold
 * the runtime's privileges. */
struct start_hooks
{
  const struct oci_hook_list *hooks;
  const char *state_json;
};

static int
run_start_hooks (void *arg, tong_error *err)
{
  const struct start_hooks *sh = arg;
  return hooks_run (sh->hooks, "startContainer", sh->state_json, err);
}

/* The container's init: set up, wait for `start`, exec.  Never returns. */
static int __attribute__ ((noreturn)) init_main (struct init_ctx *c)
{
  tong_error err = { 0 };
  char byte;
  ssize_t n;
  int r;

  /* Before anything else: this process is visible in the container (CVE-2019-5736). */
  if (!c->plan.defer_hide)
    protect_exe_hide_runtime ();
  reset_signals ();
  for (size_t i = 0; i < ARRAY_SIZE (c->runtime_fds); i++)
    if (c->runtime_fds[i] >= 0)
      close (c->runtime_fds[i]);
  r = init_setup (c, &err);
  if (r < 0)
    {
      sync_send (c->sync_fd, SYNC_ERROR, &err, -1);
      _exit (1);
    }
  if (c->fifo_fd >= 0)
    {
      close (c->sync_fd);
      /* Wait for `start`: it writes one byte into exec.fifo. */
      do
        n = read (c->fifo_fd, &byte, 1);
      while (n < 0 && errno == EINTR);
      /* fifo_fd stays open until execve closes it: `start` waits for that. */
      if (n != 1)
        _exit (1);
    }
  else
    {
      struct sync_msg m;
      int fd = -1;
      /* `run`: released over the socket, which stays open until execve
       * closes it (close-on-exec): container_release waits for that. */
      if (sync_recv (c->sync_fd, &m, &fd) != SYNC_START)
        _exit (1);
    }

  fds_cloexec_from (c->plan.first_closed_fd);
  {
    bool hooks = c->spec->hooks && c->spec->hooks->start_container.len;
    _cleanup_free_ char *json
        = c->seccomp || hooks ? state_to_json (&c->state, STATUS_CREATED, false) : NULL;
    struct start_hooks sh
        = { .hooks = hooks ? &c->spec->hooks->start_container : NULL, .state_json = json };
    const struct launch_step last = { .run = run_start_hooks, .arg = &sh };

    launch_process (c->spec->process, &c->lsm, c->seccomp, json, hooks ? &last : NULL, &err);
  }
  fprintf (stderr, "tong: %s\n", err.msg);
  _exit (127);
}

/* LISTEN_FDS from the caller (socket activation) is passed on as runc does. */
static int
listen_fds_count (void)
{
  const char *s = getenv ("LISTEN_FDS"), *for_pid = getenv ("LISTEN_PID");
  char *end;
  long n;

  /* As sd_listen_fds: the fds are ours only if LISTEN_PID names us. */
  if (!s || !*s || !for_pid || strtol (for_pid, NULL, 10) != (long) getpid ())
    return 0;
  errno = 0;
  n = strtol (s, &end, 10);
  if (errno || *end || n < 0 || n > 1024)
    return 0;
  return (int) n;
}

static void
process_env_add (struct oci_process *p, const char *kv)
{
  size_t n = 0, klen = strchr (kv, '=') - kv;
  for (; p->env && p->env[n]; n++)
    if (strncmp (p->env[n], kv, klen + 1) == 0)
      {
        free (p->env[n]);
        p->env[n] = xstrdup (kv);
        return;
      }
  p->env = xrealloc (p->env, (n + 2) * sizeof *p->env);
  p->env[n] = xstrdup (kv);
  p->env[n + 1] = NULL;
}

static int
resolve_rootfs (const char *bundle, const struct oci_spec *spec, char **out, tong_error *err)
{
  _cleanup_free_ char *joined = NULL;
  char real[PATH_MAX];
  struct stat st;

  joined = spec->root->path[0] == '/' ? xstrdup (spec->root->path)
                                      : xasprintf ("%s/%s", bundle, spec->root->path);
  if (!realpath (joined, real))
    return tong_err (err, errno, "rootfs `%s` (root.path in config.json)", joined);
  if (stat (real, &st) < 0 || !S_ISDIR (st.st_mode))
    return tong_err (err, ENOTDIR, "rootfs `%s` (root.path in config.json)", joined);
  *out = xstrdup (real);
  return 0;
}

static int
write_pid_file (const char *path, pid_t pid, tong_error *err)
{
  char buf[32];
  int n = str_format (buf, sizeof buf, "%d", (int) pid);
  int r = write_file_replace_at (AT_FDCWD, path, buf, (size_t) n, 0644, err);
  return r < 0 ? tong_err_prefix (err, "--pid-file") : 0;
}

static int
parent_wait_ready (int sync_fd, bool terminal, int *master, tong_error *err)
{
  struct sync_msg m;
  int fd, r;

  for (;;)
    {
      r = sync_recv (sync_fd, &m, &fd);
      switch (r)
        {
        case SYNC_CONSOLE:
          if (fd < 0)
            return tong_err (err, EPROTO, "init sent no terminal");
          if (*master >= 0)
            close (*master);
          *master = fd;
          break;
        case SYNC_READY:
          if (terminal && *master < 0)
            return tong_err (err, EPROTO, "init sent no terminal");
          return 0;
        case SYNC_ERROR:
          err->errnum = m.errnum > 0 ? m.errnum : EINVAL;
          str_format (err->msg, sizeof err->msg, "%s", m.text);
          return -err->errnum;
        case 0:
          return tong_err (err, EPIPE, "container init exited during setup");
        default:
          if (fd >= 0)
            close (fd);
          return tong_err (err, r < 0 ? -r : EPROTO, "read from container init");
        }
    }
}

/* SYNC_GO: the init goes on with its setup, knowing its pid as the runtime sees it. */
static int
release_init (int sync_fd, pid_t pid, tong_error *err)
{
  int r = sync_send_value (sync_fd, SYNC_GO, pid);
  return r < 0 ? tong_err (err, -r, "release the container init") : 0;
}

/* config.json, then state.json: a reader finds the container by the latter.
 * config.json needs no temporary name and rename: nothing reads it before
 * state.json exists. */
static int
write_state_files (int dirfd, const char *config_text, size_t config_len,
                   const struct container_state *st, tong_error *err)
{
  int r = write_file_new_at (dirfd, STATE_CONFIG, config_text, config_len, 0600, err);
  return r < 0 ? r : state_write (dirfd, st, err);
}

static int
spawn_init (struct init_ctx *c, int pid_join_fd, int cgroup_fd, int *pidfd, pid_t *pid,
            tong_error *err)
{
  struct clone_args args = { 0 };
  unsigned long flags = c->plan.clone_flags;
  _cleanup_close_ int saved_pidns = -1;
  pid_t child;

  if (pid_join_fd >= 0)
    {
      saved_pidns = open ("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
      if (saved_pidns < 0)
        return tong_err (err, errno, "open /proc/self/ns/pid_for_children");
      if (setns (pid_join_fd, CLONE_NEWPID) < 0)
        return tong_err (err, errno, "join the pid namespace");
    }
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = (uint64_t) (uintptr_t) pidfd;
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0)
    {
      /* Born in its cgroup: never a moment outside it. */
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (uint64_t) cgroup_fd;
    }
  child = spawn_clone (&args);
  if (child < 0)
    return tong_err (err, errno, "clone the container init%s",
                     cgroup_fd >= 0 ? " into its cgroup" : "");
  if (child == 0)
    init_main (c);
  if (saved_pidns >= 0 && setns (saved_pidns, CLONE_NEWPID) < 0)
    {
      kill (child, SIGKILL);
      waitpid (child, NULL, 0);
      return tong_err (err, errno, "return to the runtime's pid namespace");
    }
  *pid = child;
  return 0;
}

/* A user without a cgroup of its own to write to runs containers without
 * one: said once per state directory (the first time), not at every create. */
static void
say_no_cgroup_once (const char *root, const char *why)
{
  _cleanup_free_ char *mark = xasprintf ("%s/.no-cgroup-said", root);
  int fd = open (mark, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return;
  close (fd);
  log_warning ("containers run without a cgroup: %s. Without one they have no limits, and "
               "`pause`, `ps` and `kill --all` cannot work; to have one, run tong in a cgroup "
               "v2 subtree delegated to you (e.g. `systemd-run --user --scope -p Delegate=yes`). "
               "Said once: remove %s to see it again",
               why, mark);
}

/* Where the container's cgroup will be, decided before anything is made so
 * that it can be recorded first (cg->path, and cg->unit for the systemd
 * driver), or none (--cgroup-manager disabled, no cgroup v2). */
static int
plan_cgroup (const struct cgroup_config *cc, const struct cgroup_limits *limits,
             struct cgroup_handle *cg, tong_error *err)
{
  if (!cg->driver)
    return cgroup_plan_empty (&limits->plan)
               ? 0
               : tong_err (err, 0, "%s: a limit needs a cgroup, and --cgroup-manager is disabled",
                           limits->plan.writes[0].field);
  return cg->driver->plan (cc, cg, err);
}

/* Make the cgroup plan_cgroup chose; cg is the one made, or holds none:
 * cgroups disabled, no v2 hierarchy, or a user who may not create one there
 * (then the container runs without, said once; a spec that asks for limits
 * fails instead).  The limits are in place before the init is born into it. */
static int
setup_cgroup (struct tong_globals *g, const struct cgroup_config *cc, struct cgroup_limits *limits,
              struct cgroup_handle *cg, int *fd, tong_error *err)
{
  bool need = !cgroup_plan_empty (&limits->plan);
  int r;

  if (!cg->driver || (!cg->path && !cg->unit))
    return 0;
  *fd = cg->driver->create (cc, cg, err);
  if (*fd < 0 && g->rootless && !need
      && (err->errnum == EACCES || err->errnum == EPERM || err->errnum == EROFS))
    {
      say_no_cgroup_once (g->root, err->msg);
      cgroup_handle_clear (cg);
      *fd = -1;
      return 0;
    }
  if (*fd < 0 && g->rootless)
    return tong_err_prefix (err,
                            "%s: a limit needs a cgroup the user may write to (cgroup v2 "
                            "delegation: run tong in a cgroup delegated to you, e.g. under "
                            "`systemd-run --user --scope -p Delegate=yes`)",
                            limits->plan.writes[0].field);
  if (*fd < 0)
    return *fd;
  /* An unprivileged user may not load a device filter: the kernel's own
   * checks on device nodes stand (as runc does rootless). */
  if (g->rootless)
    devices_program_free (&limits->devices);
  r = cg->driver->apply (cg, limits, err);
  if (r < 0)
    {
      tong_error ignored;
      close (*fd);
      *fd = -1;
      cg->driver->settle (cg);
      cg->driver->destroy (cg, &ignored);
      cgroup_handle_clear (cg);
    }
  return r;
}

/* A step of a failed create's undoing that failed in turn: a warning, so
 * that what is left behind is named. */
static void
undo_warn (const char *id, int r, const tong_error *e)
{
  if (r < 0)
    log_warning ("create %s: undoing it: %s", id, e->msg);
}

int
container_create (struct tong_globals *g, const struct create_options *o,
                  struct created_container *out, tong_error *err)
{
  _cleanup_oci_spec_ struct oci_spec *spec = NULL;
  _cleanup_free_ char *bundle = NULL, *rootfs = NULL, *config_text = NULL, *config_path = NULL;
  _cleanup_free_ char *hook_state = NULL;
  _cleanup_close_ int rootfd = -1, dirfd = -1, fifo_fd = -1, pidfd = -1, master = -1;
  _cleanup_close_ int cgroup_fd = -1;
  _cleanup_idmap_trees_ struct idmap_trees idmap_trees = { 0 };
  _cleanup_cgroup_limits_ struct cgroup_limits limits = { 0 };
  _cleanup_rootfs_plan_ struct rootfs_plan rootfs_plan = { 0 };
  _cleanup_cgroup_handle_ struct cgroup_handle cg = { 0 };
  __attribute__ ((cleanup (seccomp_program_freep))) struct seccomp_program *seccomp_program = NULL;
  int sync_fds[2] = { -1, -1 };
  int ns_fds[OCI_NS_COUNT];
  struct container_state st = { 0 };
  struct init_ctx c = { .lsm = LSM_ATTRS_NONE };
  char real[PATH_MAX], created[64];
  size_t config_len;
  struct create_facts facts = { 0 };
  tong_error undo = { 0 };
  bool dir_made = false, cgroup_made = false, auto_userns, in_userns;
  pid_t pid = -1;
  int r;

  for (int i = 0; i < OCI_NS_COUNT; i++)
    ns_fds[i] = -1;
  out->pid = -1;
  out->pidfd = -1;
  out->console_master = -1;
  out->spec = NULL;
  out->sync_fd = -1;

  cg.driver = cgroup_driver_get (cgroup_driver_for_manager (g->cgroup_manager));
  cg.id = o->id;
  if (built_with_musl () && cg.driver && cg.driver->hand_over)
    return twin_hand_over (cg.driver->hand_over, err);
  /* Before anything is read, created or logged: the copy starts afresh. */
  r = protect_exe_ensure (err);
  if (r < 0)
    return r;
  if (!container_id_valid (o->id))
    return tong_err (err, 0, "invalid container id \"%s\": use letters, digits and _+-.", o->id);
  if (!realpath (o->bundle ? o->bundle : ".", real))
    return tong_err (err, errno, "bundle `%s`", o->bundle ? o->bundle : ".");
  bundle = xstrdup (real);
  config_path = xasprintf ("%s/config.json", bundle);
  r = read_file_at (AT_FDCWD, config_path, &config_text, &config_len, err);
  if (r < 0)
    return r;
  r = oci_spec_parse (config_text, config_len, OCI_PARSE_FOR_CREATE, &spec, err);
  if (r < 0)
    return r;
  if (built_with_musl () && net_setup_needs_libraries (&spec->annotations))
    return twin_hand_over ("bridge networking (org.tong.net.mode=bridge)", err);
  r = rootless_add_user_namespace (spec, &auto_userns, err);
  if (r < 0)
    return r;
  /* Root in a user namespace (tong-shim's, rootless, with a FUSE root) has
   * no more right over the host's cgroups and devices than its user. */
  in_userns = geteuid () == 0 && in_user_namespace ();
  if (in_userns)
    g->rootless = true;
  r = spec_check_supported (spec, err);
  if (r == 0)
    r = process_check_capabilities (spec->process, err);
  /* Every mount decided here: a wrong one fails before anything is made. */
  if (r == 0)
    r = rootfs_plan_build (spec, in_userns || oci_spec_namespace (spec, OCI_NS_USER) != NULL,
                           &rootfs_plan, err);
  if (r == 0)
    {
      r = cgroup_limits_prepare (spec->linux_->resources, spec->linux_->devices,
                                 spec->linux_->devices_len, &limits, err);
      if (r < 0)
        tong_err_prefix (err, "config.json");
    }
  if (r < 0)
    return r;
  if (spec->process->terminal && !o->console_socket && !o->foreground)
    return tong_err (err, 0,
                     "process.terminal is true, but --console-socket was not given: "
                     "a detached container needs a socket to pass its terminal to");
  if (!spec->process->terminal && o->console_socket)
    return tong_err (err, 0, "--console-socket was given, but process.terminal is false");
  r = resolve_rootfs (bundle, spec, &rootfs, err);
  if (r < 0)
    return r;

  facts.in_userns = in_userns;
  facts.preserve_fds = o->preserve_fds;
  facts.listen_fds = listen_fds_count ();
  if (listen_fds_count () > 0)
    {
      char kv[32];
      str_format (kv, sizeof kv, "LISTEN_FDS=%d", listen_fds_count ());
      process_env_add (spec->process, kv);
      process_env_add (spec->process, "LISTEN_PID=1");
    }
  r = fds_preserve (facts.preserve_fds + facts.listen_fds, err);
  if (r < 0)
    return r;

  rootfd = state_root_open (g->root, true, err);
  if (rootfd < 0)
    return rootfd;
  r = state_dir_create (rootfd, o->id, &dirfd, err);
  if (r < 0)
    return r;
  dir_made = true;

  /* `run` starts the init itself, over the sync socket: no exec.fifo, one
   * inode fewer (on a disk-backed --root, the costly part of a state write). */
  if (!o->run && mkfifoat (dirfd, STATE_FIFO, 0600) < 0)
    {
      r = tong_err (err, errno, "create exec.fifo");
      goto fail;
    }
  /* Opened read-write, the init can block in read() until `start` writes. */
  if (!o->run && (fifo_fd = openat (dirfd, STATE_FIFO, O_RDWR | O_CLOEXEC)) < 0)
    {
      r = tong_err (err, errno, "open exec.fifo");
      goto fail;
    }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync_fds) < 0)
    {
      r = tong_err (err, errno, "socketpair");
      goto fail;
    }
  r = ns_open_paths (spec, ns_fds, err);
  if (r < 0)
    goto fail;
  for (int i = 0; i < OCI_NS_COUNT; i++)
    facts.joined[i] = ns_fds[i] >= 0;
  create_plan_make (spec, &facts, &c.plan);
  /* Idmapping a mount needs privilege over its filesystem, which the init,
   * born in the container's user namespace, does not have. */
  r = idmap_trees_open (spec, bundle, &idmap_trees, err);
  if (r < 0)
    goto fail;

  rfc3339_now (created, sizeof created);
  st.id = (char *) o->id;
  st.bundle = bundle;
  st.rootfs = rootfs;
  st.created = created;
  st.owner = geteuid ();
  st.annotations = spec->annotations;
  st.new_pid_ns = oci_spec_namespace (spec, OCI_NS_PID) != NULL;

  c.spec = spec;
  c.opts = o;
  c.rootfs.spec = spec;
  c.rootfs.plan = &rootfs_plan;
  c.rootfs.rootfs = rootfs;
  c.rootfs.bundle = bundle;
  c.rootfs.no_pivot = o->no_pivot;
  c.rootfs.idmap_trees = idmap_trees.fds;
  c.sync_fd = sync_fds[1];
  c.fifo_fd = fifo_fd;
  c.ns_fds = ns_fds;
  c.runtime_fds[0] = rootfd;
  c.runtime_fds[1] = dirfd;
  c.runtime_fds[2] = sync_fds[0];
  c.state = st;

  /* The filter is compiled here, from the host's libseccomp, or found in
   * the state root's cache; the init loads it. */
  if (spec->linux_->seccomp
      && (r = seccomp_program_get (spec->linux_->seccomp, rootfd, &seccomp_program, err)) < 0)
    goto fail;
  c.seccomp_program = seccomp_program;
  {
    const struct cgroup_config cc = { .spec = spec, .id = o->id, .rootless = g->rootless };

    r = plan_cgroup (&cc, &limits, &cg, err);
    if (r < 0)
      goto fail;
    /* Recorded before anything outside the state directory is made: all that
     * delete will know of this container if create dies before state.json. */
    st.cgroup = cg.path;
    st.systemd_unit = cg.unit;
    r = state_write_record (dirfd, &st, err);
    st.cgroup = NULL;
    st.systemd_unit = NULL;
    if (r < 0)
      goto fail;
    r = setup_cgroup (g, &cc, &limits, &cg, &cgroup_fd, err);
    if (r < 0)
      goto fail;
  }
  cgroup_made = true;
  st.cgroup = cg.path;
  st.systemd_unit = cg.unit;
  r = spawn_init (&c, ns_fds[OCI_NS_PID], cgroup_fd, &pidfd, &pid, err);
  /* The init holds the cgroup now (systemd's scope ends when the
   * container's last process does). */
  if (cg.driver)
    cg.driver->settle (&cg);
  if (r < 0)
    goto fail;
  close (sync_fds[1]);
  sync_fds[1] = -1;

  st.pid = pid;
  if (c.plan.new_userns)
    {
      r = ns_write_id_maps (pid, spec, err);
      if (r < 0)
        goto fail;
    }
  /* The init's whole setup runs under its rlimits. */
  r = process_set_rlimits (pid, spec->process, err);
  if (r == 0)
    r = process_set_oom_score_adj (pid, spec->process, err);
  if (r == 0 && c.plan.early_release)
    r = release_init (sync_fds[0], pid, err);
  st.start_time = proc_start_time (pid);
  if (r == 0)
    r = net_setup (rootfd, dirfd, o->id, &spec->annotations, c.plan.new_netns, pid, st.start_time,
                   err);
  st.annotations = spec->annotations; /* with the address net_setup leased */
  if (r == 0)
    r = write_state_files (dirfd, config_text, config_len, &st, err);
  if (r < 0)
    goto fail;
  if (!c.plan.early_release)
    {
      if (spec->hooks)
        {
          hook_state = state_to_json (&st, STATUS_CREATING, false);
          r = hooks_run (&spec->hooks->prestart, "prestart", hook_state, err);
          if (r == 0)
            r = hooks_run (&spec->hooks->create_runtime, "createRuntime", hook_state, err);
          if (r < 0)
            goto fail;
        }
      r = release_init (sync_fds[0], pid, err);
      if (r < 0)
        goto fail;
    }
  r = parent_wait_ready (sync_fds[0], spec->process->terminal, &master, err);
  if (r < 0)
    goto fail;
  if (master >= 0 && o->console_socket)
    {
      r = console_send_to_socket (o->console_socket, master, err);
      if (r < 0)
        goto fail;
    }
  r = state_dir_created (dirfd, err);
  if (r == 0 && o->pid_file)
    r = write_pid_file (o->pid_file, pid, err);
  if (r < 0)
    goto fail;

  if (o->run)
    out->sync_fd = sync_fds[0];
  else
    close (sync_fds[0]);
  ns_close_paths (ns_fds);
  out->pid = pid;
  out->pidfd = TAKE_FD (pidfd);
  out->console_master = o->console_socket ? -1 : TAKE_FD (master);
  out->spec = TAKE_PTR (spec);
  return 0;

fail:
  /* Undone in the reverse order it was made; what cannot be undone is
   * said (the error of create itself stays in err). */
  if (pid > 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  if (sync_fds[0] >= 0)
    close (sync_fds[0]);
  if (sync_fds[1] >= 0)
    close (sync_fds[1]);
  ns_close_paths (ns_fds);
  if (cgroup_made && cg.driver)
    undo_warn (o->id, cg.driver->destroy (&cg, &undo), &undo);
  if (dir_made)
    {
      undo_warn (o->id, net_teardown (rootfd, dirfd, o->id, &undo), &undo);
      undo_warn (o->id, state_dir_remove (rootfd, o->id, &undo), &undo);
    }
  return r;
}
