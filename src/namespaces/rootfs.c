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

/* What the operations work on while the plan runs. */
struct rootfs_run
{
  struct rootfs_ctx *ctx;
  /* fds.rootfd: the rootfs by its host path in phase 1, the new "/" in
   * phase 2; fds.procfs: ctx->procfs in phase 2. */
  struct protect_fds fds;
};

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
idmap_tree_of (const struct rootfs_ctx *ctx, const struct rootfs_mount *op)
{
  return ctx->idmap_trees ? ctx->idmap_trees[op->index] : -1;
}

static int
mount_bind (const struct rootfs_run *run, const struct rootfs_mount *op, tong_error *err)
{
  const struct oci_mount *m = op->m;
  const char *source = op->source;
  _cleanup_free_ char *abs = NULL;
  _cleanup_close_ int srcfd = -1, dstfd = -1;
  int rootfd = run->fds.rootfd, tree = idmap_tree_of (run->ctx, op);
  struct fd_path sp, dp;
  struct stat st;
  int r;

  if (source[0] != '/')
    {
      abs = xasprintf ("%s/%s", run->ctx->bundle, source);
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
  else if (mount (fd_path (&sp, srcfd), fd_path (&dp, dstfd), NULL,
                  MS_BIND | (op->o.flags & MS_REC), NULL)
           < 0)
    return tong_err (err, errno, "bind `%s` on `%s`", source, m->destination);
  return mount_finish (rootfd, m, &op->o, mount_options_bind_remount_flags (&op->o), err);
}

static int
mount_fs (const struct rootfs_run *run, const struct rootfs_mount *op, tong_error *err)
{
  const struct oci_mount *m = op->m;
  const struct mount_options *o = &op->o;
  _cleanup_close_ int dstfd = -1;
  int rootfd = run->fds.rootfd;
  struct fd_path dp;

  dstfd = open_destination (rootfd, m, false, err);
  if (dstfd < 0)
    return dstfd;
  if (mount (op->source, fd_path (&dp, dstfd), op->type, o->flags, o->data) == 0)
    return mount_finish (rootfd, m, o, 0, err);
  if (errno != EPERM || op->host_fallback == NULL)
    return tong_err (err, errno, "mount `%s` (type %s%s%s) on `%s`", op->source, op->type,
                     o->data ? ", options " : "", o->data ? o->data : "", m->destination);
  if (mount (op->host_fallback, fd_path (&dp, dstfd), NULL, MS_BIND | MS_REC, NULL) < 0)
    return tong_err (err, errno, "bind the host's `%s` on `%s` (a user namespace cannot mount %s)",
                     op->host_fallback, m->destination, op->type);
  return mount_finish (rootfd, m, o, o->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC),
                       err);
}

static int
mount_proc (const struct rootfs_run *run, const struct rootfs_mount *op, tong_error *err)
{
  const struct oci_mount *m = op->m;
  _cleanup_close_ int dstfd = -1, procfs = -1;

  dstfd = open_destination (run->fds.rootfd, m, false, err);
  if (dstfd < 0)
    return dstfd;
  /* Keep the new mount's own fd: what happens to the name later does not
   * matter to the masks and sysctls that go through it. */
  procfs = procfs_mount (dstfd, op->source, op->o.flags, op->o.data, m->destination, err);
  if (procfs < 0)
    return procfs;
  if (op->keeps_procfs)
    {
      closep (&run->ctx->procfs);
      run->ctx->procfs = TAKE_FD (procfs);
    }
  return mount_finish (run->fds.rootfd, m, &op->o, 0, err);
}

/* A "cgroup" mount on a cgroup v1 host, as runc makes it: a tmpfs holding,
 * for each hierarchy, a directory with the container's cgroup of it bound
 * there (what it may see of the hierarchy), and symlinks for co-mounted
 * controllers; read-only at the end if the mount asks it. */
