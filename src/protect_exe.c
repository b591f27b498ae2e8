/* A process that still runs tong's binary inside a container's pid namespace
 * must not let the container reach that binary through /proc/PID/exe (nor its
 * fds through /proc/PID/fd): it is made non-dumpable, and where that is not
 * enough tong runs from a sealed copy of itself.  See "Hardening" in
 * docs/design.md. */
#include "protect_exe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/caps.h"
#include "src/syscalls.h"
#include "src/twin.h"
#include "src/util.h"

/* Older headers lack it; kernels before 6.3 reject it with EINVAL. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static char **start_argv;
static sigset_t start_mask;

void
protect_exe_hide_runtime (void)
{
  /* Non-dumpable: /proc/PID/{exe,fd,cwd,root,mem,environ} need
   * CAP_SYS_PTRACE in the user namespace tong was started in.  execve of the
   * container's program makes the process dumpable again.  It cannot fail
   * for the value 0. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void
protect_exe_remember_start (char **argv)
{
  start_argv = argv;
  sigprocmask (SIG_SETMASK, NULL, &start_mask);
}

static bool
bounding_has_ptrace (const struct oci_process *p)
{
  char **names = p && p->capabilities ? p->capabilities->bounding : NULL;

  for (size_t i = 0; names && names[i]; i++)
    if (caps_from_name (names[i]) == CAP_SYS_PTRACE)
      return true;
  return false;
}

/* PR_SET_DUMPABLE only stops a process without CAP_SYS_PTRACE in tong's user
 * namespace.  A container with a new user namespace holds its capabilities
 * there, never in ours.  Without one, a process of the container can hold
 * CAP_SYS_PTRACE in ours only if it is in the bounding set tong gave it (a
 * file capability or a setuid binary cannot add to the bounding set): the
 * caller says whether that may be so (may_ptrace).  Processes tong did not
 * start may share a pid namespace that the container joins by path, or the
 * host's: then nothing can be known.  A user namespace joined by path may be
 * ours. */
static bool
needs_sealed_copy (const struct oci_spec *spec, bool may_ptrace)
{
  const struct oci_namespace *user = oci_spec_namespace (spec, OCI_NS_USER);
  const struct oci_namespace *pid = oci_spec_namespace (spec, OCI_NS_PID);

  if (user && !user->path)
    return false;
  return !pid || pid->path || may_ptrace;
}

bool
protect_exe_grants_ptrace (const struct oci_process *p)
{
  return bounding_has_ptrace (p);
}

bool
protect_exe_pid_runs_runtime (pid_t pid)
{
  char path[64];
  struct stat self, other;

  str_format (path, sizeof path, "/proc/%d/exe", (int) pid);
  if (stat ("/proc/self/exe", &self) < 0 || stat (path, &other) < 0)
    return false;
  return self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

static bool
runs_from_sealed_copy (void)
{
  _cleanup_close_ int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int seals;

  if (fd < 0)
    return false;
  seals = fcntl (fd, F_GET_SEALS);
  return seals >= 0 && (seals & SEALS) == SEALS;
}

static int
sealed_copy_of_self (int *out, tong_error *err)
{
  _cleanup_close_ int exe = -1, mfd = -1;
  struct stat st;
  off_t off = 0;

  exe = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (exe < 0 || fstat (exe, &st) < 0)
    return tong_err (err, errno, "open the runtime's own binary (/proc/self/exe)");
  mfd = memfd_create ("tong", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mfd < 0 && errno == EINVAL)
    mfd = memfd_create ("tong", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return tong_err (err, errno, "create a memfd for a sealed copy of the runtime");
  while (off < st.st_size)
    {
      ssize_t n = sendfile (mfd, exe, &off, (size_t) (st.st_size - off));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return tong_err (err, errno, "copy the runtime's binary into a memfd");
      if (n == 0)
        return tong_err (err, EIO, "copy the runtime's binary into a memfd: it shrank");
    }
  if (fcntl (mfd, F_ADD_SEALS, SEALS) < 0)
    return tong_err (err, errno, "seal the memfd copy of the runtime");
  *out = TAKE_FD (mfd);
  return 0;
}

/* Exec dirfd/path with the arguments, environment and signal mask tong
 * started with: signals the caller blocked since then (tong run blocks those
 * it forwards) are not blocked across the exec.  Returns -errno. */
static int
exec_as_started (int dirfd, const char *path, int flags)
{
  sigprocmask (SIG_SETMASK, &start_mask, NULL);
  sys_execveat (dirfd, path, start_argv, environ, flags);
  return -errno;
}

int
protect_exe_reexec_if_needed (const struct oci_spec *spec, bool may_ptrace, tong_error *err)
{
  _cleanup_close_ int mfd = -1;
  _cleanup_free_ char *dir = NULL;
  int r;

  if (!needs_sealed_copy (spec, may_ptrace) || runs_from_sealed_copy ())
    return 0;
  if (!start_argv)
    return tong_err (err, EINVAL, "re-exec from a sealed copy: the arguments were not kept");
  r = sealed_copy_of_self (&mfd, err);
  if (r < 0)
    return r;
  /* Private files (src/twin.h) are found beside the binary, not the memfd. */
  dir = twin_exe_dir ();
  if (dir && setenv (TWIN_EXE_DIR_ENV, dir, 1) < 0)
    return tong_err (err, errno, "re-exec the runtime from its sealed copy");
  r = exec_as_started (mfd, "", AT_EMPTY_PATH);
  return tong_err (err, -r, "re-exec the runtime from its sealed copy");
}

int
protect_exe_exec_as_started (const char *path)
{
  if (!start_argv)
    return -EINVAL;
  return exec_as_started (AT_FDCWD, path, 0);
}

int
protect_exe_check_exec (const struct oci_spec *spec, const struct oci_process *p, pid_t init,
                        tong_error *err)
{
  const struct oci_namespace *user = oci_spec_namespace (spec, OCI_NS_USER);

  if ((user && !user->path) || !bounding_has_ptrace (p))
    return 0;
  /* The init was created without a sealed copy, since nothing could reach it. */
  if (protect_exe_pid_runs_runtime (init))
    return tong_err (err, 0,
                     "cannot exec a process with CAP_SYS_PTRACE into a container that has not "
                     "been started: its init still runs the runtime's binary, which that "
                     "capability could reach through /proc; start the container first");
  return 0;
}
