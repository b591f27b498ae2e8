/* Resolving paths inside the container's rootfs through fds (internal to
 * src/namespaces).  Every lookup is an openat2(RESOLVE_IN_ROOT) relative to the
 * rootfs fd, so ".." and absolute symlinks stay inside the rootfs. */
#ifndef TONG_NS_PATHS_H
#define TONG_NS_PATHS_H

#include <stdbool.h>

#include "src/base/error.h"

enum path_create
{
  PATH_CREATE_NONE, /* a missing path is ENOENT */
  PATH_CREATE_DIR,  /* create missing components as directories (0755) */
  PATH_CREATE_FILE, /* parents as directories, the last component as an empty file */
};

/* Open `path` inside the root at rootfd with open flags `flags` (O_CLOEXEC is
 * added), creating what is missing as `create` says.  A dangling symlink on
 * the way is followed inside the root and its target created.  Returns an fd
 * or -errno with err naming the path. */
int path_open_in_root (int rootfd, const char *path, int flags, enum path_create create,
                       tong_error *err);

/* "/proc/self/fd/N" for an fd, to hand an fd to mount(2). */
struct fd_path
{
  char buf[32];
};
const char *fd_path (struct fd_path *p, int fd);

#endif
