/* exec: spawn a process into an existing container.  The runtime pins the
 * container's init with a pidfd, opens its namespaces, root and cgroup, and
 * clone3s a child into the cgroup (and the pid namespace, which only applies
 * to children); the child joins the other namespaces and reports every
 * failure over a socketpair until its execve succeeds. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "oci/config.h"
#include "src/process/console.h"
#include "src/container/container.h"
#include "src/container/foreground.h"
#include "src/container/launch.h"
#include "src/container/status.h"
#include "src/process/lsm.h"
#include "src/process/process.h"
#include "src/self/guard.h"
#include "src/seccomp/filter.h"
#include "src/container/sync.h"
#include "src/base/spawn.h"
#include "src/cgroups/hierarchy.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

/* The child joins these in this order: user first, so that it holds
 * capabilities over the namespaces the container's user namespace owns; mnt
 * last, as it changes the root.  The pid namespace is joined by the runtime. */
enum exec_ns
{
  NS_USER,
  NS_IPC,
  NS_UTS,
  NS_NET,
  NS_CGROUP,
  NS_TIME,
  NS_MNT,
  NS_PID,
  NS_COUNT
};

/* The spec's type of each, from which its names and flag come. */
static const enum oci_ns_type exec_ns_type[NS_COUNT] = {
  [NS_USER] = OCI_NS_USER,   [NS_IPC] = OCI_NS_IPC,       [NS_UTS] = OCI_NS_UTS,
  [NS_NET] = OCI_NS_NETWORK, [NS_CGROUP] = OCI_NS_CGROUP, [NS_TIME] = OCI_NS_TIME,
  [NS_MNT] = OCI_NS_MOUNT,   [NS_PID] = OCI_NS_PID,
};

/* The init's namespace of kind i as /proc/INITPID/ns/ names it: a created
 * init has unshared its time namespace but not yet exec'd into it. */
static const char *
init_ns_name (int i)
{
  return i == NS_TIME ? "time_for_children" : oci_ns_info (exec_ns_type[i])->proc_name;
}

/* What the init offers to join, opened while it is pinned. */
struct init_handles
{
  int ns[NS_COUNT]; /* -1: the same as ours (or absent from this kernel) */
  int root;         /* /proc/INITPID/root */
  int cgroup;       /* its cgroup v2 directory, or -1 */
};

struct exec_child
{
  struct oci_process *p;
  const struct oci_personality *personality;
  const struct init_handles *h;
  int sync_fd;
  int first_closed_fd;                   /* 3 + preserved fds */
  const struct oci_seccomp *seccomp;     /* the container's linux.seccomp, or NULL */
  const struct seccomp_program *program; /* compiled by the runtime */
  struct seccomp_plan *plan;             /* made by the child */
  const struct container_state *state;   /* for a seccomp listener */
  bool in_userns;                        /* already in the container's user namespace */
  struct cgroup_v1_join cgroup_join;     /* the init's cgroup v1 directories */
  struct lsm_attrs lsm;                  /* opened before the child joins anything */
};

static void
init_handles_close (struct init_handles *h)
{
  for (int i = 0; i < NS_COUNT; i++)
    {
      closep (&h->ns[i]);
      h->ns[i] = -1;
    }
  closep (&h->root);
  closep (&h->cgroup);
  h->root = h->cgroup = -1;
}

int
exec_target_open (struct tong_globals *g, const char *id, bool ignore_paused, struct exec_target *t,
                  tong_error *err)
{
  _cleanup_free_ char *text = NULL;
  enum container_status status;
  size_t len;
  int r;

  t->dirfd = -1;
  t->spec = NULL;
  memset (&t->st, 0, sizeof t->st);
  r = open_container (g, id, false, &t->dirfd, &t->st, err);
  if (r < 0)
    return r;
  status = state_status (t->dirfd, &t->st);
  r = container_op_allowed (ignore_paused ? OP_EXEC_IGNORE_PAUSED : OP_EXEC, status, id, err);
  if (r == 0)
    r = read_file_at (t->dirfd, STATE_CONFIG, &text, &len, err);
  if (r == 0)
    r = oci_spec_parse (text, len, OCI_PARSE_ANY, &t->spec, err);
  if (r < 0)
    exec_target_close (t);
  return r;
}

