/* Files: whole reads and writes (in place, new, atomic), write_all, mkdir -p. */
#ifndef TONG_FILES_H
#define TONG_FILES_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Read a whole file (relative to dirfd, or AT_FDCWD) into a NUL-terminated buffer. */
int read_file_at (int dirfd, const char *path, char **out, size_t *len, tong_error *err);
/* The same for a file that may be absent: 0 and *out NULL then, with no
 * error made (an error message costs strerror's part of libc). */
int read_file_if_exists_at (int dirfd, const char *path, char **out, size_t *len, tong_error *err);
/* Write a file in place (e.g. a /proc or /sys file). */
int write_file_at (int dirfd, const char *path, const void *data, size_t len, tong_error *err);
/* Create a file that must not exist yet and write it: for a file no reader
 * looks at before another one appears (config.json before state.json). */
int write_file_new_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                       tong_error *err);
/* Write a file atomically: a temporary name in the same directory, fsync, rename. */
int write_file_atomic_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                          tong_error *err);
/* The same without fsync: for files whose readers need them whole but that
 * need not survive a crash (the runtime state, which lives on a tmpfs such
 * as /run, pid files). */
int write_file_replace_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                           tong_error *err);
/* write(2) the whole buffer, retrying on EINTR and short counts.  Returns 0 or -errno. */
int write_all (int fd, const void *buf, size_t len);

/* mkdir -p, mode for each created component. */
int mkdir_p (const char *path, mode_t mode, tong_error *err);

#endif
