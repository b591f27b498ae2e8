#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "idmap.h"
#include "mount-options.h"
#include "paths.h"
#include "procfs.h"
#include "protect.h"
#include "sysctl.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

static bool
spec_has_namespace (const struct oci_spec *spec, enum oci_ns_type type, bool new_only)
{
  const struct oci_linux *l = spec->linux_;

  for (size_t i = 0; l && i < l->namespaces_len; i++)
    if (l->namespaces[i].type == type && (!new_only || l->namespaces[i].path == NULL))
      return true;
  return false;
}

/* Open the destination of a mount inside the rootfs, creating it. */
static int
open_destination (int rootfd, const struct oci_mount *m, bool as_file, tong_error *err)
{
  int fd = path_open_in_root (rootfd, m->destination, O_PATH,
                              as_file ? PATH_CREATE_FILE : PATH_CREATE_DIR, err);
  if (fd < 0)
    return tong_err_prefix (err, "mount destination `%s`", m->destination);
  return fd;
}

/* Apply what must follow the mount itself: the bind remount for ro/nosuid/...,
 * recursive attributes and the propagation type.  The old fd names the
 * directory under the new mount, so the destination is opened again. */
static int
mount_finish (int rootfd, const struct oci_mount *m, const struct mount_options *o,
              unsigned long remount_flags, tong_error *err)
{
  _cleanup_close_ int fd = -1;
  struct fd_path p;

  if (remount_flags == 0 && o->propagation == 0 && o->rec_attr_set == 0 && o->rec_attr_clr == 0)
    return 0;
  fd = path_open_in_root (rootfd, m->destination, O_PATH, PATH_CREATE_NONE, err);
  if (fd < 0)
    return tong_err_prefix (err, "mount destination `%s`", m->destination);
  if (remount_flags)
    {
      int r = bind_remount (fd, remount_flags, m->destination, err);
      if (r < 0)
        return r;
    }
  if (o->rec_attr_set || o->rec_attr_clr)
    {
      struct mount_attr attr = { .attr_set = o->rec_attr_set, .attr_clr = o->rec_attr_clr };

      if (sys_mount_setattr (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
        return tong_err (err, errno, "set recursive mount attributes (rro, ...) on `%s`",
                         m->destination);
    }
  if (o->propagation && mount (NULL, fd_path (&p, fd), NULL, o->propagation, NULL) < 0)
    return tong_err (err, errno, "set the propagation of `%s`", m->destination);
  return 0;
}

/* The idmapped tree the runtime prepared for this mount, or -1. */
static int
idmap_tree_of (const struct rootfs_ctx *ctx, const struct oci_mount *m)
{
  return ctx->idmap_trees ? ctx->idmap_trees[m - ctx->spec->mounts] : -1;
}

static int
mount_bind (const struct rootfs_ctx *ctx, int rootfd, const struct oci_mount *m, const char *source,
            const struct mount_options *o, tong_error *err)
{
  _cleanup_free_ char *abs = NULL;
  _cleanup_close_ int srcfd = -1, dstfd = -1;
  int tree = idmap_tree_of (ctx, m);
  struct fd_path sp, dp;
  struct stat st;
  int r;

  if (source == NULL || *source == '\0')
    return tong_err (err, 0, "bind mount on `%s` has no source", m->destination);
  if (source[0] != '/')
    {
      abs = xasprintf ("%s/%s", ctx->bundle, source);
      source = abs;
    }
  if (tree < 0)
    {
      srcfd = open (source, O_PATH | O_CLOEXEC);
      if (srcfd < 0)
        return tong_err (err, errno, "open bind mount source `%s` for `%s`", source,
                         m->destination);
    }
  if (fstat (tree >= 0 ? tree : srcfd, &st) < 0)
    return tong_err (err, errno, "stat bind mount source `%s`", source);
  dstfd = open_destination (rootfd, m, !S_ISDIR (st.st_mode), err);
  if (dstfd < 0)
    return dstfd;
  if (tree >= 0)
    {
      r = idmap_tree_attach (tree, dstfd, m->destination, err);
      if (r < 0)
        return r;
    }
  else if (mount (fd_path (&sp, srcfd), fd_path (&dp, dstfd), NULL, MS_BIND | (o->flags & MS_REC),
                  NULL)
           < 0)
    return tong_err (err, errno, "bind `%s` on `%s`", source, m->destination);
  return mount_finish (rootfd, m, o, mount_options_bind_remount_flags (o), err);
}

/* In a user namespace some filesystems can only be had by binding the host's
 * instance, as runc does: sysfs without a new network namespace, mqueue
 * without a new ipc namespace, cgroup2 without a new cgroup namespace. */
static const char *
host_fallback (const struct rootfs_ctx *ctx, const char *type, int errnum)
{
  if (!ctx->userns || errnum != EPERM)
    return NULL;
  if (strcmp (type, "sysfs") == 0 && !spec_has_namespace (ctx->spec, OCI_NS_NETWORK, true))
    return "/sys";
  if (strcmp (type, "mqueue") == 0 && !spec_has_namespace (ctx->spec, OCI_NS_IPC, true))
    return "/dev/mqueue";
  if (strcmp (type, "cgroup2") == 0 && !spec_has_namespace (ctx->spec, OCI_NS_CGROUP, true))
    return "/sys/fs/cgroup";
  return NULL;
}

static int
mount_fs (struct rootfs_ctx *ctx, int rootfd, const struct rootfs_mount *op, tong_error *err)
{
  const struct oci_mount *m = op->m;
  const struct mount_options *o = &op->o;
  _cleanup_close_ int dstfd = -1;
  const char *type = op->type;
  const char *source = m->source && *m->source ? m->source : m->type;
  const char *fallback;
  _cleanup_free_ char *labelled = NULL;
  const char *data = o->data;
  unsigned long flags = o->flags;
  unsigned long remount_flags = 0;
  struct fd_path dp;

  /* linux.mountLabel: context="LABEL" (the runtime checked that SELinux is on). */
  labelled = mount_options_labelled (o->data, type, ctx->spec->linux_->mount_label);
  if (labelled)
    data = labelled;

  dstfd = open_destination (rootfd, m, false, err);
  if (dstfd < 0)
    return dstfd;
  if (strcmp (type, "proc") == 0)
    {
      /* Keep the new mount's own fd: what happens to the name later does
       * not matter to the masks and sysctls that go through it. */
      int procfs = procfs_mount (dstfd, source, flags, data, m->destination, err);
      if (procfs < 0)
        return procfs;
      closep (&ctx->procfs);
      ctx->procfs = procfs;
      ctx->procfs_dest = m->destination;
      return mount_finish (rootfd, m, o, 0, err);
    }
  if (mount (source, fd_path (&dp, dstfd), type, flags, data) == 0)
    return mount_finish (rootfd, m, o, 0, err);

  fallback = host_fallback (ctx, type, errno);
  if (fallback == NULL)
    return tong_err (err, errno, "mount `%s` (type %s%s%s) on `%s`", source, type,
                     data ? ", options " : "", data ? data : "", m->destination);
  if (mount (fallback, fd_path (&dp, dstfd), NULL, MS_BIND | MS_REC, NULL) < 0)
    return tong_err (err, errno, "bind the host's `%s` on `%s` (a user namespace cannot mount %s)",
                     fallback, m->destination, type);
  remount_flags = o->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  return mount_finish (rootfd, m, o, remount_flags, err);
}

static int
mount_entry (struct rootfs_ctx *ctx, int rootfd, const struct rootfs_mount *op, tong_error *err)
{
  if (op->kind == ROOTFS_BIND)
    return mount_bind (ctx, rootfd, op->m, op->m->source, &op->o, err);
  return mount_fs (ctx, rootfd, op, err);
}

/* tmpfs mounts asked to be read-only were mounted writable so /dev could be
 * filled; make them read-only now. */
static int
remount_readonly_tmpfs (int rootfd, const struct rootfs_plan *plan, tong_error *err)
{
  for (size_t i = 0; i < plan->n_mounts; i++)
    {
      const struct rootfs_mount *op = &plan->mounts[i];
      _cleanup_close_ int fd = -1;
      int r;

      if (op->readonly_later == 0)
        continue;
      fd = path_open_in_root (rootfd, op->m->destination, O_PATH, PATH_CREATE_NONE, err);
      if (fd < 0)
        return tong_err_prefix (err, "mount destination `%s`", op->m->destination);
      r = bind_remount (fd, op->readonly_later, op->m->destination, err);
      if (r < 0)
        return r;
    }
  return 0;
}

static unsigned long
root_propagation_default (void)
{
  return MS_REC | MS_PRIVATE;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void
mountinfo_unescape (char *s)
{
  char *out = s;

  while (*s)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0'
          && s[3] <= '7')
        {
          *out++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
          s += 4;
        }
      else
        *out++ = *s++;
    }
  *out = '\0';
}

/* pivot_root refuses a new root whose parent mount is shared: with a shared
 * rootfsPropagation, make the mount that holds the rootfs private. */
static int
make_rootfs_parent_private (const char *rootfs, tong_error *err)
{
  _cleanup_free_ char *info = NULL, *best = NULL;
  size_t best_len = 0;
  char *save = NULL;
  int r;

  r = read_file_at (AT_FDCWD, "/proc/self/mountinfo", &info, NULL, err);
  if (r < 0)
    return r;
  for (char *line = strtok_r (info, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *field = line, *mp;
      size_t len;

      /* The fifth field is the mount point. */
      for (int i = 0; i < 4 && field; i++)
        field = strchr (field, ' ') ? strchr (field, ' ') + 1 : NULL;
      if (field == NULL)
        continue;
      mp = xmalloc (strcspn (field, " ") + 1);
      memcpy (mp, field, strcspn (field, " "));
      mp[strcspn (field, " ")] = '\0';
      mountinfo_unescape (mp);
      len = strlen (mp);
      if ((strcmp (mp, "/") == 0
           || (strncmp (rootfs, mp, len) == 0 && (rootfs[len] == '/' || rootfs[len] == '\0')))
          && (best == NULL || len >= best_len))
        {
          free (best);
          best = mp;
          best_len = len;
        }
      else
        free (mp);
    }
  if (best && mount (NULL, best, NULL, MS_PRIVATE, NULL) < 0)
    return tong_err (err, errno, "make `%s`, the mount holding the rootfs, private", best);
  return 0;
}

static int
prepare_root (const struct rootfs_ctx *ctx, tong_error *err)
{
  unsigned long prop
      = ctx->plan->propagation ? ctx->plan->propagation : root_propagation_default ();
  int r;

  if (mount (NULL, "/", NULL, prop, NULL) < 0)
    return tong_err (err, errno, "make the mount tree of the container private");
  if (prop & MS_SHARED)
    {
      r = make_rootfs_parent_private (ctx->rootfs, err);
      if (r < 0)
        return r;
    }
  if (mount (ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return tong_err (err, errno, "bind the rootfs `%s` onto itself", ctx->rootfs);
  /* pivot_root refuses a shared new root; rootfs_finish applies the asked
   * propagation to the new "/" afterwards. */
  if (mount (NULL, ctx->rootfs, NULL, MS_PRIVATE, NULL) < 0)
    return tong_err (err, errno, "make the rootfs `%s` a private mount", ctx->rootfs);
  return 0;
}

int
rootfs_setup (struct rootfs_ctx *ctx, tong_error *err)
{
  const struct oci_spec *spec = ctx->spec;
  const struct rootfs_plan *plan = ctx->plan;
  _cleanup_close_ int rootfd = -1;
  int r;

  ctx->procfs = -1;
  ctx->procfs_dest = NULL;
  r = prepare_root (ctx, err);
  if (r < 0)
    return r;
  rootfd = open (ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return tong_err (err, errno, "open the rootfs `%s`", ctx->rootfs);
  /* Relative paths in a mount's options (an overlay's lowerdir=...) are the
   * bundle's, as relative sources are. */
  if (chdir (ctx->bundle) < 0)
    return tong_err (err, errno, "enter the bundle `%s`", ctx->bundle);

  for (size_t i = 0; i < plan->n_mounts; i++)
    {
      const struct rootfs_mount *op = &plan->mounts[i];
      const struct oci_mount *m = op->m;

      /* A mount at or above the procfs's destination hides it: the paths
       * there are no longer procfs's. */
      if (ctx->procfs >= 0 && mount_path_beneath (m->destination, ctx->procfs_dest))
        {
          closep (&ctx->procfs);
          ctx->procfs = -1;
          ctx->procfs_dest = NULL;
        }
      r = mount_entry (ctx, rootfd, op, err);
      if (r < 0)
        return tong_err_prefix (err, "mounts[%zu]", i);
      if (op->replaces_root)
        {
          /* The new mount is the root now (e.g. an overlay that a user
           * namespace may mount only from inside): later mounts go into
           * it, and rootfs_finish pivots into it by the same path. */
          closep (&rootfd);
          rootfd = open (ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (rootfd < 0)
            return tong_err (err, errno, "open the rootfs `%s` after the mount on `/`",
                             ctx->rootfs);
        }
    }
  if (!plan->dev_bound)
    {
      r = devices_setup (rootfd, spec, ctx->userns, plan->devpts, err);
      if (r < 0)
        return r;
    }
  return remount_readonly_tmpfs (rootfd, plan, err);
}

static int
pivot_into (int newroot, tong_error *err)
{
  _cleanup_close_ int oldroot = -1;

  oldroot = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0)
    return tong_err (err, errno, "open the old root");
  if (fchdir (newroot) < 0)
    return tong_err (err, errno, "enter the rootfs");
  /* Stack the old root on top of the new one, then detach it from there. */
  if (sys_pivot_root (".", ".") < 0)
    return tong_err (err, errno, "pivot_root into the rootfs (on a ramfs root use --no-pivot)");
  if (fchdir (oldroot) < 0)
    return tong_err (err, errno, "enter the old root");
  /* Keep the detach from propagating to the host's mounts. */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return tong_err (err, errno, "make the old root a slave mount");
  if (umount2 (".", MNT_DETACH) < 0)
    return tong_err (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return tong_err (err, errno, "chdir to the new root");
  return 0;
}

static int
move_into (int newroot, const char *rootfs, tong_error *err)
{
  if (fchdir (newroot) < 0)
    return tong_err (err, errno, "enter the rootfs");
  if (mount (rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return tong_err (err, errno, "move the rootfs `%s` onto /", rootfs);
  if (chroot (".") < 0)
    return tong_err (err, errno, "chroot into the rootfs");
  if (chdir ("/") < 0)
    return tong_err (err, errno, "chdir to the new root");
  return 0;
}

int
rootfs_finish (struct rootfs_ctx *ctx, tong_error *err)
{
  const struct oci_linux *l = ctx->spec->linux_;
  _cleanup_close_ int newroot = -1, rootfd = -1;
  int r;

  newroot = open (ctx->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (newroot < 0)
    return tong_err (err, errno, "open the rootfs `%s`", ctx->rootfs);
  r = ctx->no_pivot ? move_into (newroot, ctx->rootfs, err) : pivot_into (newroot, err);
  if (r < 0)
    return r;

  if (ctx->plan->propagation && mount (NULL, "/", NULL, ctx->plan->propagation, NULL) < 0)
    return tong_err (err, errno, "set linux.rootfsPropagation `%s` on /", l->rootfs_propagation);

  rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return tong_err (err, errno, "open the new root");
  r = sysctl_apply (ctx->procfs, ctx->procfs_dest, ctx->spec, err);
  if (r == 0)
    r = protect_paths (rootfd, ctx->procfs, ctx->procfs_dest, ctx->spec, err);
  closep (&ctx->procfs);
  ctx->procfs = -1;
  return r;
}
