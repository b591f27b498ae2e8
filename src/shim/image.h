/* Images in the store: committing one (its blobs present) with its layers
 * unpacked, and finding one by name, short id or digest. */
#ifndef TONG_SHIM_IMAGE_H
#define TONG_SHIM_IMAGE_H

#include <stddef.h>

#include "oci/image.h"
#include "src/shim/db.h"
#include "src/shim/shim.h"

struct image_info
{
  struct db_image row;
  struct oci_image_config config;
  char **layer_dirs; /* absolute ".../layers/<hex>/diff", TOP first (overlay lowerdir order) */
};

/* The manifest (already a blob in the store, as are its config and layers):
 * unpack every layer not unpacked yet (once, under a lock), check the diff
 * ids against the config, record the image and tag it with names. */
int image_commit (struct shim *s, const char *manifest_digest, char *const *names, char **id,
                  tong_error *err);

int image_lookup (struct shim *s, const char *name, struct image_info *info, tong_error *err);
void image_info_clear (struct image_info *info);

/* The name stored for a tag a user wrote: ":latest" added when it has no tag. */
char *image_tag_normalize (const char *name);

/* chain id of a layer stack: sha256(parent + " " + diff_id). */
char *image_chain_id (const char *parent, const char *diff_id);

#endif
