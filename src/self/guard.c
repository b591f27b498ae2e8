/* Keeping tong's binary out of the container's reach for writing
 * (CVE-2019-5736).
 *
 * Every process tong clones into a container (the init, the process of
 * `tong exec`, the hooks the init runs) runs tong's binary until it execs
 * the container's program.  If that program is a script whose interpreter is
 * `/proc/self/exe`, the kernel runs tong's binary again, now as a dumpable
 * process of the container, with the image's own ELF interpreter (tong's
 * PT_INTERP resolved in the container's root) loaded into it; /proc/self/exe
 * then names the host's binary, and once tong has exited an open for
 * writing succeeds.  Non-dumpability does not help: the process is the
 * container's.  So the binary that runs in the container must be one no
 * open can write: create, run and exec re-exec tong, before anything exists,
 * from a read-only clone of its own mount (or from a sealed memfd copy where
 * the kernel or the user's privilege cannot clone a mount).  See
 * "Hardening" in docs/design.md for the choice and its cost. */
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "src/base/syscalls.h"
#include "src/self/twin.h"
#include "src/base/util.h"

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

/* A file no open can write, whoever asks: a memfd sealed against writes, or
 * a file on a read-only mount.  A read-only clone tong made of its mount is
 * detached and, once the fd that made it is gone, unmounted: nothing can
 * remount it read-write. */
static bool
fd_is_protected (int fd)
{
  struct statvfs sv;
  int seals = fcntl (fd, F_GET_SEALS);

  if (seals >= 0 && (seals & SEALS) == SEALS)
    return true;
  return fstatvfs (fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

bool
protect_exe_running_protected (void)
{
  _cleanup_close_ int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);

  /* A binary one may run but not read: its mount flags still tell. */
  if (fd < 0)
    fd = open ("/proc/self/exe", O_PATH | O_CLOEXEC);
  return fd >= 0 && fd_is_protected (fd);
}

/* Exec dirfd/path with the arguments, environment and signal mask tong
 * started with: signals the caller blocked since then (tong run blocks those
 * it forwards) are not blocked across the exec.  Returns -errno. */
static int
exec_as_started (int dirfd, const char *path, int flags)
{
  if (!start_argv)
    return -EINVAL;
  sigprocmask (SIG_SETMASK, &start_mask, NULL);
  sys_execveat (dirfd, path, start_argv, environ, flags);
  return -errno;
}

/* A detached clone of the mount that holds path (the file itself as its
 * root), read-only; an O_PATH fd of the file, close-on-exec. */
static int
readonly_clone (int dirfd, const char *path, int flags)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV };
  _cleanup_close_ int fd = -1;

  fd = sys_open_tree (dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (unsigned) flags);
  if (fd < 0)
    return -errno;
  if (sys_mount_setattr (fd, "", AT_EMPTY_PATH, &attr) < 0)
    return -errno;
  return TAKE_FD (fd);
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

/* Private files (src/self/twin.h) are found beside the binary, which the copy's
 * /proc/self/exe no longer names.  Returns -errno. */
static int
remember_exe_dir (const char *dir)
{
  return dir && setenv (TWIN_EXE_DIR_ENV, dir, 1) < 0 ? -errno : 0;
}

int
protect_exe_ensure (tong_error *err)
{
  _cleanup_close_ int fd = -1;
  _cleanup_free_ char *dir = NULL;
  int r;

  if (protect_exe_running_protected ())
    return 0;
  dir = twin_exe_dir ();
  r = remember_exe_dir (dir);
  if (r < 0)
    return tong_err (err, -r, "re-exec the runtime from a read-only copy");
  /* Cloning a mount needs CAP_SYS_ADMIN over the caller's mount namespace
   * (a user who is not root has none) and Linux 5.12; else the copy. */
  fd = readonly_clone (AT_FDCWD, "/proc/self/exe", 0);
  if (fd >= 0)
    {
      r = exec_as_started (fd, "", AT_EMPTY_PATH);
      return tong_err (err, -r, "re-exec the runtime from a read-only mount of its binary");
    }
  r = sealed_copy_of_self (&fd, err);
  if (r < 0)
    return r;
  r = exec_as_started (fd, "", AT_EMPTY_PATH);
  return tong_err (err, -r, "re-exec the runtime from its sealed copy");
}

int
protect_exe_exec_as_started (const char *path)
{
  _cleanup_close_ int fd = readonly_clone (AT_FDCWD, path, 0);
  _cleanup_free_ char *copy = NULL;
  char *slash;
  int r;

  if (fd < 0)
    return exec_as_started (AT_FDCWD, path, 0);
  copy = xstrdup (path);
  slash = strrchr (copy, '/');
  if (slash)
    {
      *slash = '\0';
      r = remember_exe_dir (slash == copy ? "/" : copy);
      if (r < 0)
        return r;
    }
  /* A script (a stand-in) cannot be exec'd from a close-on-exec fd: its
   * interpreter would reopen it.  By path, tong-full protects itself. */
  r = exec_as_started (fd, "", AT_EMPTY_PATH);
  return r == -ENOENT ? exec_as_started (AT_FDCWD, path, 0) : r;
}
