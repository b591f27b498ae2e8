#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mount-options.h"
#include "paths.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

/* procfs's root directory has this inode number on every kernel. */
#define PROCFS_ROOT_INO 1

int
procfs_check_root (int fd, const char *what, tong_error *err)
{
  struct statfs sf;
  struct stat st;

  if (fstatfs (fd, &sf) < 0)
    return tong_err (err, errno, "statfs %s", what);
  if (fstat (fd, &st) < 0)
    return tong_err (err, errno, "stat %s", what);
  if (sf.f_type != PROC_SUPER_MAGIC || st.st_ino != PROCFS_ROOT_INO)
    return tong_err (err, EXDEV,
                     "%s is not the root of the procfs the runtime mounted (was the rootfs "
                     "changed while the container was created?)",
                     what);
  return 0;
}

int
procfs_open_beneath (int procfs, const char *rest, int flags)
{
  int fd;

  do
    fd = sys_openat2 (procfs, *rest ? rest : ".", (uint64_t)(flags | O_CLOEXEC), 0,
                      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  return fd < 0 ? -errno : fd;
}

int
procfs_open_self (const char *rest, int flags)
{
  _cleanup_close_ int proc = open ("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  tong_error ignored;
  char self[32], path[PATH_MAX];
  ssize_t n;
  int len;

  if (proc < 0)
    return -errno;
  if (procfs_check_root (proc, "/proc", &ignored) < 0)
    return -EXDEV;
  /* The kernel's own link: this process's pid as that procfs numbers it. */
  n = readlinkat (proc, "self", self, sizeof self - 1);
  if (n < 0)
    return -errno;
  self[n] = '\0';
  len = str_format (path, sizeof path, "%s/%s", self, rest);
  if (len < 0 || (size_t) len >= sizeof path)
    return -ENAMETOOLONG;
  return procfs_open_beneath (proc, path, flags);
}

/* Hand the data string to the filesystem context one option at a time. */
static int
fsconfig_data (int fsfd, const char *data)
{
  _cleanup_free_ char *copy = data ? xstrdup (data) : NULL;
  char *save = NULL;

  for (char *opt = copy ? strtok_r (copy, ",", &save) : NULL; opt;
       opt = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (opt, '=');
      int r;

      if (eq)
        {
          *eq = '\0';
          r = sys_fsconfig (fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
        }
      else
        r = sys_fsconfig (fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
      if (r < 0)
        return -errno;
    }
  return 0;
}

/* The mount as a detached fd (fsopen/fsmount), or -errno. */
static int
procfs_new_mount (const char *source, unsigned long flags, const char *data)
{
  _cleanup_close_ int fsfd = -1;
  int mnt, r;

  fsfd = sys_fsopen ("proc", FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return -errno;
  if (source && sys_fsconfig (fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    return -errno;
  r = fsconfig_data (fsfd, data);
  if (r < 0)
    return r;
  /* mount(2)'s MS_RDONLY makes the filesystem read-only too, not just the mount. */
  if ((flags & MS_RDONLY) && sys_fsconfig (fsfd, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0)
    return -errno;
  if (sys_fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return -errno;
  mnt = sys_fsmount (fsfd, FSMOUNT_CLOEXEC, (unsigned int) mount_attr_from_flags (flags));
  return mnt < 0 ? -errno : mnt;
}

int
procfs_mount (int dstfd, const char *source, unsigned long flags, const char *data,
              const char *dest, tong_error *err)
{
  _cleanup_close_ int mnt = -1;
  struct fd_path dp;
  int r;

  mnt = procfs_new_mount (source, flags, data);
  if (mnt >= 0)
    {
      if (sys_move_mount (mnt, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
          < 0)
        return tong_err (err, errno, "attach the new procfs on `%s`", dest);
    }
  else if (mnt == -ENOSYS)
    {
      /* No new mount API: /proc/self/fd is still the runtime's /proc here
       * (before pivot_root); the fd of the result comes from a lookup by
       * name, so it is checked below to be a procfs root. */
      mnt = -1;
      if (mount (source, fd_path (&dp, dstfd), "proc", flags, data) < 0)
        return tong_err (err, errno, "mount `%s` (type proc%s%s) on `%s`", source,
                         data ? ", options " : "", data ? data : "", dest);
      mnt = openat (dstfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (mnt < 0)
        return tong_err (err, errno, "open the parent of `%s`", dest);
      {
        _cleanup_close_ int parent = TAKE_FD (mnt);
        const char *name = strrchr (dest, '/');

        mnt = openat (parent, name && name[1] ? name + 1 : ".",
                      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      }
      if (mnt < 0)
        return tong_err (err, errno, "open the procfs mounted on `%s`", dest);
    }
  else
    return tong_err (err, -mnt, "mount `%s` (type proc%s%s) on `%s`", source,
                     data ? ", options " : "", data ? data : "", dest);
  r = procfs_check_root (mnt, dest, err);
  if (r < 0)
    return r;
  return TAKE_FD (mnt);
}

int
procfs_mount_fds (int procfs, const char *source, int srcfd, int dstfd, const char *type,
                  unsigned long flags, const char *data)
{
  _cleanup_close_ int cwd = -1;
  char src[32], dst[32];
  int r = 0;

  cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cwd < 0)
    return -errno;
  if (srcfd >= 0)
    {
      str_format (src, sizeof src, "self/fd/%d", srcfd);
      source = src;
    }
  str_format (dst, sizeof dst, "self/fd/%d", dstfd);
  /* Relative to the runtime's procfs: "self" and "fd/N" are the kernel's
   * own links there, whatever the container's tree holds. */
  if (fchdir (procfs) < 0)
    return -errno;
  if (mount (source, dst, type, flags, data) < 0)
    r = -errno;
  if (fchdir (cwd) < 0 && r == 0)
    r = -errno;
  return r;
}
