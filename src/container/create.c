/* create: spawn the container's init with clone3, set it up step by step in
 * lock-step with the runtime over a socketpair, and leave it blocked on
 * exec.fifo until `start`. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "oci/config.h"
#include "src/cgroups/driver.h"
#include "src/cgroups/limits.h"
#include "src/process/console.h"
#include "src/container/cgroup-tree.h"
#include "src/container/create-plan.h"
#include "src/container/hooks.h"
#include "src/container/init.h"
#include "src/base/log.h"
#include "src/process/lsm.h"
#include "src/namespaces/idmap.h"
#include "src/namespaces/namespaces.h"
#include "src/namespaces/rootfs.h"
#include "src/namespaces/rootless.h"
#include "src/netns/annotations.h"
#include "src/netns/net.h"
#include "src/process/process.h"
#include "src/self/guard.h"
#include "src/seccomp/filter.h"
#include "src/container/sync.h"
#include "src/base/spawn.h"
#include "src/base/util.h"
#include "src/self/twin.h"

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
  const char *field = cgroup_limits_field (limits);

  log_debug ("cgroup mode %s, driver %s", cgroup_mode_name (cgroup_host_get ()->mode),
             cg->driver ? cg->driver->name : "none (--cgroup-manager disabled)");
  if (!cg->driver)
    return !field
               ? 0
               : tong_err (err, 0, "%s: a limit needs a cgroup, and --cgroup-manager is disabled",
                           field);
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
  const char *need = cgroup_limits_field (limits);
  int r;

  if (!cg->driver)
    return 0;
  /* No hierarchy at all: device rules would go unenforced without a word
   * (a limit fails earlier, where it is planned). */
  if (!cg->path && !cg->unit && !cg->v1_paths.len)
    return cgroup_limits_devices_needed (limits) && !g->rootless
               ? tong_err (err, 0,
                           "linux.resources.devices: the device rules need a cgroup (cgroup "
                           "v2, or cgroup v1's devices controller), and this host has none "
                           "mounted")
               : 0;
  r = cg->driver->create (cc, cg, fd, err);
  if (r < 0 && g->rootless && !need
      && (err->errnum == EACCES || err->errnum == EPERM || err->errnum == EROFS))
    {
      say_no_cgroup_once (g->root, err->msg);
      cgroup_handle_clear (cg);
      return 0;
    }
  if (r < 0 && g->rootless)
    return tong_err_prefix (err,
                            "%s: a limit needs a cgroup the user may write to (cgroup v2 "
                            "delegation: run tong in a cgroup delegated to you, e.g. under "
                            "`systemd-run --user --scope -p Delegate=yes`)",
                            need);
  if (r < 0)
    return r;
  /* An unprivileged user may not filter devices: the kernel's own checks
   * on device nodes stand (as runc does rootless). */
  if (g->rootless)
    cgroup_limits_drop_devices (limits);
  r = cg->driver->apply (cg, limits, err);
  if (r < 0)
    {
      tong_error ignored;
      closep (fd);
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

/* What create has made on the host, undone in the reverse order if it
 * fails: the cgroup destroyed, then the network and the state directory
 * removed (the init is killed before, by its own cleanup).  The error of
 * create itself stays in err; a step of the undoing that fails is said. */
struct create_undo
{
  const char *id;
  int rootfd;
  int dirfd;                /* the container's directory, once made; else -1 */
  struct cgroup_handle *cg; /* its cgroup, once made; else NULL */
  bool keep;                /* the create succeeded: nothing to undo */
};

static void
create_undo (struct create_undo *u)
{
  tong_error e = { 0 };

  if (u->keep)
    return;
  if (u->cg && u->cg->driver)
    undo_warn (u->id, u->cg->driver->destroy (u->cg, &e), &e);
  if (u->dirfd >= 0)
    {
      undo_warn (u->id, net_teardown (u->rootfd, u->dirfd, u->id, &e), &e);
      undo_warn (u->id, state_dir_remove (u->rootfd, u->id, &e), &e);
    }
}

/* The half-born init: killed and reaped unless create hands it over. */
static void
init_killp (pid_t *pid)
{
  if (*pid > 0)
    {
      kill (*pid, SIGKILL);
      waitpid (*pid, NULL, 0);
    }
}

#define _cleanup_create_undo_ __attribute__ ((cleanup (create_undo)))
#define _cleanup_init_ __attribute__ ((cleanup (init_killp)))

/* Everything create reads, finds out and decides before it makes anything. */
struct create_job
{
  struct oci_spec *spec; /* as parsed, and left so */
  char *bundle, *rootfs, *config_text;
  size_t config_len;
  struct create_facts facts;
  int ns_fds[OCI_NS_COUNT]; /* the namespaces the spec names by path, opened */
  struct create_plan plan;
  struct rootfs_plan rootfs_plan;
  struct cgroup_limits limits;
  struct cgroup_config cgroup_config;
  struct cgroup_handle cg; /* where its cgroup will be */
};

static void
create_job_free (struct create_job *j)
{
  oci_spec_free (j->spec);
  free (j->bundle);
  free (j->rootfs);
  free (j->config_text);
  ns_close_paths (j->ns_fds);
  rootfs_plan_free (&j->rootfs_plan);
  cgroup_limits_free (&j->limits);
  cgroup_handle_clear (&j->cg);
}

#define _cleanup_create_job_ __attribute__ ((cleanup (create_job_free)))

/* Parse: the bundle's config.json, checked for what tong applies, and the
 * options that go with it.  Nothing is made. */
static int
create_parse (const struct create_options *o, struct create_job *j, tong_error *err)
{
  char real[PATH_MAX];
  int r;

  if (!container_id_valid (o->id))
    return tong_err (err, 0, "invalid container id \"%s\": use letters, digits and _+-.", o->id);
  if (!realpath (o->bundle ? o->bundle : ".", real))
    return tong_err (err, errno, "bundle `%s`", o->bundle ? o->bundle : ".");
  j->bundle = xstrdup (real);
  {
    _cleanup_free_ char *config_path = xasprintf ("%s/config.json", j->bundle);

    r = read_file_at (AT_FDCWD, config_path, &j->config_text, &j->config_len, err);
  }
  if (r == 0)
    r = oci_spec_parse (j->config_text, j->config_len, OCI_PARSE_FOR_CREATE, &j->spec, err);
  if (r < 0)
    return r;
  if (built_with_musl () && net_setup_needs_libraries (&j->spec->annotations))
    return twin_hand_over ("bridge networking (org.tong.net.mode=bridge)", err);
  /* Before the other checks: its errors say what a rootless spec lacks. */
  r = rootless_user_namespace (j->spec, &j->facts.rootless_userns, &j->facts.rootless_maps, err);
  if (r == 0)
    r = spec_check_supported (j->spec, err);
  if (r == 0)
    r = process_check_capabilities (j->spec->process, err);
  if (r < 0)
    return r;
  if (j->spec->process->terminal && !o->console_socket && !o->foreground)
    return tong_err (err, 0,
                     "process.terminal is true, but --console-socket was not given: "
                     "a detached container needs a socket to pass its terminal to");
  if (!j->spec->process->terminal && o->console_socket)
    return tong_err (err, 0, "--console-socket was given, but process.terminal is false");
  return resolve_rootfs (j->bundle, j->spec, &j->rootfs, err);
}

/* Facts: what the plan depends on besides the spec. */
static int
create_gather_facts (struct tong_globals *g, const struct create_options *o, struct create_job *j,
                     tong_error *err)
{
  struct create_facts *f = &j->facts;
  int r;

  /* Root in a user namespace (tong-shim's, rootless, with a FUSE root) has
   * no more right over the host's cgroups and devices than its user. */
  f->in_userns = geteuid () == 0 && in_user_namespace ();
  if (f->in_userns)
    g->rootless = true;
  f->preserve_fds = o->preserve_fds;
  f->listen_fds = listen_fds_count ();
  f->cgroup_after_clone = j->cg.driver && j->cg.driver->join_open;
  r = ns_open_paths (j->spec, j->ns_fds, err);
  for (int i = 0; r == 0 && i < OCI_NS_COUNT; i++)
    f->joined[i] = j->ns_fds[i] >= 0;
  return r;
}

/* Plan: the namespaces and fds, every mount, the cgroup and its limits.  A
 * wrong spec fails here, before anything is made. */
static int
create_make_plans (struct tong_globals *g, const struct create_options *o, struct create_job *j,
                   tong_error *err)
{
  const struct oci_linux *l = j->spec->linux_;
  int r;

  j->cgroup_config
      = (struct cgroup_config){ .spec = j->spec, .id = o->id, .rootless = g->rootless };
  create_plan_make (j->spec, &j->facts, &j->plan);
  r = rootfs_plan_build (j->spec, j->plan.rootfs_in_userns, cgroup_host_is_v1 (cgroup_host_get ()),
                         &j->rootfs_plan, err);
  if (r < 0)
    return r;
  r = cgroup_limits_prepare (l->resources, l->devices, l->devices_len, &j->limits, err);
  if (r < 0)
    return tong_err_prefix (err, "config.json");
  return plan_cgroup (&j->cgroup_config, &j->limits, &j->cg, err);
}

/* The state directory, with exec.fifo unless `run` starts the init itself
 * over the sync socket (one inode fewer: on a disk-backed --root, the costly
 * part of a state write). */
static int
make_state_dir (int rootfd, const struct create_options *o, int *dirfd, int *fifo_fd,
                tong_error *err)
{
  int r = state_dir_create (rootfd, o->id, dirfd, err);

  if (r < 0 || o->run)
    return r;
  if (mkfifoat (*dirfd, STATE_FIFO, 0600) < 0)
    return tong_err (err, errno, "create exec.fifo");
  /* Opened read-write, the init can block in read() until `start` writes. */
  *fifo_fd = openat (*dirfd, STATE_FIFO, O_RDWR | O_CLOEXEC);
  return *fifo_fd < 0 ? tong_err (err, errno, "open exec.fifo") : 0;
}

/* Recorded before anything outside the state directory is made (all that
 * delete will know of this container if create dies before state.json),
 * then made, with its limits: the cgroup the init is born into. */
static int
make_cgroup (struct tong_globals *g, struct create_job *j, int dirfd, struct container_state *st,
             int *cgroup_fd, tong_error *err)
{
  int r;

  st->cgroup = j->cg.path;
  st->systemd_unit = j->cg.unit;
  st->cgroup_paths = j->cg.v1_paths;
  r = state_write_record (dirfd, st, err);
  if (r == 0)
    r = setup_cgroup (g, &j->cgroup_config, &j->limits, &j->cg, cgroup_fd, err);
  st->cgroup = j->cg.path;
  st->systemd_unit = j->cg.unit;
  st->cgroup_paths = j->cg.v1_paths;
  return r;
}

/* After the clone: what the runtime does to the init (id maps, rlimits, its
 * network), the state files, the hooks that come before the init's own
 * setup, and its release (SYNC_GO), early or after all that. */
static int
set_up_init (const struct create_options *o, struct create_job *j, int rootfd, int dirfd,
             int sync_fd, struct container_state *st, struct oci_map *annotations, tong_error *err)
{
  char leased[NET_ADDR_LEN];
  pid_t pid = st->pid;
  int r = 0;

  if (j->plan.new_userns)
    r = ns_write_id_maps (pid, &j->plan.id_maps, err);
  /* The init's whole setup runs under its rlimits. */
  if (r == 0)
    r = process_set_rlimits (pid, j->spec->process, err);
  if (r == 0)
    r = process_set_oom_score_adj (pid, j->spec->process, err);
  if (r == 0 && j->plan.early_release)
    r = release_init (sync_fd, pid, err);
  st->start_time = proc_start_time (pid);
  if (r == 0)
    r = net_setup (rootfd, dirfd, o->id, &j->spec->annotations, j->plan.new_netns, pid,
                   st->start_time, leased, err);
  if (r == 0 && *leased)
    {
      /* The state records the address leased (tong-shim reads it there). */
      oci_map_copy (annotations, &j->spec->annotations);
      oci_map_set (annotations, NET_KEY_IP, leased);
      st->annotations = *annotations;
    }
  if (r == 0)
    r = write_state_files (dirfd, j->config_text, j->config_len, st, err);
  if (r < 0 || j->plan.early_release)
    return r;
  if (j->spec->hooks)
    {
      _cleanup_free_ char *json = state_to_json (st, STATUS_CREATING, false);

      r = hooks_run (&j->spec->hooks->prestart, "prestart", json, err);
      if (r == 0)
        r = hooks_run (&j->spec->hooks->create_runtime, "createRuntime", json, err);
      if (r < 0)
        return r;
    }
  return release_init (sync_fd, pid, err);
}

/* Once the init reports ready: the terminal to its receiver, the mark of a
 * create at work cleared, --pid-file. */
static int
finish_create (const struct create_options *o, int dirfd, pid_t pid, int master, tong_error *err)
{
  int r = 0;

  if (master >= 0 && o->console_socket)
    r = console_send_to_socket (o->console_socket, master, err);
  if (r == 0)
    r = state_dir_created (dirfd, err);
  if (r == 0 && o->pid_file)
    r = write_pid_file (o->pid_file, pid, err);
  return r;
}

/* Act: make what the plans say, in the order that lets a failure undo it. */
static int
create_act (struct tong_globals *g, const struct create_options *o, struct create_job *j,
            struct created_container *out, tong_error *err)
{
  _cleanup_close_ int rootfd = -1, dirfd = -1, fifo_fd = -1, cgroup_fd = -1, pidfd = -1;
  _cleanup_close_ int master = -1;
  _cleanup_idmap_trees_ struct idmap_trees idmap_trees = { 0 };
  _cleanup_oci_map_ struct oci_map annotations = { 0 };
  _cleanup_cgroup_tree_ struct cgroup_tree cgroup_tree = { 0 };
  _cleanup_cgroup_v1_join_ struct cgroup_v1_join cgroup_join = { 0 };
  __attribute__ ((cleanup (seccomp_program_freep))) struct seccomp_program *seccomp = NULL;
  _cleanup_create_undo_ struct create_undo undo = { .id = o->id, .rootfd = -1, .dirfd = -1 };
  _cleanup_close_pair_ int sync_fds[2] = { -1, -1 };
  _cleanup_init_ pid_t pid = -1;
  struct init_ctx c;
  struct container_state st;
  char created[64];
  int r;

  r = fds_preserve (j->plan.nfds, err);
  if (r < 0)
    return r;
  rootfd = state_root_open (g->root, true, err);
  if (rootfd < 0)
    return rootfd;
  /* Idmapping a mount needs privilege over its filesystem, which the init,
   * born in the container's user namespace, does not have. */
  r = idmap_trees_open (j->spec, &j->plan.id_maps, j->bundle, &idmap_trees, err);
  /* The filter is compiled here, from the host's libseccomp, or found in
   * the state root's cache; the init loads it. */
  if (r == 0 && j->spec->linux_->seccomp)
    r = seccomp_program_get (j->spec->linux_->seccomp, rootfd, &seccomp, err);
  if (r < 0)
    return r;

  undo.rootfd = rootfd;
  r = make_state_dir (rootfd, o, &dirfd, &fifo_fd, err);
  undo.dirfd = dirfd;
  if (r == 0 && socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync_fds) < 0)
    r = tong_err (err, errno, "socketpair");
  if (r < 0)
    return r;
  rfc3339_now (created, sizeof created);
  st = (struct container_state){ .id = (char *) o->id,
                                 .bundle = j->bundle,
                                 .rootfs = j->rootfs,
                                 .created = created,
                                 .owner = geteuid (),
                                 .annotations = j->spec->annotations,
                                 .new_pid_ns = oci_spec_namespace (j->spec, OCI_NS_PID) != NULL };
  r = make_cgroup (g, j, dirfd, &st, &cgroup_fd, err);
  if (r < 0)
    return r;
  undo.cg = &j->cg;
  if (j->rootfs_plan.cgroup_v1)
    cgroup_tree_build (&j->cg, &cgroup_tree);
  if (j->cg.driver && j->cg.driver->join_open)
    {
      r = j->cg.driver->join_open (&j->cg, &cgroup_join, err);
      if (r < 0)
        return r;
    }

  c = (struct init_ctx){ .spec = j->spec,
                         .opts = o,
                         .rootfs = { .plan = &j->rootfs_plan,
                                     .rootfs = j->rootfs,
                                     .bundle = j->bundle,
                                     .no_pivot = o->no_pivot,
                                     .idmap_trees = idmap_trees.fds,
                                     .cgroup_tree = cgroup_tree.entries,
                                     .n_cgroup_tree = cgroup_tree.n },
                         .sync_fd = sync_fds[1],
                         .fifo_fd = fifo_fd,
                         .ns_fds = j->ns_fds,
                         .plan = j->plan,
                         .cgroup_join = &cgroup_join,
                         .state = st,
                         .seccomp_program = seccomp,
                         .lsm = LSM_ATTRS_NONE,
                         .runtime_fds = { rootfd, dirfd, sync_fds[0] } };
  r = spawn_init (&c, j->ns_fds[OCI_NS_PID], cgroup_fd, &pidfd, &pid, err);
  /* The init holds the cgroup now (systemd's scope ends when the
   * container's last process does). */
  if (j->cg.driver)
    j->cg.driver->settle (&j->cg);
  if (r < 0)
    return r;
  closep (&sync_fds[1]);
  sync_fds[1] = -1;
  st.pid = pid;
  r = set_up_init (o, j, rootfd, dirfd, sync_fds[0], &st, &annotations, err);
  if (r == 0)
    r = parent_wait_ready (sync_fds[0], j->spec->process->terminal, &master, err);
  if (r == 0)
    r = finish_create (o, dirfd, pid, master, err);
  if (r < 0)
    return r;

  undo.keep = true;
  out->sync_fd = o->run ? TAKE_FD (sync_fds[0]) : -1;
  out->pid = pid;
  pid = -1;
  out->pidfd = TAKE_FD (pidfd);
  out->console_master = o->console_socket ? -1 : TAKE_FD (master);
  return 0;
}

int
container_create (struct tong_globals *g, const struct create_options *o,
                  struct created_container *out, tong_error *err)
{
  _cleanup_create_job_ struct create_job j = { 0 };
  int r;

  *out = (struct created_container){ .pid = -1, .pidfd = -1, .console_master = -1, .sync_fd = -1 };
  for (int i = 0; i < OCI_NS_COUNT; i++)
    j.ns_fds[i] = -1;
  j.cg.driver = cgroup_driver_get (cgroup_driver_for_manager (g->cgroup_manager));
  j.cg.id = o->id;
  if (built_with_musl () && j.cg.driver && j.cg.driver->hand_over)
    return twin_hand_over (j.cg.driver->hand_over, err);
  /* Before anything is read, created or logged: the copy starts afresh. */
  r = protect_exe_ensure (err);
  if (r == 0)
    r = create_parse (o, &j, err);
  if (r == 0)
    r = create_gather_facts (g, o, &j, err);
  if (r == 0)
    r = create_make_plans (g, o, &j, err);
  if (r == 0)
    r = create_act (g, o, &j, out, err);
  if (r == 0)
    out->spec = TAKE_PTR (j.spec);
  return r;
}
