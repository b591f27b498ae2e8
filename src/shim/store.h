/* The content store: blobs/sha256/<hex> files, each visible only once its
 * digest has been checked (written to a temp name, fsynced, renamed). */
#ifndef TONG_SHIM_STORE_H
#define TONG_SHIM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/base/error.h"

struct store
{
  char *root; /* --root */
  int root_fd;
  int blobs_fd;  /* blobs/sha256 */
  int layers_fd; /* layers */
};

/* Create (if needed) and open the store's directories under root. */
int store_open (const char *root, struct store *s, tong_error *err);
void store_close (struct store *s);

/* "sha256:<hex>" -> "<hex>"; NULL when the digest is malformed. */
const char *digest_hex (const char *digest);

bool store_blob_exists (struct store *s, const char *digest);
/* Open a blob for reading: -ENOENT with a message when it is missing. */
int store_blob_open (struct store *s, const char *digest, tong_error *err);
int store_blob_read (struct store *s, const char *digest, char **data, size_t *len,
                     tong_error *err);
/* Copy a stream into the store.  With expect (digest and size >= 0) set, a
 * mismatch is refused and nothing is stored.  The digest is returned in
 * digest_out (caller frees) when that is not NULL. */
int store_blob_put_fd (struct store *s, int fd, const char *expect, int64_t expect_size,
                       char **digest_out, tong_error *err);
int store_blob_put_buf (struct store *s, const void *data, size_t len, char **digest_out,
                        tong_error *err);
/* Re-hash a stored blob; -EIO with a message when the content is damaged. */
int store_blob_verify (struct store *s, const char *digest, int64_t *size, tong_error *err);
int store_blob_remove (struct store *s, const char *digest, tong_error *err);

/* sha256 of a buffer as "sha256:<hex>" (caller frees). */
char *sha256_digest_of (const void *data, size_t len);

/* Remove a directory tree relative to dirfd (no symlink is followed). */
int rm_rf_at (int dirfd, const char *name, tong_error *err);

#endif
