#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "paths.h"
#include "src/base/util.h"

struct dev_node
{
  const char *path;
  char type; /* 'c', 'u', 'b', 'p' */
  unsigned int major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static const struct dev_node default_devices[] = {
  { "/dev/null", 'c', 1, 3, 0666, 0, 0 },    { "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
  { "/dev/full", 'c', 1, 7, 0666, 0, 0 },    { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
  { "/dev/urandom", 'c', 1, 9, 0666, 0, 0 }, { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

static const struct
{
  const char *target, *name;
} dev_symlinks[] = {
  { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
  { "/proc/self/fd/2", "stderr" }, { "/proc/kcore", "core" },
};

/* Split "/dev/x/y" into its parent, opened (and created) inside the root, and
 * the last name. */
static int
open_parent (int rootfd, const char *path, char **name, tong_error *err)
{
  _cleanup_free_ char *parent = xstrdup (path);
  char *slash;
  size_t len = strlen (parent);

  while (len > 1 && parent[len - 1] == '/')
    parent[--len] = '\0';
  slash = strrchr (parent, '/');
  if (slash == NULL)
    {
      *name = xstrdup (parent);
      parent[0] = '\0';
    }
  else
    {
      *name = xstrdup (slash + 1);
      slash[slash == parent ? 1 : 0] = '\0';
    }
  if (**name == '\0' || strcmp (*name, ".") == 0 || strcmp (*name, "..") == 0)
    {
      free (TAKE_PTR (*name));
      return tong_err (err, 0, "device path `%s` does not name a file", path);
    }
  return path_open_in_root (rootfd, parent, O_PATH | O_DIRECTORY, PATH_CREATE_DIR, err);
}

static mode_t
node_type (char type)
{
  switch (type)
    {
    case 'b':
      return S_IFBLK;
    case 'p':
      return S_IFIFO;
    default:
      return S_IFCHR;
    }
}

/* In a user namespace: an empty file with the host's node bound over it. */
static int
bind_host_device (int dirfd, const char *name, const struct dev_node *d, tong_error *err)
{
  _cleanup_close_ int hostfd = -1, fd = -1;
  struct fd_path hp, tp;
  struct stat st;

  hostfd = open (d->path, O_PATH | O_CLOEXEC);
  if (hostfd < 0)
    return tong_err (err, errno, "open the host's `%s` to bind it into the container", d->path);
  if (fstat (hostfd, &st) < 0)
    return tong_err (err, errno, "stat the host's `%s`", d->path);
  if ((st.st_mode & S_IFMT) != node_type (d->type) || major (st.st_rdev) != d->major
      || minor (st.st_rdev) != d->minor)
    return tong_err (err, 0,
                     "the host's `%s` is not device %c %u:%u: in a user namespace devices "
                     "are bound from the host path of the same name",
                     d->path, d->type, d->major, d->minor);
  fd = openat (dirfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return tong_err (err, errno, "create `%s` in the rootfs", d->path);
  if (mount (fd_path (&hp, hostfd), fd_path (&tp, fd), NULL, MS_BIND, NULL) < 0)
    return tong_err (err, errno, "bind the host's `%s` into the container", d->path);
  return 0;
}

static int
create_device (int rootfd, const struct dev_node *d, bool userns, tong_error *err)
{
  _cleanup_free_ char *name = NULL;
  _cleanup_close_ int dirfd = -1;
  mode_t old_umask;
  int r;

  dirfd = open_parent (rootfd, d->path, &name, err);
  if (dirfd < 0)
    return dirfd;
  if (userns && d->type != 'p')
    return bind_host_device (dirfd, name, d, err);

  if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT)
    return tong_err (err, errno, "replace `%s` in the rootfs", d->path);
  old_umask = umask (0);
  r = mknodat (dirfd, name, node_type (d->type) | (d->mode & 07777), makedev (d->major, d->minor));
  umask (old_umask);
  if (r < 0)
    return tong_err (err, errno, "mknod `%s` (%c %u:%u)", d->path, d->type, d->major, d->minor);
  if (fchownat (dirfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return tong_err (err, errno, "chown `%s` to %u:%u", d->path, (unsigned) d->uid,
                     (unsigned) d->gid);
  return 0;
}

static bool
spec_has_device (const struct oci_linux *l, const char *path)
{
  for (size_t i = 0; l && i < l->devices_len; i++)
    if (strcmp (l->devices[i].path, path) == 0)
      return true;
  return false;
}

static int
create_spec_device (int rootfd, const struct oci_device *od, bool userns, tong_error *err)
{
  struct dev_node d = {
    .path = od->path,
    .type = od->type,
    .major = (unsigned int) od->major,
    .minor = (unsigned int) od->minor,
    .mode = od->has_file_mode ? (mode_t) od->file_mode : 0666,
    .uid = od->has_uid ? od->uid : 0,
    .gid = od->has_gid ? od->gid : 0,
  };

  if (strchr ("cubp", od->type) == NULL || od->type == '\0')
    return tong_err (err, 0, "linux.devices: `%s` has unknown type `%c` (use c, u, b or p)",
                     od->path, od->type);
  if (od->type != 'p' && (!od->has_major || !od->has_minor))
    return tong_err (err, 0, "linux.devices: `%s` needs major and minor numbers", od->path);
  if (od->path[0] != '/')
    return tong_err (err, 0, "linux.devices: path `%s` must be absolute", od->path);
  return create_device (rootfd, &d, userns, err);
}

static int
create_symlinks (int rootfd, bool devpts, tong_error *err)
{
  _cleanup_close_ int devfd = -1;

  devfd = path_open_in_root (rootfd, "/dev", O_PATH | O_DIRECTORY, PATH_CREATE_DIR, err);
  if (devfd < 0)
    return devfd;
  for (size_t i = 0; i < ARRAY_SIZE (dev_symlinks); i++)
    if (symlinkat (dev_symlinks[i].target, devfd, dev_symlinks[i].name) < 0 && errno != EEXIST)
      return tong_err (err, errno, "symlink `/dev/%s` to `%s`", dev_symlinks[i].name,
                       dev_symlinks[i].target);
  if (devpts)
    {
      if (unlinkat (devfd, "ptmx", 0) < 0 && errno != ENOENT)
        return tong_err (err, errno, "remove `/dev/ptmx` to link it to `pts/ptmx`");
      if (symlinkat ("pts/ptmx", devfd, "ptmx") < 0)
        return tong_err (err, errno, "symlink `/dev/ptmx` to `pts/ptmx`");
    }
  return 0;
}

int
devices_setup (int rootfd, const struct oci_spec *spec, bool userns, bool devpts, tong_error *err)
{
  const struct oci_linux *l = spec->linux_;
  int r;

  for (size_t i = 0; i < ARRAY_SIZE (default_devices); i++)
    {
      if (spec_has_device (l, default_devices[i].path))
        continue;
      r = create_device (rootfd, &default_devices[i], userns, err);
      if (r < 0)
        return r;
    }
  for (size_t i = 0; l && i < l->devices_len; i++)
    {
      r = create_spec_device (rootfd, &l->devices[i], userns, err);
      if (r < 0)
        return r;
    }
  return create_symlinks (rootfd, devpts, err);
}
