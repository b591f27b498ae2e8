/* Creating the nodes of a layer's entries (internal to src/overlay):
 * files, directories, links, devices, whiteouts and opaque directories, each
 * in an already opened parent directory under a name without "/". */
#ifndef TONG_OVERLAY_UNPACK_NODES_H
#define TONG_OVERLAY_UNPACK_NODES_H

#include <archive_entry.h>
#include <time.h>

#include "layer-path.h"
#include "layer-stream.h"
#include "src/base/error.h"
#include "unpack.h"

/* OCI's whiteout names. */
#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

/* A directory whose times are set after the last entry, as entries created
 * in it later would change its mtime. */
struct dir_times
{
  char *path;
  struct timespec ts[2];
};

struct unpack
{
  int layerfd;
  const struct unpack_options *o;
  struct unpack_result *res;
  struct layer_stream stream;
  struct dir_times *dirs;
  size_t ndirs, dirs_cap;
  uid_t root_uid; /* owner of what the layer does not describe: created */
  gid_t root_gid; /* parents and whiteouts */
  struct layer_create create;
};

/* Remember a directory's times, set after the last entry (unpack.c). */
void unpack_dirs_add (struct unpack *u, const char *path, struct archive_entry *e);

/* "trusted.overlay.opaque", or "user.overlay.opaque" when rootless. */
const char *unpack_opaque_xattr (const struct unpack_options *o);

/* `.wh..wh..opq` in parentfd: mark parentfd opaque. */
int unpack_make_opaque (struct unpack *u, int parentfd, const char *what, tong_error *err);

/* `.wh.NAME` in parentfd: a whiteout NAME (or, over this layer's own
 * directory NAME, make it opaque). */
int unpack_make_whiteout (struct unpack *u, int parentfd, const char *name, const char *what,
                          tong_error *err);

/* A hardlink entry at path (leaf in parentfd) to an earlier entry. */
int unpack_make_hardlink (struct unpack *u, struct archive_entry *e, int parentfd, const char *path,
                          const char *leaf, const char *what, tong_error *err);

/* Any other entry: its node, content and metadata, replacing an earlier
 * entry of the same name. */
int unpack_make_node (struct unpack *u, struct archive_entry *e, int parentfd, const char *path,
                      const char *leaf, const char *what, tong_error *err);

#endif
