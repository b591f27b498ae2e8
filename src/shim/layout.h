/* Helpers shared by load and save: files inside an image archive, and OCI
 * manifests written for images that arrive without one (docker-archive). */
#ifndef TONG_SHIM_LAYOUT_H
#define TONG_SHIM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "src/base/error.h"
#include "src/shim/shim.h"

/* Open path below dirfd with every symlink kept inside dirfd. */
int layout_open_file (int dirfd, const char *path, tong_error *err);
/* Read a whole open file. */
int read_fd_all (int fd, char **data, size_t *len, tong_error *err);

struct manifest_builder
{
  char *config_digest;
  int64_t config_size;
  char **media_types, **digests;
  int64_t *sizes;
  size_t n;
};

void manifest_builder_init (struct manifest_builder *mb, const char *config_digest, int64_t size);
void manifest_builder_add_layer (struct manifest_builder *mb, const char *media_type,
                                 const char *digest, int64_t size);
/* The OCI manifest JSON (caller frees). */
char *manifest_builder_json (const struct manifest_builder *mb, size_t *len);
/* Write the manifest into the store as a blob; its digest in *digest. */
int manifest_builder_store (const struct manifest_builder *mb, struct shim *s, char **digest,
                            tong_error *err);
void manifest_builder_clear (struct manifest_builder *mb);

#endif
