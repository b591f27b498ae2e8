/* Read-only and masked paths, the read-only root, and the bind remount they
 * share with spec mounts (internal to src/namespaces). */
#ifndef TONG_NS_PROTECT_H
#define TONG_NS_PROTECT_H

#include "rootfs-plan.h"
#include "src/base/error.h"

/* Remount the mount whose root fd refers to with MS_BIND|MS_REMOUNT|flags.
 * Flags the kernel refuses to clear (locked by a user namespace) are kept:
 * on EPERM the current nosuid/nodev/noexec/ro/atime flags are added and the
 * remount retried.  `what` names the mount in errors. */
int bind_remount (int fd, unsigned long flags, const char *what, tong_error *err);

/* The fds phase 2 of the rootfs works through: the new "/" (opened after
 * pivot_root), the root of the procfs the runtime mounted and kept (-1:
 * none), and the container's /dev/null, opened by the first mask of a file
 * (-1 until then; the caller closes it).  Paths below the kept procfs are
 * looked up below its fd and every mount is made on fds (open_tree,
 * move_mount, mount_setattr), so that nothing goes through the name /proc
 * in the container's tree. */
struct protect_fds
{
  int rootfd;
  int procfs;
  int nullfd;
};

/* ROOTFS_OP_READONLY_PATH: make the path read-only; a missing one is skipped. */
int protect_readonly_path (const struct protect_fds *f, const struct rootfs_protect *p,
                           tong_error *err);

/* ROOTFS_OP_MASK: a read-only empty tmpfs over a directory, /dev/null over
 * anything else; a missing path is skipped. */
int protect_mask_path (struct protect_fds *f, const struct rootfs_protect *p, tong_error *err);

/* ROOTFS_OP_READONLY_ROOT: remount "/" read-only. */
int protect_readonly_root (const struct protect_fds *f, tong_error *err);

#endif
