/* tong-shim's metadata in SQLite (WAL, so several processes can pull and run
 * at once): images, tags, layers and containers. */
#ifndef TONG_SHIM_DB_H
#define TONG_SHIM_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "src/base/error.h"

struct db_image
{
  char *id;       /* config digest */
  char *manifest; /* manifest digest */
  int64_t created;
  int64_t size;
  char **chain_ids; /* bottom first, NULL-terminated */
  size_t n_layers;
  char **tags; /* NULL-terminated */
};

struct db_container
{
  char *id;
  char *name;
  char *image;
  char *bundle;
  char *state; /* created, running, exited */
  int exit_code;
  int64_t created;
  char *command;
  bool detached;
};

int db_open (const char *path, sqlite3 **out, tong_error *err);
void db_close (sqlite3 *db);
/* BEGIN IMMEDIATE (a writer lock taken up front), COMMIT, ROLLBACK. */
int db_begin (sqlite3 *db, tong_error *err);
int db_commit (sqlite3 *db, tong_error *err);
void db_rollback (sqlite3 *db);

/* Layers: chain id -> diff id, blob, parent chain id. */
bool db_layer_exists (sqlite3 *db, const char *chain_id);
int db_layer_put (sqlite3 *db, const char *chain_id, const char *diff_id, const char *blob,
                  const char *parent, int64_t size, tong_error *err);
/* Images (with their ordered layers) and tags. */
int db_image_put (sqlite3 *db, const struct db_image *img, tong_error *err);
int db_tag_put (sqlite3 *db, const char *name, const char *image, tong_error *err);
int db_tag_remove (sqlite3 *db, const char *name, tong_error *err);
/* Find an image by tag, full or short id (>= 4 hex digits), or digest;
 * -ENOENT naming what was asked for. */
int db_image_resolve (sqlite3 *db, const char *what, char **id, tong_error *err);
int db_image_get (sqlite3 *db, const char *id, struct db_image *img, tong_error *err);
void db_image_clear (struct db_image *img);
/* All image ids, newest first, NULL-terminated. */
int db_image_ids (sqlite3 *db, char ***ids, tong_error *err);
int db_image_remove (sqlite3 *db, const char *id, tong_error *err);
/* Does any container use the image?  Its name in *user when so. */
int db_image_in_use (sqlite3 *db, const char *id, char **user, tong_error *err);

/* Layers no image refers to, and blobs still referenced (for gc). */
int db_unused_layers (sqlite3 *db, char ***chain_ids, tong_error *err);
int db_layer_remove (sqlite3 *db, const char *chain_id, tong_error *err);
bool db_blob_referenced (sqlite3 *db, const char *digest);
/* Every layer's chain id and blob, for check. */
int db_layers_all (sqlite3 *db, char ***chain_ids, char ***blobs, tong_error *err);

/* Containers. */
int db_container_put (sqlite3 *db, const struct db_container *c, tong_error *err);
int db_container_set_state (sqlite3 *db, const char *id, const char *state, int exit_code,
                            tong_error *err);
/* By full id, unique id prefix or name; -ENOENT naming what was asked for. */
int db_container_find (sqlite3 *db, const char *what, struct db_container *c, tong_error *err);
int db_container_ids (sqlite3 *db, char ***ids, tong_error *err);
int db_container_remove (sqlite3 *db, const char *id, tong_error *err);
void db_container_clear (struct db_container *c);

void strv_free (char **v);

#endif
