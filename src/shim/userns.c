#include "src/shim/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/namespaces/idmap-helpers.h"
#include "src/namespaces/subid.h"
#include "src/base/util.h"

static int
wait_for (pid_t pid, int *status)
{
  while (waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return -errno;
  return 0;
}

/* The mapper: once the parent has unshared (a byte on go), write its maps
 * with the setuid helpers; any error goes back through report. */
static void __attribute__ ((noreturn))
mapper (pid_t target, const struct subid_maps *m, int go, int report)
{
  tong_error e = { 0 };
  char c;
  int r;

  if (read (go, &c, 1) != 1)
    _exit (1);
  r = idmap_helper_write (target, "newuidmap", "uidMappings", m->uids, m->n_uids, &e);
  if (r == 0)
    r = idmap_helper_write (target, "newgidmap", "gidMappings", m->gids, m->n_gids, &e);
  if (r < 0 && write (report, &e, sizeof e) < 0)
    _exit (2);
  _exit (r < 0);
}

int
shim_userns_enter (tong_error *err)
{
  struct subid_maps m;
  _cleanup_close_ int go_r = -1, go_w = -1, rep_r = -1, rep_w = -1;
  int fds[2], status = 0, r;
  tong_error e = { 0 };
  pid_t self = getpid (), child;
  ssize_t n;

  subid_maps_of_caller (&m);
  if (m.n_uids < 2 || m.n_gids < 2)
    return tong_err (err, 0,
                     "user %s has no subordinate ids in /etc/subuid and /etc/subgid: a rootless "
                     "store needs them for the owners of an image's files (as root: usermod "
                     "--add-subuids 100000-165535 --add-subgids 100000-165535 %s)",
                     m.user, m.user);
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return tong_err (err, errno, "pipe");
  go_r = fds[0];
  go_w = fds[1];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return tong_err (err, errno, "pipe");
  rep_r = fds[0];
  rep_w = fds[1];
  child = fork ();
  if (child < 0)
    return tong_err (err, errno, "fork the id mapper");
  if (child == 0)
    mapper (self, &m, go_r, rep_w);
  closep (&rep_w);
  rep_w = -1;
  if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0)
    {
      r = tong_err (err, errno,
                    "create a user namespace as user %s (does the kernel allow "
                    "unprivileged user namespaces? sysctl user.max_user_namespaces)",
                    m.user);
      closep (&go_w);
      go_w = -1;
      wait_for (child, &status);
      return r;
    }
  if (write (go_w, "g", 1) != 1)
    {
      r = tong_err (err, errno, "start the id mapper");
      closep (&go_w);
      go_w = -1;
      wait_for (child, &status);
      return r;
    }
  n = read (rep_r, &e, sizeof e);
  r = wait_for (child, &status);
  if (r < 0)
    return tong_err (err, -r, "wait for the id mapper");
  if (n == (ssize_t) sizeof e)
    {
      *err = e;
      return tong_err_prefix (err, "map the ids of user %s", m.user);
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return tong_err (err, EPERM, "map the ids of user %s: the mapper failed", m.user);
  if (setresgid (0, 0, 0) < 0 || setgroups (0, NULL) < 0 || setresuid (0, 0, 0) < 0)
    return tong_err (err, errno, "become root in the user namespace of user %s", m.user);
  /* Nothing mounted here may reach the host's mount tree. */
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return tong_err (err, errno, "make the user namespace's mount tree private");
  return 0;
}

struct call_report
{
  int r;
  tong_error err;
};

int
shim_userns_call (int (*fn) (void *arg, tong_error *err), void *arg, tong_error *err)
{
  _cleanup_close_ int rd = -1;
  struct call_report rep = { 0 };
  int fds[2], status = 0, r;
  size_t got = 0;
  pid_t child;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return tong_err (err, errno, "pipe");
  rd = fds[0];
  fflush (stdout);
  fflush (stderr);
  child = fork ();
  if (child < 0)
    {
      close (fds[1]);
      return tong_err (err, errno, "fork");
    }
  if (child == 0)
    {
      close (fds[0]);
      rep.r = shim_userns_enter (&rep.err);
      if (rep.r == 0)
        rep.r = fn (arg, &rep.err);
      if (write (fds[1], &rep, sizeof rep) != (ssize_t) sizeof rep)
        _exit (1);
      _exit (0);
    }
  close (fds[1]);
  while (got < sizeof rep)
    {
      ssize_t n = read (rd, (char *) &rep + got, sizeof rep - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (size_t) n;
    }
  r = wait_for (child, &status);
  if (r < 0)
    return tong_err (err, -r, "wait for the user namespace helper");
  if (got < sizeof rep)
    return tong_err (err, EIO, "the helper in the user namespace died (%s %d)",
                     WIFSIGNALED (status) ? "signal" : "exit status",
                     WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status));
  /* A positive result may come with a message too (a command lookup's). */
  if (rep.r != 0)
    *err = rep.err;
  return rep.r;
}

static int
remove_tree (void *arg, tong_error *err)
{
  return rm_rf_at (AT_FDCWD, arg, err);
}

int
shim_remove_tree (const struct shim_globals *g, const char *path, tong_error *err)
{
  if (access (path, F_OK) < 0 && errno == ENOENT)
    return 0;
  if (!g->rootless || geteuid () == 0)
    return rm_rf_at (AT_FDCWD, path, err);
  return shim_userns_call (remove_tree, (void *) path, err);
}