void
exec_target_close (struct exec_target *t)
{
  closep (&t->dirfd);
  t->dirfd = -1;
  state_clear (&t->st);
  if (t->spec)
    oci_spec_free (t->spec);
  t->spec = NULL;
}

/* Open /proc/PID/ns/NAME when it is not the namespace we are in already. */
static int
open_ns_if_other (pid_t pid, int i, int *out, tong_error *err)
{
  _cleanup_close_ int fd = -1;
  char path[64], self[64];
  struct stat theirs, ours;

  *out = -1;
  str_format (path, sizeof path, "/proc/%d/ns/%s", (int) pid, init_ns_name (i));
  str_format (self, sizeof self, "/proc/self/ns/%s", oci_ns_info (exec_ns_type[i])->proc_name);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && stat (self, &ours) < 0)
    return 0; /* a kernel without this kind of namespace */
  if (fd < 0)
    return tong_err (err, errno, "open `%s`", path);
  if (fstat (fd, &theirs) < 0)
    return tong_err (err, errno, "stat `%s`", path);
  if (stat (self, &ours) == 0 && ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
    return 0;
  *out = TAKE_FD (fd);
  return 0;
}

/* The init's cgroup v2 directory, so that the process starts in it; -1 on a
 * host without a unified hierarchy (a hybrid host has it at unified/). */
