/* Read-only and masked paths, the read-only root, and the bind remount they
 * share with spec mounts (internal to src/namespaces). */
#ifndef TONG_NS_PROTECT_H
#define TONG_NS_PROTECT_H

#include "oci/spec.h"
#include "src/base/error.h"

/* Remount the mount whose root fd refers to with MS_BIND|MS_REMOUNT|flags.
 * Flags the kernel refuses to clear (locked by a user namespace) are kept:
 * on EPERM the current nosuid/nodev/noexec/ro/atime flags are added and the
 * remount retried.  `what` names the mount in errors. */
int bind_remount (int fd, unsigned long flags, const char *what, tong_error *err);

/* After pivot_root, with rootfd the new "/": linux.readonlyPaths,
 * linux.maskedPaths, then root.readonly.  Missing paths are skipped.  Paths
 * at or below procfs_dest are looked up below procfs, the root of the procfs
 * the runtime mounted there (-1: none), and every mount is made on fds
 * (open_tree, move_mount, mount_setattr), so that nothing goes through the
 * name /proc in the container's tree. */
int protect_paths (int rootfd, int procfs, const char *procfs_dest, const struct oci_spec *spec,
                   tong_error *err);

#endif
