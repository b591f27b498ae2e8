/* The container's root filesystem: mounts, devices, pivot_root, masks.
 * Runs in the container's init process, inside its new mount namespace (and,
 * when it has one, inside its user namespace with the id maps already written). */
#ifndef TONG_ROOTFS_H
#define TONG_ROOTFS_H

#include <stdbool.h>

#include "oci/spec.h"
#include "rootfs-plan.h"
#include "src/base/error.h"

struct rootfs_ctx
{
  const struct oci_spec *spec;
  const struct rootfs_plan *plan; /* the spec's mounts and propagation, planned by the runtime */
  const char *rootfs;             /* absolute, canonical path of the rootfs on the host */
  const char *bundle; /* absolute path of the bundle (relative mount sources resolve here) */
  bool no_pivot;      /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
  bool userns;        /* a new user namespace: bind device nodes from the host, no mknod */
  int *idmap_trees;   /* per mounts[] index, the idmapped tree the runtime prepared or -1;
                         NULL: none (idmap.h) */
  /* Set by rootfs_setup: the root of the procfs it mounted last (-1: none)
   * and that mount's destination.  After pivot_root the name /proc is the
   * container's, which a writer of the rootfs may have swapped; masks,
   * read-only paths and sysctls go through this fd instead. */
  int procfs;
  const char *procfs_dest;
};

/* Phase 1, before the createContainer hooks: make the mount tree private (or as
 * linux.rootfsPropagation asks), bind the rootfs onto itself, perform every
 * spec mount in order with its options, create /dev (default devices and
 * linux.devices, /dev/ptmx, /dev/fd and std* symlinks, /dev/pts if mounted).
 * Every destination is resolved inside the rootfs through fds: a symlink may
 * never send a mount outside it. */
int rootfs_setup (struct rootfs_ctx *ctx, tong_error *err);

/* Phase 2, after the createContainer hooks: pivot_root (or MS_MOVE + chroot),
 * detach the old root, apply rootfsPropagation, maskedPaths, readonlyPaths,
 * root.readonly, and linux.sysctl.  Afterwards "/" is the container's root
 * and the cwd is "/".  Closes ctx->procfs. */
int rootfs_finish (struct rootfs_ctx *ctx, tong_error *err);

#endif
