/* Paths of tar entries inside a layer directory (internal to src/overlay).
 * Every lookup is relative to the layer's fd and refuses symlinks, ".." and
 * mount crossings on the way: an entry can only ever name something below
 * the layer directory. */
#ifndef TONG_OVERLAY_LAYER_PATH_H
#define TONG_OVERLAY_LAYER_PATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "src/error.h"

/* Clean a tar entry's path into a new string: a leading "/" or "./" is
 * stripped, "." and empty components are dropped; "" is the layer's root.
 * A ".." component is refused.  `what` names the path in errors ("entry
 * 'x'", "hardlink target of 'y'"). */
int layer_path_clean (const char *name, const char *what, char **out, tong_error *err);

/* The last component of a clean, non-empty path. */
const char *layer_path_leaf (const char *path);

/* Open (O_PATH) the directory that holds the last component of the clean,
 * non-empty `path`, inside the layer at layerfd.  With create, missing
 * directories are made (mode 0755, owned by uid:gid), as tar does for
 * entries without their own directory entry.  A symlink, a non-directory or
 * a mount point on the way is refused with an error naming it.  Returns the
 * fd or -errno. */
int layer_open_parent (int layerfd, const char *path, bool create, uid_t uid, gid_t gid,
                       const char *what, tong_error *err);

/* Open a directory of the layer by its clean path ("" for the root) with
 * flags (O_PATH or O_RDONLY; O_DIRECTORY and O_CLOEXEC are added), refusing
 * symlinks on the way.  Returns the fd or -errno (no message: callers decide
 * whether a missing directory is an error). */
int layer_open_dir (int layerfd, const char *path, int flags);

#endif