static int
mount_cgroup_tree (const struct rootfs_run *run, const struct rootfs_mount *op, tong_error *err)
{
  const struct oci_mount *m = op->m;
  unsigned long ro = op->o.flags & MS_RDONLY;
  unsigned long keep = op->o.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
  _cleanup_close_ int dstfd = open_destination (run->fds.rootfd, m, false, err), tree = -1;
  struct fd_path dp;

  if (dstfd < 0)
    return dstfd;
  if (mount ("cgroup", fd_path (&dp, dstfd), "tmpfs", (op->o.flags & ~ro), "mode=755") < 0)
    return tong_err (err, errno, "mount a tmpfs on `%s`", m->destination);
  tree = path_open_in_root (run->fds.rootfd, m->destination, O_PATH, PATH_CREATE_NONE, err);
  if (tree < 0)
    return tong_err_prefix (err, "cgroup mount `%s`", m->destination);
  for (size_t i = 0; i < run->ctx->n_cgroup_tree; i++)
    {
      const struct rootfs_cgroup_entry *e = &run->ctx->cgroup_tree[i];
      _cleanup_close_ int src = -1, dir = -1;
      struct fd_path sp;
      int r;

      if (e->link)
        {
          if (symlinkat (e->link, tree, e->name) < 0)
            return tong_err (err, errno, "symlink `%s/%s`", m->destination, e->name);
          continue;
        }
      if (mkdirat (tree, e->name, 0755) < 0)
        return tong_err (err, errno, "make `%s/%s`", m->destination, e->name);
      src = open (e->source, O_PATH | O_DIRECTORY | O_CLOEXEC);
      dir = openat (tree, e->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (src < 0 || dir < 0)
        return tong_err (err, errno, "open `%s` to bind on `%s/%s`", e->source, m->destination,
                         e->name);
      if (mount (fd_path (&sp, src), fd_path (&dp, dir), NULL, MS_BIND, NULL) < 0)
        return tong_err (err, errno, "bind `%s` on `%s/%s`", e->source, m->destination, e->name);
      closep (&dir);
      dir = openat (tree, e->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dir < 0)
        return tong_err (err, errno, "open `%s/%s`", m->destination, e->name);
      r = bind_remount (dir, ro | keep, e->name, err);
      if (r < 0)
        return r;
    }
  return ro ? bind_remount (tree, MS_RDONLY | keep, m->destination, err) : 0;
}

/* The spec mount of op, then, for a mount on "/", the root opened again:
 * the new mount is the root now (e.g. an overlay that a user namespace may
 * mount only from inside), later mounts go into it, and the pivot goes into
 * it by the same path. */
static int
mount_entry (struct rootfs_run *run, const struct rootfs_op *op, tong_error *err)
{
  const struct rootfs_mount *mnt = &op->mount;
  int r;

  if (op->kind == ROOTFS_OP_BIND)
    r = mount_bind (run, mnt, err);
  else if (op->kind == ROOTFS_OP_MOUNT_PROC)
    r = mount_proc (run, mnt, err);
  else if (op->kind == ROOTFS_OP_CGROUP_TREE)
    r = mount_cgroup_tree (run, mnt, err);
  else
    r = mount_fs (run, mnt, err);
  if (r < 0)
    return tong_err_prefix (err, "mounts[%zu]", mnt->index);
  if (!mnt->replaces_root)
    return 0;
  closep (&run->fds.rootfd);
  run->fds.rootfd = open (run->ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (run->fds.rootfd < 0)
    return tong_err (err, errno, "open the rootfs `%s` after the mount on `/`", run->ctx->rootfs);
  return 0;
}

/* A tmpfs asked to be read-only was mounted writable so /dev could be
 * filled; make it read-only now. */
static int
remount_readonly (int rootfd, const struct rootfs_remount *op, tong_error *err)
{
  _cleanup_close_ int fd = -1;

  fd = path_open_in_root (rootfd, op->path, O_PATH, PATH_CREATE_NONE, err);
  if (fd < 0)
    return tong_err_prefix (err, "mount destination `%s`", op->path);
  return bind_remount (fd, op->flags, op->path, err);
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
prepare_root (struct rootfs_run *run, const struct rootfs_root *op, tong_error *err)
{
  const char *rootfs = run->ctx->rootfs;
  int r;

  if (mount (NULL, "/", NULL, op->propagation, NULL) < 0)
    return tong_err (err, errno, "make the mount tree of the container private");
  if (op->parent_private)
    {
      r = make_rootfs_parent_private (rootfs, err);
      if (r < 0)
        return r;
    }
  if (mount (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return tong_err (err, errno, "bind the rootfs `%s` onto itself", rootfs);
  /* pivot_root refuses a shared new root; ROOTFS_OP_PROPAGATION applies the
   * asked propagation to the new "/" afterwards. */
  if (mount (NULL, rootfs, NULL, MS_PRIVATE, NULL) < 0)
    return tong_err (err, errno, "make the rootfs `%s` a private mount", rootfs);
  run->fds.rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (run->fds.rootfd < 0)
    return tong_err (err, errno, "open the rootfs `%s`", rootfs);
  /* Relative paths in a mount's options (an overlay's lowerdir=...) are the
   * bundle's, as relative sources are. */
  if (chdir (run->ctx->bundle) < 0)
    return tong_err (err, errno, "enter the bundle `%s`", run->ctx->bundle);
  return 0;
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

/* Into the rootfs; then the new "/" is what phase 2 works on. */
static int
pivot (struct rootfs_run *run, tong_error *err)
{
  const struct rootfs_ctx *ctx = run->ctx;
  _cleanup_close_ int newroot = -1;
  int r;

  newroot = open (ctx->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (newroot < 0)
    return tong_err (err, errno, "open the rootfs `%s`", ctx->rootfs);
  r = ctx->no_pivot ? move_into (newroot, ctx->rootfs, err) : pivot_into (newroot, err);
  if (r < 0)
    return r;
  closep (&run->fds.rootfd);
  run->fds.rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (run->fds.rootfd < 0)
    return tong_err (err, errno, "open the new root");
  run->fds.procfs = ctx->procfs;
  return 0;
}

static int
run_op (struct rootfs_run *run, const struct rootfs_op *op, tong_error *err)
{
  switch (op->kind)
    {
    case ROOTFS_OP_PREPARE_ROOT:
      return prepare_root (run, &op->root, err);
    case ROOTFS_OP_BIND:
    case ROOTFS_OP_MOUNT:
    case ROOTFS_OP_MOUNT_PROC:
    case ROOTFS_OP_CGROUP_TREE:
      return mount_entry (run, op, err);
    case ROOTFS_OP_MKNOD:
      return devices_mknod (run->fds.rootfd, &op->node, err);
    case ROOTFS_OP_BIND_NODE:
      return devices_bind_host_node (run->fds.rootfd, &op->node, err);
    case ROOTFS_OP_SYMLINK:
      return devices_symlink (run->fds.rootfd, &op->symlink, err);
    case ROOTFS_OP_READONLY_TMPFS:
      return remount_readonly (run->fds.rootfd, &op->remount, err);
    case ROOTFS_OP_PIVOT:
      return pivot (run, err);
    case ROOTFS_OP_PROPAGATION:
      if (mount (NULL, "/", NULL, op->root.propagation, NULL) < 0)
        return tong_err (err, errno, "set linux.rootfsPropagation `%s` on /", op->root.name);
      return 0;
    case ROOTFS_OP_SYSCTL:
      return sysctl_write (run->fds.procfs, &op->sysctl, err);
    case ROOTFS_OP_READONLY_PATH:
      return protect_readonly_path (&run->fds, &op->protect, err);
    case ROOTFS_OP_MASK:
      return protect_mask_path (&run->fds, &op->protect, err);
    case ROOTFS_OP_READONLY_ROOT:
      return protect_readonly_root (&run->fds, err);
    }
  return tong_err (err, EINVAL, "the rootfs plan has an unknown operation %d", (int) op->kind);
}

/* Where phase 2 starts: the plan's ROOTFS_OP_PIVOT. */
static size_t
pivot_index (const struct rootfs_plan *plan)
{
  size_t i = 0;

  while (i < plan->n_ops && plan->ops[i].kind != ROOTFS_OP_PIVOT)
    i++;
  return i;
}

int
rootfs_setup (struct rootfs_ctx *ctx, tong_error *err)
{
  struct rootfs_run run = { .ctx = ctx, .fds = { .rootfd = -1, .procfs = -1, .nullfd = -1 } };
  size_t end = pivot_index (ctx->plan);
  int r = 0;

  ctx->procfs = -1;
  for (size_t i = 0; r == 0 && i < end; i++)
    r = run_op (&run, &ctx->plan->ops[i], err);
  closep (&run.fds.rootfd);
  return r;
}

int
rootfs_finish (struct rootfs_ctx *ctx, tong_error *err)
{
  struct rootfs_run run = { .ctx = ctx, .fds = { .rootfd = -1, .procfs = -1, .nullfd = -1 } };
  size_t start = pivot_index (ctx->plan);
  int r = 0;

  if (start == ctx->plan->n_ops)
    r = tong_err (err, EINVAL, "the rootfs plan has no pivot_root");
  for (size_t i = start; r == 0 && i < ctx->plan->n_ops; i++)
    r = run_op (&run, &ctx->plan->ops[i], err);
  closep (&run.fds.rootfd);
  closep (&run.fds.nullfd);
  closep (&ctx->procfs);
  ctx->procfs = -1;
  return r;
}
