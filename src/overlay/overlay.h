/* Overlayfs roots from unpacked layer directories (for tong-shim). */
#ifndef TONG_OVERLAY_OVERLAY_H
#define TONG_OVERLAY_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "src/base/error.h"

/* Overlayfs stacks at most this many lower layers (the kernel's OVL_MAX_STACK). */
#define OVERLAY_MAX_LOWERS 500

struct overlay_options
{
  bool read_only;          /* no upper and work dir: a read-only root */
  bool userxattr;          /* overlay's `userxattr` mode (user.overlay.* xattrs; rootless) */
  const char *mount_label; /* SELinux context= for the mount, or NULL */
};

/* Mount an overlay at target: lowers[0] is the top layer, lowers[n - 1] the
 * bottom one.  With read_only (or upper == NULL) the root is read-only and
 * has no upper/work dir; otherwise both upper and work must be given (empty
 * directories on one filesystem).
 *
 * When the options do not fit in one page (the limit of mount(2) data; Linux
 * 6.1 has no "lowerdir+"), the layers are named by short symlinks ("0", "1",
 * ...) in a temporary directory next to target, and a child process that
 * changed into it mounts with those relative names: overlay resolves them at
 * mount time, so the symlinks are removed right after.  That fits
 * OVERLAY_MAX_LOWERS layers.  A single read-only layer is bind-mounted
 * read-only (overlay needs two lowers without an upper); such a bind mount
 * takes no mount_label.
 *
 * Returns 0 or -errno with err naming the target. */
int overlay_mount (const char *target, const char *const *lowers, size_t n, const char *upper,
                   const char *work, const struct overlay_options *o, tong_error *err);

/* Mount the overlay at target with the FUSE program (fuse-overlayfs: its
 * -o lowerdir=,upperdir=,workdir= options), for a user namespace in which
 * the kernel refuses overlayfs.  The program leaves a daemon serving the
 * mount; overlay_unmount ends it.  Paths may not hold ':' or ','. */
int overlay_mount_fuse (const char *program, const char *target, const char *const *lowers,
                        size_t n, const char *upper, const char *work, tong_error *err);

/* Unmount the overlay at target (lazily if it is busy).  -EINVAL if target is
 * not a mount point, so that cleanup code can ignore that case. */
int overlay_unmount (const char *target, tong_error *err);

#endif
