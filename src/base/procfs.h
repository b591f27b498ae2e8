/* procfs as the runtime reads it: a checked procfs root, lookups below it
 * that never follow a symlink, files of this process opened while /proc is
 * still the runtime's, and facts of a process. */
#ifndef TONG_BASE_PROCFS_H
#define TONG_BASE_PROCFS_H

#include <sys/types.h>

#include "src/base/error.h"

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

/* start_time of a live pid, 0 if it does not exist (or is a zombie). */
unsigned long long proc_start_time (pid_t pid);

#endif
