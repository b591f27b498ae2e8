/* The container's root filesystem: the rootfs plan (rootfs-plan.h) carried
 * out, in two phases split by its ROOTFS_OP_PIVOT.  Runs in the container's
 * init process, inside its new mount namespace (and, when it has one, inside
 * its user namespace with the id maps already written). */
#ifndef TONG_ROOTFS_H
#define TONG_ROOTFS_H

#include <stdbool.h>

#include "oci/spec.h"
#include "rootfs-plan.h"
#include "src/base/error.h"

/* One entry of the tree a "cgroup" mount shows on a cgroup v1 host
 * (ROOTFS_OP_CGROUP_TREE): a directory with the container's cgroup of a
 * hierarchy bound on it, or a symlink (a co-mounted controller's name:
 * cpu -> cpu,cpuacct). */
struct rootfs_cgroup_entry
{
  const char *name;   /* below the mount: "memory", "cpu,cpuacct", "unified" */
  const char *source; /* the directory to bind, or NULL */
  const char *link;   /* the symlink's target, or NULL */
};

struct rootfs_ctx
{
  const struct rootfs_plan *plan; /* what to do, planned by the runtime */
  const char *rootfs;             /* absolute, canonical path of the rootfs on the host */
  const char *bundle; /* absolute path of the bundle (relative mount sources resolve here) */
  bool no_pivot;      /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
  int *idmap_trees;   /* per mounts[] index, the idmapped tree the runtime prepared or -1;
                         NULL: none (idmap.h) */
  const struct rootfs_cgroup_entry *cgroup_tree; /* what a cgroup tree holds */
  size_t n_cgroup_tree;
  /* Set by rootfs_setup: the root of the procfs mount the plan keeps (-1:
   * none).  After pivot_root the name /proc is the container's, which a
   * writer of the rootfs may have swapped; masks, read-only paths and
   * sysctls go through this fd instead. */
  int procfs;
};

/* Phase 1, before the createContainer hooks: the plan's operations up to
 * its ROOTFS_OP_PIVOT: make the mount tree private (or as
 * linux.rootfsPropagation asks), bind the rootfs onto itself, perform every
 * spec mount in order with its options, make the /dev nodes and symlinks,
 * make the read-only tmpfs mounts read-only.  Every destination is resolved
 * inside the rootfs through fds: a symlink may never send a mount outside
 * it. */
int rootfs_setup (struct rootfs_ctx *ctx, tong_error *err);

/* Phase 2, after the createContainer hooks: the rest of the plan:
 * pivot_root (or MS_MOVE + chroot), detach the old root, apply
 * rootfsPropagation, linux.sysctl, readonlyPaths, maskedPaths and
 * root.readonly.  Afterwards "/" is the container's root and the cwd is
 * "/".  Closes ctx->procfs. */
int rootfs_finish (struct rootfs_ctx *ctx, tong_error *err);

#endif
