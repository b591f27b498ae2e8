/* The procfs the runtime mounted for the container, held by fd (internal to
 * src/namespaces, but for procfs_open_self).  After pivot_root the name /proc belongs to the
 * container's tree, which a writer of the rootfs can swap while `create`
 * runs; every later use of procfs goes through the mount's own fd instead,
 * and lookups below it never follow a symlink. */
#ifndef TONG_NS_PROCFS_H
#define TONG_NS_PROCFS_H

#include "src/base/error.h"

/* Mount a new procfs on the directory dstfd (options: mount(2) flags and a
 * data string, or NULL) and return an fd of its root, checked to be procfs.
 * With the new mount API the fd is the mount itself (fsmount); without it,
 * the mount is made through the runtime's own /proc and its destination
 * opened again and checked to be a procfs root (a swap fails the mount).
 * Only before pivot_root, while /proc is still the runtime's. */
int procfs_mount (int dstfd, const char *source, unsigned long flags, const char *data,
                  const char *dest, tong_error *err);

/* 0 if fd is the root of a procfs, else -EXDEV (err names `what`). */
int procfs_check_root (int fd, const char *what, tong_error *err);

/* Open `rest` (relative, "" for the root) below the procfs root `procfs`:
 * openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS.
 * Returns an fd or -errno. */
int procfs_open_beneath (int procfs, const char *rest, int flags);

/* Open `rest` (relative) below this process's own directory in the
 * runtime's /proc: the root checked to be a procfs, "self" read as a link,
 * the rest looked up as procfs_open_beneath does.  For a file of the process
 * that it writes after pivot_root, when the name /proc is the container's
 * (a writer of the rootfs can put anything there): open it before, while
 * /proc is still the runtime's.  Returns an fd or -errno. */
int procfs_open_self (const char *rest, int flags);

/* mount(2) for kernels without the new mount API, after pivot_root: the
 * source fd (or -1: `source` as given) and the target fd are named as
 * self/fd/N below the verified procfs, never through the container's /proc. */
int procfs_mount_fds (int procfs, const char *source, int srcfd, int dstfd, const char *type,
                      unsigned long flags, const char *data);

#endif
