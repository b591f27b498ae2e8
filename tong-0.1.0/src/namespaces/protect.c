#include "protect.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "paths.h"
#include "src/util.h"

static unsigned long
current_mount_flags (const char *path)
{
  static const struct
  {
    unsigned long st, ms;
  } map[] = {
    { ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },   { ST_NODEV, MS_NODEV },
    { ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
    { ST_RELATIME, MS_RELATIME },
  };
  struct statvfs sv;
  unsigned long flags = 0;

  if (statvfs (path, &sv) < 0)
    return 0;
  for (size_t i = 0; i < ARRAY_SIZE (map); i++)
    if (sv.f_flag & map[i].st)
      flags |= map[i].ms;
  return flags;
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
        kept &= ~(unsigned long)(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
      if (mount (NULL, target, NULL, base | flags | kept, NULL) == 0)
        return 0;
    }
  return tong_err (err, errno, "remount `%s` with its options", what);
}

static int
readonly_path (int rootfd, const char *path, tong_error *err)
{
  _cleanup_close_ int fd = -1, mnt = -1;
  struct fd_path p;

  fd = path_open_in_root (rootfd, path, O_PATH, PATH_CREATE_NONE, err);
  if (fd == -ENOENT)
    return 0;
  if (fd < 0)
    return tong_err_prefix (err, "linux.readonlyPaths");
  if (mount (fd_path (&p, fd), fd_path (&p, fd), NULL, MS_BIND | MS_REC, NULL) < 0)
    return tong_err (err, errno, "linux.readonlyPaths: bind `%s` onto itself", path);
  /* The fd still names the directory below the new mount: open it again. */
  mnt = path_open_in_root (rootfd, path, O_PATH, PATH_CREATE_NONE, err);
  if (mnt < 0)
    return tong_err_prefix (err, "linux.readonlyPaths");
  return bind_remount (
      mnt, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | current_mount_flags (fd_path (&p, mnt)),
      path, err);
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

static int
masked_path (int rootfd, const char *path, int *nullfd, tong_error *err)
{
  _cleanup_close_ int fd = -1;
  struct fd_path p, np;
  struct stat st;

  fd = path_open_in_root (rootfd, path, O_PATH, PATH_CREATE_NONE, err);
  if (fd == -ENOENT)
    return 0;
  if (fd < 0)
    return tong_err_prefix (err, "linux.maskedPaths");
  if (fstat (fd, &st) < 0)
    return tong_err (err, errno, "linux.maskedPaths: stat `%s`", path);
  if (S_ISDIR (st.st_mode))
    {
      if (mount ("tmpfs", fd_path (&p, fd), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "size=0k")
          < 0)
        return tong_err (err, errno, "linux.maskedPaths: mount a read-only tmpfs over `%s`", path);
      return 0;
    }
  if (*nullfd < 0)
    {
      *nullfd = open_dev_null (rootfd, err);
      if (*nullfd < 0)
        return *nullfd;
    }
  if (mount (fd_path (&np, *nullfd), fd_path (&p, fd), NULL, MS_BIND, NULL) < 0)
    return tong_err (err, errno, "linux.maskedPaths: bind /dev/null over `%s`", path);
  return 0;
}

static int
readonly_root (int rootfd, tong_error *err)
{
  _cleanup_close_ int fd = -1;
  struct fd_path p;

  fd = path_open_in_root (rootfd, "/", O_PATH | O_DIRECTORY, PATH_CREATE_NONE, err);
  if (fd < 0)
    return tong_err_prefix (err, "root.readonly");
  return bind_remount (fd, MS_RDONLY | current_mount_flags (fd_path (&p, fd)), "/", err);
}

int
protect_paths (int rootfd, const struct oci_spec *spec, tong_error *err)
{
  const struct oci_linux *l = spec->linux_;
  _cleanup_close_ int nullfd = -1;
  int r;

  for (char **p = l ? l->readonly_paths : NULL; p && *p; p++)
    {
      r = readonly_path (rootfd, *p, err);
      if (r < 0)
        return r;
    }
  for (char **p = l ? l->masked_paths : NULL; p && *p; p++)
    {
      r = masked_path (rootfd, *p, &nullfd, err);
      if (r < 0)
        return r;
    }
  if (spec->root && spec->root->readonly)
    return readonly_root (rootfd, err);
  return 0;
}
