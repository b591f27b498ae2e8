/* Owners, modes, xattrs and times of unpacked entries (internal to
 * src/overlay). */
#ifndef TONG_OVERLAY_UNPACK_META_H
#define TONG_OVERLAY_UNPACK_META_H

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <stdint.h>

#include "src/base/error.h"
#include "unpack.h"

/* The on-disk owner of an entry: its uid/gid plus the shift.  Refuses ids
 * outside o->id_range and ids that overflow with the shift. */
int meta_owner (struct archive_entry *e, const struct unpack_options *o, const char *what,
                uid_t *uid, gid_t *gid, tong_error *err);

/* Apply owner, mode (not for symlinks), xattrs and, with set_times, the
 * access and modification times to the node `name` in the directory
 * parentfd; fd is the node itself opened (a regular file or directory) or
 * -1.  Owner first, as chown clears setuid bits and file capabilities.
 * Xattrs that must not come from a layer are left out: overlay's own
 * (trusted.overlay.*, user.overlay.*), security.selinux; trusted.* when
 * rootless; ACLs when ids are shifted.  With a uid shift a file capability
 * is rewritten as a v3 capability whose root is the shifted root. */
int meta_apply (int parentfd, const char *name, int fd, struct archive_entry *e,
                const struct unpack_options *o, bool set_times, const char *what, tong_error *err);

/* The times of an entry, for futimens/utimensat (UTIME_OMIT when unset). */
void meta_times (struct archive_entry *e, struct timespec ts[2]);

#endif
