/* Read-only and masked paths, the read-only root, and the bind remount they
 * share with spec mounts (internal to src/namespaces). */
#ifndef TONG_NS_PROTECT_H
#define TONG_NS_PROTECT_H

#include "oci/spec.h"
#include "src/error.h"

/* Remount the mount whose root fd refers to with MS_BIND|MS_REMOUNT|flags.
 * Flags the kernel refuses to clear (locked by a user namespace) are kept:
 * on EPERM the current nosuid/nodev/noexec/ro/atime flags are added and the
 * remount retried.  `what` names the mount in errors. */
int bind_remount (int fd, unsigned long flags, const char *what, tong_error *err);

/* After pivot_root, with rootfd the new "/": linux.readonlyPaths,
 * linux.maskedPaths, then root.readonly.  Missing paths are skipped. */
int protect_paths (int rootfd, const struct oci_spec *spec, tong_error *err);

#endif