static int
open_init_cgroup (pid_t pid)
{
  static const char *const mounts[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
  _cleanup_free_ char *text = NULL;
  const char *rel = NULL;
  char path[64];
  tong_error ignored;
  char *line, *nl;

  str_format (path, sizeof path, "/proc/%d/cgroup", (int) pid);
  if (read_file_at (AT_FDCWD, path, &text, NULL, &ignored) < 0)
    return -1;
  for (line = text; line && *line && !rel; line = nl ? nl + 1 : NULL)
    {
      nl = strchr (line, '\n');
      if (nl)
        *nl = '\0';
      if (strncmp (line, "0::/", 4) == 0)
        rel = line[4] ? line + 4 : ".";
    }
  if (!rel)
    return -1;
  for (size_t i = 0; i < ARRAY_SIZE (mounts); i++)
    {
      _cleanup_close_ int mnt = open (mounts[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
      struct statfs sfs;

      if (mnt >= 0 && fstatfs (mnt, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
        return openat (mnt, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  return -1;
}

/* Pin the init with a pidfd, check it is the container's (its start time),
 * open what the child joins, and check it is still alive: then everything
 * opened under /proc/PID belonged to it. */
static int
open_init (const struct container_state *st, struct init_handles *h, tong_error *err)
{
  _cleanup_close_ int pidfd = sys_pidfd_open (st->pid, 0);
  char path[64];
  int r;

  if (pidfd < 0 || proc_start_time (st->pid) != st->start_time)
    return tong_err_code (err, ESRCH, "cannot exec in a stopped container");
  for (int i = 0; i < NS_COUNT; i++)
    {
      r = open_ns_if_other (st->pid, i, &h->ns[i], err);
      if (r < 0)
        return r;
    }
  str_format (path, sizeof path, "/proc/%d/root", (int) st->pid);
  h->root = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (h->root < 0)
    return tong_err (err, errno, "open `%s`", path);
  h->cgroup = open_init_cgroup (st->pid);
  if (sys_pidfd_send_signal (pidfd, 0, NULL, 0) < 0)
    return tong_err_code (err, ESRCH, "cannot exec in a stopped container");
  return 0;
}

/* After joining the mount namespace the root is that namespace's root; a
 * container set up with --no-pivot lives in a chroot below it. */
static int
enter_root (int root, tong_error *err)
{
  struct stat want, now;

  if (fstat (root, &want) < 0 || stat ("/", &now) < 0)
    return tong_err (err, errno, "stat the container's root");
  if (want.st_dev == now.st_dev && want.st_ino == now.st_ino)
    return 0;
  if (fchdir (root) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return tong_err (err, errno, "enter the container's root");
  return 0;
}

static int
child_setup (struct exec_child *c, tong_error *err)
{
  const struct oci_process *p = c->p;
  struct sync_msg m;
  int fd, r, master = -1;

  r = sync_recv (c->sync_fd, &m, &fd);
  if (r != SYNC_GO)
    return tong_err (err, r < 0 ? -r : EPIPE, "exec: waiting for the runtime");
  /* clone3 placed it in the init's v2 cgroup; it moves itself into the
   * init's v1 ones before it runs anything of its own. */
  r = cgroup_v1_join_self (&c->cgroup_join, err);
  if (r < 0)
    return r;
  cgroup_v1_join_close (&c->cgroup_join);
  /* The container's filter holds for exec'd processes too; it is built while
   * a listenerPath still names a path on the host. */
  if (c->seccomp)
    {
      r = seccomp_prepare (c->seccomp, c->program, &c->plan, err);
      if (r < 0)
        return r;
    }
  /* While /proc is the runtime's, not the container's. */
  r = lsm_open_attrs (p, false, &c->lsm, err);
  if (r < 0)
    return r;
  for (int i = 0; i <= NS_MNT; i++)
    if (c->h->ns[i] >= 0 && !(i == NS_USER && c->in_userns)
        && setns (c->h->ns[i], oci_ns_info (exec_ns_type[i])->flag) < 0)
      return tong_err (err, errno, "join the container's %s namespace",
                       oci_ns_info (exec_ns_type[i])->proc_name);
  r = enter_root (c->h->root, err);
  if (r < 0)
    return r;
  if (p->terminal)
    {
      r = console_setup_for_exec (p, &master, err);
      if (r == 0)
        r = sync_pass_fd (c->sync_fd, SYNC_CONSOLE, master, "the terminal", err);
      if (r < 0)
        return r;
    }
  return process_prepare (c->p, c->personality, err);
}

/* The exec'd process: a clean signal state, set up, exec.  Never returns;
 * the runtime sees the sync socket close (it is O_CLOEXEC) when execve worked. */
static void __attribute__ ((noreturn)) child_main (struct exec_child *c)
{
  tong_error err = { 0 };
  sigset_t none;
  int r;

  /* Before anything else: this process is visible in the container (CVE-2019-5736). */
  protect_exe_hide_runtime ();
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      signal (s, SIG_DFL);
  prctl (PR_SET_PDEATHSIG, SIGKILL);

  r = child_setup (c, &err);
  if (r == 0)
    {
      fds_cloexec_from (c->first_closed_fd);
      /* From here on the process outlives a detached `tong exec`. */
      prctl (PR_SET_PDEATHSIG, 0);
      _cleanup_free_ char *json = c->plan ? state_to_json (c->state, STATUS_RUNNING, false) : NULL;
      launch_process (c->p, &c->lsm, c->plan, json, NULL, &err);
    }
  sync_send (c->sync_fd, SYNC_ERROR, &err, -1);
  _exit (127);
}

static struct clone_args
child_clone_args (const struct exec_child *c)
{
  struct clone_args args = { .exit_signal = SIGCHLD };

  if (c->h->cgroup >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (uint64_t) c->h->cgroup;
    }
  return args;
}

/* Whether the cgroup directory fd is the one this process is in. */
static bool
is_own_cgroup (int fd)
{
  _cleanup_close_ int own = open_init_cgroup (getpid ());
  struct stat a, b;

  return own >= 0 && fstat (fd, &a) == 0 && fstat (own, &b) == 0 && a.st_dev == b.st_dev
         && a.st_ino == b.st_ino;
}

/* A runtime that is not root may not join a pid namespace that a user
 * namespace of the container owns (setns needs CAP_SYS_ADMIN in its own user
 * namespace too).  A helper joins the container's user namespace, then its
 * pid namespace, and clones the process as tong's own child (CLONE_PARENT),
 * so that tong waits for it as for any other. */
static int
spawn_child_in_userns (struct exec_child *c, int *pidfd, pid_t *pid, tong_error *err)
{
  struct
  {
    pid_t pid;
    int errnum;
    const char *what;
  } rep = { -1, 0, NULL };
  int fds[2], st;
  pid_t helper;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return tong_err (err, errno, "pipe");
  helper = fork ();
  if (helper < 0)
    {
      close (fds[0]);
      close (fds[1]);
      return tong_err (err, errno, "fork");
    }
  if (helper == 0)
    {
      struct clone_args args = child_clone_args (c);
      pid_t child;

      close (fds[0]);
      /* From inside the user namespace a move into a cgroup is refused
       * (EACCES) even when it is where the helper already is. */
      if (c->h->cgroup >= 0 && is_own_cgroup (c->h->cgroup))
        args.flags &= ~(uint64_t) CLONE_INTO_CGROUP;
      if (setns (c->h->ns[NS_USER], CLONE_NEWUSER) < 0)
        rep = (typeof (rep)){ -1, errno, "join the container's user namespace" };
      else if (setns (c->h->ns[NS_PID], CLONE_NEWPID) < 0)
        rep = (typeof (rep)){ -1, errno, "join the container's pid namespace" };
      else
        {
          c->in_userns = true;
          args.flags |= CLONE_PARENT;
          args.exit_signal = 0; /* CLONE_PARENT: tong's child, with its SIGCHLD */
          child = spawn_clone (&args);
          if (child == 0)
            child_main (c);
          rep = (typeof (rep)){ child, child < 0 ? errno : 0, "clone the process to exec" };
        }
      if (write (fds[1], &rep, sizeof rep) != (ssize_t) sizeof rep)
        _exit (1);
      _exit (0);
    }
  close (fds[1]);
  if (read (fds[0], &rep, sizeof rep) != (ssize_t) sizeof rep)
    rep = (typeof (rep)){ -1, EPIPE, "hear from the namespace helper" };
  close (fds[0]);
  while (waitpid (helper, &st, 0) < 0 && errno == EINTR)
    ;
  if (rep.errnum)
    return tong_err (err, rep.errnum, "%s", rep.what);
  *pidfd = sys_pidfd_open (rep.pid, 0);
  if (*pidfd < 0)
    {
      int e = errno;
      kill (rep.pid, SIGKILL);
      waitpid (rep.pid, NULL, 0);
      return tong_err (err, e, "pidfd_open the process to exec");
    }
  *pid = rep.pid;
  return 0;
}

static int
spawn_child (struct exec_child *c, int *pidfd, pid_t *pid, tong_error *err)
{
  struct clone_args args;
  _cleanup_close_ int saved_pidns = -1;
  int pidns = c->h->ns[NS_PID];
  pid_t child;

  if (pidns >= 0 && c->h->ns[NS_USER] >= 0 && geteuid () != 0)
    return spawn_child_in_userns (c, pidfd, pid, err);
  /* setns to a pid namespace only decides where our children go. */
  if (pidns >= 0)
    {
      saved_pidns = open ("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
      if (saved_pidns < 0)
        return tong_err (err, errno, "open /proc/self/ns/pid_for_children");
      if (setns (pidns, CLONE_NEWPID) < 0)
        return tong_err (err, errno, "join the container's pid namespace");
    }
  args = child_clone_args (c);
  args.flags |= CLONE_PIDFD;
  args.pidfd = (uint64_t) (uintptr_t) pidfd;
  child = spawn_clone (&args);
  if (child == 0)
    child_main (c);
  if (child < 0)
    tong_err (err, errno, "clone the process to exec%s",
              c->h->cgroup >= 0 ? " into the cgroup of the container's init" : "");
  if (saved_pidns >= 0 && setns (saved_pidns, CLONE_NEWPID) < 0)
    {
      int e = errno;
      if (child > 0)
        {
          kill (child, SIGKILL);
          waitpid (child, NULL, 0);
        }
      return tong_err (err, e, "return to tong's own pid namespace");
    }
  if (child < 0)
    return -err->errnum;
  *pid = child;
  return 0;
}

/* Until the child's execve closes the sync socket: its terminal, or its error. */
static int
wait_exec (int sync_fd, const struct exec_options *o, int *master, tong_error *err)
{
  struct sync_msg m;
  int fd, r;

  for (;;)
    {
      r = sync_recv (sync_fd, &m, &fd);
      switch (r)
        {
        case 0:
          return 0;
        case SYNC_CONSOLE:
          if (fd < 0)
            return tong_err (err, EPROTO, "exec: the process sent no terminal");
          if (o->console_socket)
            {
              r = console_send_to_socket (o->console_socket, fd, err);
              close (fd);
              if (r < 0)
                return r;
            }
          else
            {
              closep (master);
              *master = fd;
            }
          break;
        case SYNC_ERROR:
          err->errnum = m.errnum > 0 ? m.errnum : EINVAL;
          str_format (err->msg, sizeof err->msg, "%s", m.text);
          return -err->errnum;
        default:
          closep (&fd);
          return tong_err (err, r < 0 ? -r : EPROTO, "read from the process to exec");
        }
    }
}

static int
write_pid_file (const char *path, pid_t pid, tong_error *err)
{
  char buf[32];
  int n = str_format (buf, sizeof buf, "%d", (int) pid);
  if (write_file_replace_at (AT_FDCWD, path, buf, (size_t) n, 0644, err) < 0)
    return tong_err_prefix (err, "--pid-file");
  return 0;
}

int
exec_spawn (const struct exec_target *t, struct oci_process *p, const struct exec_options *o,
            tong_error *err)
{
  struct init_handles h = { .root = -1, .cgroup = -1 };
  _cleanup_close_ int pidfd = -1, master = -1, parent_end = -1, child_end = -1;
  __attribute__ ((cleanup (seccomp_program_freep))) struct seccomp_program *program = NULL;
  struct exec_child c = { .lsm = LSM_ATTRS_NONE };
  int sync_fds[2];
  bool blocked = false;
  sigset_t old;
  pid_t pid = -1;
  int r;

  for (int i = 0; i < NS_COUNT; i++)
    h.ns[i] = -1;
  r = open_init (&t->st, &h, err);
  if (r < 0)
    goto out;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync_fds) < 0)
    {
      r = tong_err (err, errno, "socketpair");
      goto out;
    }
  parent_end = sync_fds[0];
  child_end = sync_fds[1];

  c.p = p;
  c.personality = t->spec->linux_ ? t->spec->linux_->personality : NULL;
  c.seccomp = t->spec->linux_ ? t->spec->linux_->seccomp : NULL;
  if (c.seccomp)
    {
      /* The state root, whose cache may have the program. */
      _cleanup_close_ int rootfd = openat (t->dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      r = seccomp_program_get (c.seccomp, rootfd, &program, err);
      if (r < 0)
        goto out;
      c.program = program;
    }
  c.state = &t->st;
  c.h = &h;
  c.sync_fd = child_end;
  c.first_closed_fd = 3 + o->preserve_fds;
  /* Block the signals to forward before the process exists, so none is lost. */
  if (!o->detach)
    {
      foreground_block_signals (&old);
      blocked = true;
    }
  r = cgroup_v1_join_open_like (t->st.pid, &c.cgroup_join, err);
  if (r == 0)
    r = spawn_child (&c, &pidfd, &pid, err);
  cgroup_v1_join_close (&c.cgroup_join);
  init_handles_close (&h);
  closep (&child_end);
  child_end = -1;
  if (r < 0)
    goto out;

  r = process_set_rlimits (pid, p, err);
  if (r == 0)
    r = process_set_oom_score_adj (pid, p, err);
  if (r == 0 && (r = sync_send (parent_end, SYNC_GO, NULL, -1)) < 0)
    r = tong_err (err, -r, "release the process to exec");
  if (r == 0)
    r = wait_exec (parent_end, o, &master, err);
  if (r == 0 && o->pid_file)
    r = write_pid_file (o->pid_file, pid, err);
  if (r < 0)
    {
      sys_pidfd_send_signal (pidfd, SIGKILL, NULL, 0);
      waitpid (pid, NULL, 0);
      goto out;
    }
  if (o->detach)
    return 0;
  r = foreground_wait (pid, TAKE_FD (master), err);

out:
  init_handles_close (&h);
  if (blocked)
    sigprocmask (SIG_SETMASK, &old, NULL);
  return r;
}
