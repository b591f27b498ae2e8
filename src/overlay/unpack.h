/* Unpacking an OCI image layer (a tar stream: plain, gzip or zstd) into a
 * directory that overlayfs can use as a lower layer.  For tong-shim only:
 * tong itself does not link libarchive. */
#ifndef TONG_OVERLAY_UNPACK_H
#define TONG_OVERLAY_UNPACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "src/base/error.h"

struct unpack_options
{
  uid_t uid_shift; /* added to every owner (rootless: the subordinate range's start); 0 as root */
  gid_t gid_shift;
  uint32_t id_range; /* owners (before the shift) >= id_range are refused; 0 = no limit */
  bool rootless;     /* device nodes other than 0/0 whiteouts are skipped (and counted in
                        `skipped`); opaque directories get user.overlay.opaque=y (overlay's
                        `userxattr` mode); trusted.* xattrs in the layer are left out */
};

struct unpack_result
{
  uint64_t entries;    /* tar entries read (including skipped ones and whiteouts) */
  uint64_t bytes;      /* size of the uncompressed tar stream (the bytes diff_id covers) */
  uint64_t skipped;    /* entries not materialised: device nodes when rootless, sockets,
                          aufs ".wh..wh.*" metadata, whiteouts of names this layer itself
                          holds */
  uint64_t file_bytes; /* bytes of regular-file content written */
  char diff_id[72];    /* "sha256:<hex>" of the uncompressed tar stream */
};

/* Unpack the layer archive readable from fd into the empty directory dirfd
 * (refused with ENOTEMPTY otherwise; dirfd may be an O_PATH fd),
 * in overlay's format (docs/overlay.md):
 *
 * - `.wh.NAME` becomes a whiteout: a 0/0 character device NAME (the only form
 *   overlayfs reads on Linux 6.1, also with `userxattr`; unprivileged users may
 *   create it since 5.8).  Whiteouts apply only to lower layers: a whiteout
 *   of a directory this layer holds too (in either order) makes that
 *   directory opaque; of a non-directory it holds, it is ignored.
 * - `.wh..wh..opq` makes its directory opaque: trusted.overlay.opaque=y, or
 *   user.overlay.opaque=y when rootless.
 * - Regular files, directories, symlinks, hardlinks, FIFOs, character and
 *   block devices (not when rootless), owners (plus the shift), modes with
 *   setuid/setgid/sticky bits, xattrs (user.*, security.capability, ...),
 *   mtimes (directories' at the end).
 *
 * Paths: a leading "/" or "./" is stripped (as tar and the reference
 * implementations do; paths in a layer are relative to the root of the
 * filesystem), "." and empty components are dropped; a ".." component
 * anywhere is refused.  An entry whose parent path passes through a
 * symlink or a non-directory is refused; so is a hardlink whose target path
 * does.  Every file is created relative to a directory fd opened with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), with a last component that
 * has no "/" and is never followed: nothing is written outside dirfd.
 *
 * Returns 0, or -errno with err naming the entry and what was wrong.  A
 * failed unpack leaves a partly filled directory: the caller removes it.
 * res may be NULL; it is filled as far as the unpack got. */
int layer_unpack (int fd, int dirfd, const struct unpack_options *o, struct unpack_result *res,
                  tong_error *err);

#endif
