/* The procfs the runtime mounted for the container, held by fd (internal to
 * src/namespaces; the lookups below a procfs fd are src/base/procfs.h's).  After pivot_root the
 * name /proc belongs to the container's tree, which a writer of the rootfs can swap while `create`
 * runs; every later use of procfs goes through the mount's own fd instead,
 * and lookups below it never follow a symlink. */
#ifndef TONG_NS_PROCFS_H
#define TONG_NS_PROCFS_H

#include "src/base/error.h"
#include "src/base/procfs.h"

/* Mount a new procfs on the directory dstfd (options: mount(2) flags and a
 * data string, or NULL) and return an fd of its root, checked to be procfs.
 * With the new mount API the fd is the mount itself (fsmount); without it,
 * the mount is made through the runtime's own /proc and its destination
 * opened again and checked to be a procfs root (a swap fails the mount).
 * Only before pivot_root, while /proc is still the runtime's. */
int procfs_mount (int dstfd, const char *source, unsigned long flags, const char *data,
                  const char *dest, tong_error *err);

/* mount(2) for kernels without the new mount API, after pivot_root: the
 * source fd (or -1: `source` as given) and the target fd are named as
 * self/fd/N below the verified procfs, never through the container's /proc. */
int procfs_mount_fds (int procfs, const char *source, int srcfd, int dstfd, const char *type,
                      unsigned long flags, const char *data);

#endif
