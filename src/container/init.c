#include "init.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "src/base/syscalls.h"
#include "src/base/util.h"
#include "src/container/hooks.h"
#include "src/container/launch.h"
#include "src/container/sync.h"
#include "src/namespaces/namespaces.h"
#include "src/netns/loopback.h"
#include "src/process/console.h"
#include "src/process/process.h"
#include "src/self/guard.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

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
  /* Into the rest of its cgroup first: nothing of the container runs
   * outside its limits, and a new cgroup namespace is rooted there. */
  r = cgroup_v1_join_self (c->cgroup_join, err);
  if (r < 0)
    return tong_err_prefix (err, "init");
  cgroup_v1_join_close (c->cgroup_join);
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
  for (int i = 0; i < c->plan.n_env; i++)
    process_env_set (c->spec->process, c->plan.env[i]);
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
void
init_main (struct init_ctx *c)
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
