/* start, kill and delete of an existing container. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci/config.h"
#include "src/cgroups/driver.h"
#include "src/container/container.h"
#include "src/container/hooks.h"
#include "src/container/status.h"
#include "src/netns/net.h"
#include "src/container/sync.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"
#include "src/self/twin.h"

/* The spec the container was created with (a copy kept in its state dir). */
static int
load_spec (int dirfd, struct oci_spec **spec, tong_error *err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = read_file_at (dirfd, STATE_CONFIG, &text, &len, err);
  if (r < 0)
    return r;
  return oci_spec_parse (text, len, OCI_PARSE_ANY, spec, err);
}

int
open_container (struct tong_globals *g, const char *id, bool lock, int *dirfd,
                struct container_state *st, tong_error *err)
{
  _cleanup_close_ int rootfd = state_root_open (g->root, false, err);
  int r;

  if (rootfd < 0)
    {
      if (err->errnum == ENOENT)
        return tong_err_code (err, ENOENT, "container \"%s\" does not exist", id);
      return rootfd;
    }
  r = state_dir_open (rootfd, id, lock, dirfd, err);
  if (r < 0)
    return r;
  r = state_read (*dirfd, id, st, err);
  if (r < 0)
    {
      close (*dirfd);
      *dirfd = -1;
      return r;
    }
  /* Whoever holds the lock of an unfinished create is its creator, at work;
   * once we hold it ourselves, the creator is gone. */
  st->creating = st->unfinished && !lock && state_dir_locked_by_other (*dirfd);
  return 0;
}

static int
entry_cmp (const void *a, const void *b)
{
  return strcmp (((const struct container_entry *) a)->st.id,
                 ((const struct container_entry *) b)->st.id);
}

size_t
container_list (struct tong_globals *g, struct container_entry **out)
{
  struct container_entry *entries = NULL;
  size_t n = 0;
  struct dirent *de;
  DIR *d = opendir (g->root);

  *out = NULL;
  if (!d)
    return 0;
  while ((de = readdir (d)))
    {
      struct container_state st = { 0 };
      tong_error ignored;
      int dirfd = -1;
      if (de->d_name[0] == '.')
        continue;
      if (open_container (g, de->d_name, false, &dirfd, &st, &ignored) < 0)
        {
          state_clear (&st);
          continue;
        }
      entries = xrealloc (entries, (n + 1) * sizeof *entries);
      entries[n].st = st;
      entries[n].status = state_status (dirfd, &st);
      n++;
      close (dirfd);
    }
  closedir (d);
  if (n > 0)
    qsort (entries, n, sizeof *entries, entry_cmp);
  *out = entries;
  return n;
}

void
container_list_free (struct container_entry *entries, size_t n)
{
  for (size_t i = 0; i < n; i++)
    state_clear (&entries[i].st);
  free (entries);
}

