#include "protect.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "paths.h"
#include "procfs.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

static unsigned long
mount_flags_of (const struct statvfs *sv)
{
  static const struct
  {
    unsigned long st, ms;
  } map[] = {
    { ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },   { ST_NODEV, MS_NODEV },
    { ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
    { ST_RELATIME, MS_RELATIME },
  };
  unsigned long flags = 0;

  for (size_t i = 0; i < ARRAY_SIZE (map); i++)
    if (sv->f_flag & map[i].st)
      flags |= map[i].ms;
  return flags;
}

static unsigned long
current_mount_flags (const char *path)
{
  struct statvfs sv;

  return statvfs (path, &sv) < 0 ? 0 : mount_flags_of (&sv);
}

int
bind_remount (int fd, unsigned long flags, const char *what, tong_error *err)
{
  struct fd_path p;
  const char *target = fd_path (&p, fd);
  unsigned long base = MS_BIND | MS_REMOUNT;

  if (mount (NULL, target, NULL, base | flags, NULL) == 0)
    return 0;
  if (errno == EPERM)
    {
      unsigned long kept = current_mount_flags (target);

      /* An explicit atime mode replaces the one the mount has. */
      if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
        kept &= ~(unsigned long) (MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
      if (mount (NULL, target, NULL, base | flags | kept, NULL) == 0)
        return 0;
    }
  return tong_err (err, errno, "remount `%s` with its options", what);
}

/* An O_PATH fd of the path, -ENOENT when it does not exist, or -errno with
 * err set: below the kept procfs where the plan says it is there (by its
 * fd: the name /proc in the container's tree may have been swapped since),
 * everything else inside the root. */
static int
open_protected (const struct protect_fds *f, const struct rootfs_protect *p, const char *field,
                tong_error *err)
{
  int fd;

  if (p->procfs_rest == NULL)
    {
      fd = path_open_in_root (f->rootfd, p->path, O_PATH, PATH_CREATE_NONE, err);
      if (fd < 0 && fd != -ENOENT)
        return tong_err_prefix (err, "%s", field);
      return fd;
    }
  fd = procfs_open_beneath (f->procfs, p->procfs_rest, O_PATH);
  if (fd == -ELOOP || fd == -EXDEV)
    return tong_err (err, -fd, "%s: `%s` leads through a symlink in procfs", field, p->path);
  if (fd < 0 && fd != -ENOENT)
    return tong_err (err, -fd, "%s: open `%s` in the container's procfs", field, p->path);
  return fd;
}

static unsigned long
current_mount_flags_fd (int fd)
{
  struct statvfs sv;

  return fstatvfs (fd, &sv) < 0 ? 0 : mount_flags_of (&sv);
}

/* Kernels before 5.12 (no mount_setattr): a bind remount, with fds named
 * through the runtime's procfs; never through the container's /proc. */
static int
remount_fallback (const struct protect_fds *f, int fd, unsigned long flags)
{
  if (f->procfs < 0)
    return -ENOSYS;
  return procfs_mount_fds (f->procfs, NULL, -1, fd, NULL,
                           MS_BIND | MS_REMOUNT | flags | current_mount_flags_fd (fd), NULL);
}

int
protect_readonly_path (const struct protect_fds *f, const struct rootfs_protect *p, tong_error *err)
{
  const char *path = p->path;
  static const uint64_t attr
      = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  _cleanup_close_ int fd = -1, tree = -1, mnt = -1;
  struct mount_attr a = { .attr_set = attr };
  bool fallback = false;
  int r;

  fd = open_protected (f, p, "linux.readonlyPaths", err);
  if (fd == -ENOENT)
    return 0;
  if (fd < 0)
    return fd;
  /* A detached recursive clone of what is there, made read-only (its other
   * flags stay, as a bind remount with the current flags keeps them) before
   * it is attached: never a moment in which it is writable. */
  tree = sys_open_tree (fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree < 0)
    return tong_err (err, errno, "linux.readonlyPaths: clone the mount of `%s`", path);
  if (sys_mount_setattr (tree, "", AT_EMPTY_PATH, &a) < 0)
    {
      if (errno != ENOSYS)
        return tong_err (err, errno, "linux.readonlyPaths: make `%s` read-only", path);
      fallback = true;
    }
  if (sys_move_mount (tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return tong_err (err, errno, "linux.readonlyPaths: bind `%s` onto itself", path);
  if (!fallback)
    return 0;
  /* The fd still names the directory below the new mount: open it again. */
  mnt = open_protected (f, p, "linux.readonlyPaths", err);
  if (mnt < 0)
    return mnt == -ENOENT ? tong_err (err, ENOENT, "linux.readonlyPaths: `%s` vanished", path)
                          : mnt;
  r = remount_fallback (f, mnt, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (r < 0)
    return tong_err (err, -r, "linux.readonlyPaths: remount `%s` read-only%s", path,
                     r == -ENOSYS ? " (needs mount_setattr, Linux 5.12, or a proc mount)" : "");
  return 0;
}

/* The container's /dev/null, checked, to bind over masked files. */
static int
open_dev_null (int rootfd, tong_error *err)
{
  _cleanup_close_ int fd = -1;
  struct stat st;

  fd = path_open_in_root (rootfd, "/dev/null", O_PATH | O_NOFOLLOW, PATH_CREATE_NONE, err);
  if (fd < 0)
    return tong_err_prefix (err, "linux.maskedPaths: files are masked with /dev/null");
  if (fstat (fd, &st) < 0)
    return tong_err (err, errno, "stat /dev/null");
  if (!S_ISCHR (st.st_mode) || major (st.st_rdev) != 1 || minor (st.st_rdev) != 3)
    return tong_err (err, 0,
                     "linux.maskedPaths: /dev/null in the container is not the null device "
                     "(1:3), so files cannot be masked");
  return TAKE_FD (fd);
}

/* An empty read-only tmpfs, detached, or -errno. */
static int
empty_tmpfs (void)
{
  _cleanup_close_ int fsfd = -1;
  int mnt;

  fsfd = sys_fsopen ("tmpfs", FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return -errno;
  if (sys_fsconfig (fsfd, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0
      || sys_fsconfig (fsfd, FSCONFIG_SET_STRING, "size", "0k", 0) < 0
      || sys_fsconfig (fsfd, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0
      || sys_fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return -errno;
  mnt = sys_fsmount (fsfd, FSMOUNT_CLOEXEC,
                     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  return mnt < 0 ? -errno : mnt;
}

static int
mask_directory (const struct protect_fds *f, int fd, const char *path, tong_error *err)
{
  _cleanup_close_ int mnt = -1;
  int r;

  mnt = empty_tmpfs ();
  if (mnt >= 0)
    {
      if (sys_move_mount (mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return tong_err (err, errno, "linux.maskedPaths: attach a read-only tmpfs over `%s`", path);
      return 0;
    }
  r = mnt == -ENOSYS && f->procfs >= 0
          ? procfs_mount_fds (f->procfs, "tmpfs", -1, fd, "tmpfs",
                              MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k")
          : mnt;
  if (r < 0)
    return tong_err (err, -r, "linux.maskedPaths: mount a read-only tmpfs over `%s`", path);
  return 0;
}

int
protect_mask_path (struct protect_fds *f, const struct rootfs_protect *p, tong_error *err)
{
  const char *path = p->path;
  _cleanup_close_ int fd = -1, tree = -1;
  struct stat st;

  fd = open_protected (f, p, "linux.maskedPaths", err);
  if (fd == -ENOENT)
    return 0;
  if (fd < 0)
    return fd;
  if (fstat (fd, &st) < 0)
    return tong_err (err, errno, "linux.maskedPaths: stat `%s`", path);
  if (S_ISDIR (st.st_mode))
    return mask_directory (f, fd, path, err);
  if (f->nullfd < 0)
    {
      f->nullfd = open_dev_null (f->rootfd, err);
      if (f->nullfd < 0)
        return f->nullfd;
    }
  tree = sys_open_tree (f->nullfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return tong_err (err, errno, "linux.maskedPaths: clone /dev/null to mask `%s`", path);
  if (sys_move_mount (tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return tong_err (err, errno, "linux.maskedPaths: bind /dev/null over `%s`", path);
  return 0;
}

int
protect_readonly_root (const struct protect_fds *f, tong_error *err)
{
  struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
  int r;

  /* rootfd is "/" opened after pivot_root: the root of the container's
   * root mount, reached by no name. */
  if (sys_mount_setattr (f->rootfd, "", AT_EMPTY_PATH, &a) == 0)
    return 0;
  r = errno == ENOSYS ? remount_fallback (f, f->rootfd, MS_RDONLY) : -errno;
  if (r < 0)
    return tong_err (err, -r, "root.readonly: remount `/` read-only%s",
                     r == -ENOSYS ? " (needs mount_setattr, Linux 5.12, or a proc mount)" : "");
  return 0;
}
