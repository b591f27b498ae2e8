/* Paths of tar entries inside a layer directory (internal to src/overlay).
 * Every lookup is relative to the layer's fd and refuses symlinks, ".." and
 * mount crossings on the way: an entry can only ever name something below
 * the layer directory. */
#ifndef TONG_OVERLAY_LAYER_PATH_H
#define TONG_OVERLAY_LAYER_PATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "src/base/error.h"

/* Clean a tar entry's path into a new string: a leading "/" or "./" is
 * stripped, "." and empty components are dropped; "" is the layer's root.
 * A ".." component is refused.  `what` names the path in errors ("entry
 * 'x'", "hardlink target of 'y'"). */
int layer_path_clean (const char *name, const char *what, char **out, tong_error *err);

/* The last component of a clean, non-empty path. */
const char *layer_path_leaf (const char *path);

/* How layer_open_parent creates missing directories. */
struct layer_create
{
  uid_t uid; /* owner of created directories (mode 0755) */
  gid_t gid;
  const char *opaque_xattr; /* set to "y" on a directory that replaces a whiteout */
};

/* Open (O_PATH) the directory that holds the last component of the clean,
 * non-empty `path`, inside the layer at layerfd.  With c, missing
 * directories are made, as tar does for entries without their own directory
 * entry; a whiteout of this layer on the way is replaced by an opaque
 * directory (".wh.d" then "d/x": the lower d is gone, this d is new).  A
 * symlink, another non-directory or a mount point on the way is refused
 * with an error naming it.  Returns the fd or -errno. */
int layer_open_parent (int layerfd, const char *path, const struct layer_create *c,
                       const char *what, tong_error *err);

/* Open a directory of the layer by its clean path ("" for the root) with
 * flags (O_PATH or O_RDONLY; O_DIRECTORY and O_CLOEXEC are added), refusing
 * symlinks on the way.  Returns the fd or -errno (no message: callers decide
 * whether a missing directory is an error). */
int layer_open_dir (int layerfd, const char *path, int flags);

#endif