int
container_start (struct tong_globals *g, const char *id, const struct oci_spec *spec,
                 tong_error *err)
{
  _cleanup_close_ int dirfd = -1, fifo = -1, watch = -1;
  _cleanup_oci_spec_ struct oci_spec *loaded = NULL;
  struct container_state st = { 0 };
  enum container_status status;
  int r;

  r = open_container (g, id, true, &dirfd, &st, err);
  if (r < 0)
    return r;
  status = state_status (dirfd, &st);
  r = container_op_allowed (OP_START, status, id, err);
  if (r < 0)
    goto out;
  /* Our own read end, opened before the write end, sees POLLHUP once the
   * init's descriptor (close-on-exec) is gone: that is, once the container's
   * process has been exec'd, or the init died.  It never reads the byte. */
  watch = openat (dirfd, STATE_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (watch >= 0)
    fifo = openat (dirfd, STATE_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (watch < 0 || fifo < 0)
    {
      r = tong_err (err, errno, "start container \"%s\": open exec.fifo", id);
      goto out;
    }
  r = write_all (fifo, "0", 1);
  if (r < 0)
    {
      r = tong_err (err, -r, "start container \"%s\"", id);
      goto out;
    }
  close (TAKE_FD (fifo));
  {
    struct pollfd pfd = { .fd = watch, .events = 0 };
    while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
      ;
  }
  unlinkat (dirfd, STATE_FIFO, 0);
  if (!spec)
    {
      r = load_spec (dirfd, &loaded, err);
      if (r < 0)
        goto out;
      spec = loaded;
    }
  if (spec->hooks && spec->hooks->poststart.len)
    {
      _cleanup_free_ char *json = state_to_json (&st, STATUS_RUNNING, false);
      hooks_run_warn (&spec->hooks->poststart, "poststart", json);
    }
  r = 0;
out:
  state_clear (&st);
  return r;
}

int
container_release (struct tong_globals *g, const char *id, const struct oci_spec *spec, int sync_fd,
                   tong_error *err)
{
  _cleanup_close_ int sock = sync_fd, dirfd = -1;
  struct container_state st = { 0 };
  int r;

  r = sync_send (sock, SYNC_START, NULL, -1);
  if (r < 0)
    return tong_err (err, -r, "start container \"%s\"", id);
  /* POLLHUP once the init's end is gone: exec'd (close-on-exec), or dead. */
  {
    struct pollfd pfd = { .fd = sock, .events = 0 };
    while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
      ;
  }
  if (!spec->hooks || !spec->hooks->poststart.len)
    return 0;
  r = open_container (g, id, true, &dirfd, &st, err);
  if (r < 0)
    return r;
  {
    _cleanup_free_ char *json = state_to_json (&st, STATUS_RUNNING, false);
    hooks_run_warn (&spec->hooks->poststart, "poststart", json);
  }
  state_clear (&st);
  return 0;
}

static unsigned long long
ns_inode (pid_t pid, const char *ns)
{
  char path[64];
  struct stat sb;
  str_format (path, sizeof path, "/proc/%d/ns/%s", (int) pid, ns);
  return stat (path, &sb) == 0 ? (unsigned long long) sb.st_ino : 0;
}

static pid_t
proc_ppid (pid_t pid)
{
  _cleanup_free_ char *text = NULL;
  char path[64];
  tong_error ignored;
  int ppid = 0;
  char *p;

  str_format (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (read_file_at (AT_FDCWD, path, &text, NULL, &ignored) < 0)
    return 0;
  p = strrchr (text, ')');
  if (!p || sscanf (p + 1, " %*c %d", &ppid) != 1)
    return 0;
  return ppid;
}

/* Signal every process of the container: those in its pid namespace when it
 * has its own, otherwise the descendants of its init. */
static int
kill_all (const struct container_state *st, int sig, tong_error *err)
{
  unsigned long long pidns = st->new_pid_ns ? ns_inode (st->pid, "pid") : 0;
  DIR *d = opendir ("/proc");
  struct dirent *de;

  if (!d)
    return tong_err (err, errno, "open /proc");
  while ((de = readdir (d)))
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      bool member = false;
      if (*end || pid <= 0 || pid == st->pid)
        continue;
      if (pidns)
        member = ns_inode ((pid_t) pid, "pid") == pidns;
      else
        for (pid_t p = (pid_t) pid; p > 1 && !member; p = proc_ppid (p))
          member = p == st->pid;
      if (member)
        kill ((pid_t) pid, sig);
    }
  closedir (d);
  if (kill (st->pid, sig) < 0 && errno != ESRCH)
    return tong_err (err, errno, "kill container init %d", (int) st->pid);
  return 0;
}

static int
signal_container (const struct container_state *st, int sig, bool all, tong_error *err)
{
  _cleanup_close_ int pidfd = sys_pidfd_open (st->pid, 0);

  if (pidfd < 0)
    return errno == ESRCH ? tong_err_code (err, ESRCH, "container not running")
                          : tong_err (err, errno, "pidfd_open %d", (int) st->pid);
  /* The pid is pinned by the pidfd now: check it is still our init. */
  if (proc_start_time (st->pid) != st->start_time)
    return tong_err_code (err, ESRCH, "container not running");
  if (all)
    {
      _cleanup_cgroup_handle_ struct cgroup_handle cg = { 0 };
      if (cgroup_handle_open (st->id, st->cgroup, st->systemd_unit, &st->cgroup_paths, &cg))
        return cg.driver->kill (&cg, sig, err);
      return kill_all (st, sig, err);
    }
  if (sys_pidfd_send_signal (pidfd, sig, NULL, 0) < 0)
    return tong_err (err, errno, "send signal %d to the container", sig);
  return 0;
}

int
container_kill (struct tong_globals *g, const char *id, int sig, bool all, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  struct container_state st = { 0 };
  enum container_status status;
  int r;

  r = open_container (g, id, true, &dirfd, &st, err);
  if (r < 0)
    return r;
  status = state_status (dirfd, &st);
  r = container_op_allowed (OP_KILL, status, id, err);
  if (r == 0)
    r = signal_container (&st, sig, all, err);
  state_clear (&st);
  return r;
}

/* Wait until the init has exited (it is not our child: poll its pidfd). */
static void
wait_exit (pid_t pid, unsigned long long start_time)
{
  _cleanup_close_ int pidfd = sys_pidfd_open (pid, 0);
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

  if (pidfd < 0 || proc_start_time (pid) != start_time)
    return;
  while (poll (&pfd, 1, 10000) < 0 && errno == EINTR)
    ;
}

int
container_delete (struct tong_globals *g, const char *id, bool force, const struct oci_spec *spec,
                  tong_error *err)
{
  _cleanup_close_ int dirfd = -1, rootfd = -1;
  _cleanup_oci_spec_ struct oci_spec *loaded = NULL;
  _cleanup_cgroup_handle_ struct cgroup_handle cg = { 0 };
  struct container_state st = { 0 };
  enum container_status status;
  int r;

  r = open_container (g, id, true, &dirfd, &st, err);
  if (r < 0)
    {
      /* runc: deleting a container that does not exist with --force is not an error. */
      if (force && err->errnum == ENOENT)
        return 0;
      return r;
    }
  cgroup_handle_open (id, st.cgroup, st.systemd_unit, &st.cgroup_paths, &cg);
  if (built_with_musl ()
      && ((cg.driver && cg.driver->hand_over) || net_teardown_needs_libraries (dirfd)))
    {
      /* Its lock goes with dirfd (O_CLOEXEC): tong-full takes it again. */
      close (TAKE_FD (dirfd));
      r = twin_hand_over (cg.driver && cg.driver->hand_over
                              ? cg.driver->hand_over
                              : "bridge networking (org.tong.net.mode=bridge)",
                          err);
      goto out;
    }
  status = state_status (dirfd, &st);
  if (!force)
    {
      r = container_op_allowed (OP_DELETE, status, id, err);
      if (r < 0)
        goto out;
    }
  /* An unfinished create is stopped, but its init may live: a create killed
   * after the init reported ready leaves it waiting for `start`. */
  if ((status != STATUS_STOPPED || st.unfinished) && st.pid > 0)
    {
      r = signal_container (&st, SIGKILL, !st.new_pid_ns, err);
      if (r < 0 && err->errnum != ESRCH)
        goto out;
      wait_exit (st.pid, st.start_time);
    }
  /* What the init left behind (a container without its own pid namespace
   * may leave orphans) goes with the cgroup.  Without state.json, so does
   * an init whose pid was never recorded: one that had set itself up and
   * given up PR_SET_PDEATHSIG while its creator wrote the state, and waits
   * for `start`.  (create.json names a cgroup that held no processes of
   * another's: create looks before it records one.) */
  if (cg.driver)
    {
      r = cg.driver->destroy (&cg, err);
      if (r < 0)
        goto out;
    }
  /* Without state.json, none of the spec's hooks has run (prestart runs
   * after it is written): no poststop either. */
  if (st.pid <= 0)
    spec = NULL;
  else if (!spec && load_spec (dirfd, &loaded, err) == 0)
    spec = loaded;
  if (spec && spec->hooks && spec->hooks->poststop.len)
    {
      _cleanup_free_ char *json = state_to_json (&st, STATUS_STOPPED, false);
      hooks_run_warn (&spec->hooks->poststop, "poststop", json);
    }
  rootfd = state_root_open (g->root, false, err);
  r = rootfd < 0 ? rootfd : net_teardown (rootfd, dirfd, id, err);
  if (r == 0)
    r = state_dir_remove (rootfd, id, err);
out:
  state_clear (&st);
  return r;
}
