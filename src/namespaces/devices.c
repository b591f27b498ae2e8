#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "paths.h"
#include "src/base/util.h"

static int
open_dir (int rootfd, const char *dir, tong_error *err)
{
  return path_open_in_root (rootfd, dir, O_PATH | O_DIRECTORY, PATH_CREATE_DIR, err);
}

int
devices_bind_host_node (int rootfd, const struct rootfs_node *n, tong_error *err)
{
  _cleanup_close_ int dirfd = -1, hostfd = -1, fd = -1;
  struct fd_path hp, tp;
  struct stat st;

  dirfd = open_dir (rootfd, n->dir, err);
  if (dirfd < 0)
    return dirfd;
  hostfd = open (n->path, O_PATH | O_CLOEXEC);
  if (hostfd < 0)
    return tong_err (err, errno, "open the host's `%s` to bind it into the container", n->path);
  if (fstat (hostfd, &st) < 0)
    return tong_err (err, errno, "stat the host's `%s`", n->path);
  if ((st.st_mode & S_IFMT) != (n->mode & S_IFMT) || major (st.st_rdev) != n->major
      || minor (st.st_rdev) != n->minor)
    return tong_err (err, 0,
                     "the host's `%s` is not device %c %u:%u: in a user namespace devices "
                     "are bound from the host path of the same name",
                     n->path, n->type, n->major, n->minor);
  fd = openat (dirfd, n->name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return tong_err (err, errno, "create `%s` in the rootfs", n->path);
  if (mount (fd_path (&hp, hostfd), fd_path (&tp, fd), NULL, MS_BIND, NULL) < 0)
    return tong_err (err, errno, "bind the host's `%s` into the container", n->path);
  return 0;
}

int
devices_mknod (int rootfd, const struct rootfs_node *n, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  mode_t old_umask;
  int r;

  dirfd = open_dir (rootfd, n->dir, err);
  if (dirfd < 0)
    return dirfd;
  if (unlinkat (dirfd, n->name, 0) < 0 && errno != ENOENT)
    return tong_err (err, errno, "replace `%s` in the rootfs", n->path);
  old_umask = umask (0);
  r = mknodat (dirfd, n->name, n->mode, makedev (n->major, n->minor));
  umask (old_umask);
  if (r < 0)
    return tong_err (err, errno, "mknod `%s` (%c %u:%u)", n->path, n->type, n->major, n->minor);
  if (fchownat (dirfd, n->name, n->uid, n->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return tong_err (err, errno, "chown `%s` to %u:%u", n->path, (unsigned) n->uid,
                     (unsigned) n->gid);
  return 0;
}

int
devices_symlink (int rootfd, const struct rootfs_symlink *l, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;

  dirfd = open_dir (rootfd, l->dir, err);
  if (dirfd < 0)
    return dirfd;
  if (l->replace && unlinkat (dirfd, l->name, 0) < 0 && errno != ENOENT)
    return tong_err (err, errno, "remove `%s/%s` to link it to `%s`", l->dir, l->name, l->target);
  if (symlinkat (l->target, dirfd, l->name) < 0 && (l->replace || errno != EEXIST))
    return tong_err (err, errno, "symlink `%s/%s` to `%s`", l->dir, l->name, l->target);
  return 0;
}
