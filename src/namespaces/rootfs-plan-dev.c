/* The rootfs plan's /dev: device nodes and symlinks (carried out by devices.c). */
#include <string.h>
#include <sys/stat.h>

#include "rootfs-plan-parts.h"
#include "src/base/util.h"

struct dev_node
{
  const char *path;
  char type; /* 'c', 'u', 'b', 'p' */
  unsigned int major, minor;
  mode_t mode; /* the permission bits */
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

/* Split "/dev/x/y" into its parent and its last name, which must name a file. */
static int
split_path (const char *path, char **dir, char **name, tong_error *err)
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
  *dir = TAKE_PTR (parent);
  return 0;
}

/* In a user namespace, where mknod is not allowed, a node other than a fifo
 * is the host's node of the same path, bound. */
static int
plan_node (struct rootfs_plan *plan, const struct dev_node *d, tong_error *err)
{
  bool bind = plan->userns && d->type != 'p';
  struct rootfs_node *op
      = &rootfs_plan_add (plan, bind ? ROOTFS_OP_BIND_NODE : ROOTFS_OP_MKNOD)->node;

  op->path = d->path;
  op->type = d->type;
  op->mode = node_type (d->type) | (d->mode & 07777);
  op->major = d->major;
  op->minor = d->minor;
  op->uid = d->uid;
  op->gid = d->gid;
  return split_path (d->path, &op->dir, &op->name, err);
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
plan_spec_device (struct rootfs_plan *plan, const struct oci_device *od, tong_error *err)
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
  return plan_node (plan, &d, err);
}

static void
plan_symlink (struct rootfs_plan *plan, const char *name, const char *target, bool replace)
{
  struct rootfs_symlink *op = &rootfs_plan_add (plan, ROOTFS_OP_SYMLINK)->symlink;

  op->dir = "/dev";
  op->name = name;
  op->target = target;
  op->replace = replace;
}

int
rootfs_plan_dev (struct rootfs_plan *plan, const struct oci_spec *spec, bool devpts,
                 tong_error *err)
{
  const struct oci_linux *l = spec->linux_;
  int r;

  for (size_t i = 0; i < ARRAY_SIZE (default_devices); i++)
    {
      if (spec_has_device (l, default_devices[i].path))
        continue;
      r = plan_node (plan, &default_devices[i], err);
      if (r < 0)
        return r;
    }
  for (size_t i = 0; l && i < l->devices_len; i++)
    {
      r = plan_spec_device (plan, &l->devices[i], err);
      if (r < 0)
        return r;
    }
  for (size_t i = 0; i < ARRAY_SIZE (dev_symlinks); i++)
    plan_symlink (plan, dev_symlinks[i].name, dev_symlinks[i].target, false);
  /* The devpts instance's own ptmx, in place of whatever /dev/ptmx was. */
  if (devpts)
    plan_symlink (plan, "ptmx", "pts/ptmx", true);
  return 0;
}
