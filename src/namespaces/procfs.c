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
#include "src/base/procfs.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

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
