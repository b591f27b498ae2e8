/* SQLite metadata: schema, and one small function per question asked of it. */
#include "src/shim/db.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "src/base/util.h"

static const char schema[]
    = "BEGIN IMMEDIATE;"
      "CREATE TABLE IF NOT EXISTS images ("
      "  id TEXT PRIMARY KEY, manifest TEXT NOT NULL, created INTEGER NOT NULL,"
      "  size INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS layers ("
      "  chain_id TEXT PRIMARY KEY, diff_id TEXT NOT NULL, blob TEXT NOT NULL, parent TEXT,"
      "  size INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS image_layers ("
      "  image TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE, idx INTEGER NOT NULL,"
      "  chain_id TEXT NOT NULL REFERENCES layers(chain_id), PRIMARY KEY (image, idx));"
      "CREATE TABLE IF NOT EXISTS tags ("
      "  name TEXT PRIMARY KEY, image TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);"
      "CREATE TABLE IF NOT EXISTS containers ("
      "  id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, image TEXT NOT NULL REFERENCES images(id),"
      "  bundle TEXT NOT NULL, state TEXT NOT NULL, exit_code INTEGER NOT NULL DEFAULT -1,"
      "  created INTEGER NOT NULL, command TEXT NOT NULL, detached INTEGER NOT NULL);"
      "COMMIT;";

static int
db_fail (sqlite3 *db, tong_error *err, const char *what)
{
  int code = sqlite3_errcode (db);
  return tong_err (err,
                   code == SQLITE_BUSY         ? EBUSY
                   : code == SQLITE_CONSTRAINT ? EEXIST
                                               : EIO,
                   "metadata database: %s: %s", what, sqlite3_errmsg (db));
}

/* sqlite3_exec, again while SQLite answers SQLITE_BUSY without having waited
 * through its busy handler (up to 30 s, as that one): where shims open a new
 * store at once, the switch to WAL and a write that follows a read in the same
 * transaction (BUSY_SNAPSHOT) fail at once.  A transaction the statement left
 * open is rolled back before the next try. */
static int
exec_retrying (sqlite3 *db, const char *sql)
{
  for (int i = 0;; i++)
    {
      int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
      if ((rc & 0xff) != SQLITE_BUSY || i == 3000)
        return rc;
      if (!sqlite3_get_autocommit (db))
        sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      usleep (10 * 1000);
    }
}

int
db_open (const char *path, sqlite3 **out, tong_error *err)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL)
      != SQLITE_OK)
    {
      int r = tong_err (err, EIO, "open metadata database %s: %s", path,
                        db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return r;
    }
  sqlite3_busy_timeout (db, 30000);
  /* The schema in one transaction that takes the write lock first. */
  if (exec_retrying (db,
                     "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;")
          != SQLITE_OK
      || exec_retrying (db, schema) != SQLITE_OK)
    {
      int r = db_fail (db, err, path);
      sqlite3_close (db);
      return r;
    }
  *out = db;
  return 0;
}

void
db_close (sqlite3 *db)
{
  if (db)
    sqlite3_close (db);
}

int
db_begin (sqlite3 *db, tong_error *err)
{
  return sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
             ? 0
             : db_fail (db, err, "begin");
}

int
db_commit (sqlite3 *db, tong_error *err)
{
  return sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0
                                                                    : db_fail (db, err, "commit");
}

void
db_rollback (sqlite3 *db)
{
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static void
stmt_finalizep (sqlite3_stmt **s)
{
  if (*s)
    sqlite3_finalize (*s);
}
#define _cleanup_stmt_ __attribute__ ((cleanup (stmt_finalizep)))

/* Prepare sql and bind the NULL-terminated text arguments. */
static sqlite3_stmt *
prep (sqlite3 *db, const char *sql, const char *const *args)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    return NULL;
  for (int i = 0; args && args[i]; i++)
    sqlite3_bind_text (st, i + 1, args[i], -1, SQLITE_TRANSIENT);
  return st;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Run a statement that returns no rows. */
static int
run (sqlite3 *db, const char *sql, const char *const *args, const char *what, tong_error *err)
{
  _cleanup_stmt_ sqlite3_stmt *st = prep (db, sql, args);
  if (!st || sqlite3_step (st) != SQLITE_DONE)
    return db_fail (db, err, what);
  return 0;
}

static char *
col_str (sqlite3_stmt *st, int i)
{
  const unsigned char *t = sqlite3_column_text (st, i);
  return t ? xstrdup ((const char *) t) : NULL;
}

/* First column of every row, as a NULL-terminated vector. */
static int
column_list (sqlite3 *db, const char *sql, const char *const *args, char ***out, tong_error *err)
{
  _cleanup_stmt_ sqlite3_stmt *st = prep (db, sql, args);
  size_t n = 0;
  char **v = xcalloc (1, sizeof *v);
  int rc;

  if (!st)
    {
      free (v);
      return db_fail (db, err, "query");
    }
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      v = xrealloc (v, (n + 2) * sizeof *v);
      v[n++] = col_str (st, 0);
      v[n] = NULL;
    }
  if (rc != SQLITE_DONE)
    {
      strv_free (v);
      return db_fail (db, err, "query");
    }
  *out = v;
  return 0;
}

void
strv_free (char **v)
{
  if (!v)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}

bool
db_layer_exists (sqlite3 *db, const char *chain_id)
{
  _cleanup_stmt_ sqlite3_stmt *st
      = prep (db, "SELECT 1 FROM layers WHERE chain_id = ?", ARGS (chain_id));
  return st && sqlite3_step (st) == SQLITE_ROW;
}

int
db_layer_put (sqlite3 *db, const char *chain_id, const char *diff_id, const char *blob,
              const char *parent, int64_t size, tong_error *err)
{
  _cleanup_stmt_ sqlite3_stmt *st = prep (
      db,
      "INSERT OR IGNORE INTO layers (chain_id, diff_id, blob, parent, size) VALUES (?, ?, ?, ?, ?)",
      ARGS (chain_id, diff_id, blob));
  if (!st)
    return db_fail (db, err, "add layer");
  if (parent)
    sqlite3_bind_text (st, 4, parent, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 5, size);
  if (sqlite3_step (st) != SQLITE_DONE)
    return db_fail (db, err, "add layer");
  return 0;
}

int
db_image_put (sqlite3 *db, const struct db_image *img, tong_error *err)
{
  _cleanup_stmt_ sqlite3_stmt *st
      = prep (db,
              "INSERT INTO images (id, manifest, created, size) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (id) DO UPDATE SET manifest = excluded.manifest",
              ARGS (img->id, img->manifest));
  int r;

  if (!st)
    return db_fail (db, err, "add image");
  sqlite3_bind_int64 (st, 3, img->created);
  sqlite3_bind_int64 (st, 4, img->size);
  if (sqlite3_step (st) != SQLITE_DONE)
    return db_fail (db, err, "add image");
  r = run (db, "DELETE FROM image_layers WHERE image = ?", ARGS (img->id), "add image", err);
  for (size_t i = 0; r == 0 && i < img->n_layers; i++)
    {
      _cleanup_stmt_ sqlite3_stmt *l
          = prep (db, "INSERT INTO image_layers (image, idx, chain_id) VALUES (?, ?, ?)", NULL);
      if (!l)
        return db_fail (db, err, "add image layer");
      sqlite3_bind_text (l, 1, img->id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (l, 2, (int64_t) i);
      sqlite3_bind_text (l, 3, img->chain_ids[i], -1, SQLITE_TRANSIENT);
      if (sqlite3_step (l) != SQLITE_DONE)
        r = db_fail (db, err, "add image layer");
    }
  return r;
}

int
db_tag_put (sqlite3 *db, const char *name, const char *image, tong_error *err)
{
  return run (db, "INSERT OR REPLACE INTO tags (name, image) VALUES (?, ?)", ARGS (name, image),
              "tag image", err);
}

int
db_tag_remove (sqlite3 *db, const char *name, tong_error *err)
{
  return run (db, "DELETE FROM tags WHERE name = ?", ARGS (name), "untag image", err);
}

static bool
is_hex (const char *s)
{
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return false;
  return true;
}

/* Exactly one match of sql for arg, else ENOENT or an ambiguity error. */
static int
one_match (sqlite3 *db, const char *sql, const char *arg, char **id, tong_error *err)
{
  _cleanup_strv_ char **v = NULL;
  int r = column_list (db, sql, ARGS (arg), &v, err);
  if (r < 0)
    return r;
  if (!v[0])
    return -ENOENT;
  if (v[1])
    return tong_err (err, 0, "\"%s\" is ambiguous: it matches %s and %s (give more of the id)", arg,
                     v[0], v[1]);
  *id = xstrdup (v[0]);
  return 0;
}

int
db_image_resolve (sqlite3 *db, const char *what, char **id, tong_error *err)
{
  const char *hex = strncmp (what, "sha256:", 7) == 0 ? what + 7 : what;
  _cleanup_free_ char *tagged = NULL, *suffix = NULL, *prefix = NULL;
  const char *last = strrchr (what, '/');
  int r;

  r = one_match (db, "SELECT image FROM tags WHERE name = ?", what, id, err);
  if (r != -ENOENT)
    return r;
  /* A name without a tag means :latest; a short name matches any registry. */
  if (!strchr (last ? last : what, ':') && !strchr (what, '@'))
    {
      tagged = xasprintf ("%s:latest", what);
      r = one_match (db, "SELECT image FROM tags WHERE name = ?", tagged, id, err);
      if (r != -ENOENT)
        return r;
    }
  suffix = xasprintf ("%%/%s", tagged ? tagged : what);
  r = one_match (db, "SELECT image FROM tags WHERE name LIKE ?", suffix, id, err);
  if (r != -ENOENT)
    return r;
  if (strlen (hex) >= 4 && strlen (hex) <= 64 && is_hex (hex))
    {
      prefix = xasprintf ("sha256:%s%%", hex);
      r = one_match (db, "SELECT id FROM images WHERE id LIKE ?", prefix, id, err);
      if (r != -ENOENT)
        return r;
      r = one_match (db, "SELECT id FROM images WHERE manifest LIKE ?", prefix, id, err);
      if (r != -ENOENT)
        return r;
    }
  return tong_err_code (err, ENOENT,
                        "image \"%s\" is not in the store (see tong-shim images; "
                        "pull or load it first)",
                        what);
}

int
db_image_get (sqlite3 *db, const char *id, struct db_image *img, tong_error *err)
{
  _cleanup_stmt_ sqlite3_stmt *st
      = prep (db, "SELECT id, manifest, created, size FROM images WHERE id = ?", ARGS (id));
  int r;

  memset (img, 0, sizeof *img);
  if (!st)
    return db_fail (db, err, "read image");
  if (sqlite3_step (st) != SQLITE_ROW)
    return tong_err_code (err, ENOENT, "image %s is not in the store", id);
  img->id = col_str (st, 0);
  img->manifest = col_str (st, 1);
  img->created = sqlite3_column_int64 (st, 2);
  img->size = sqlite3_column_int64 (st, 3);
  r = column_list (db, "SELECT chain_id FROM image_layers WHERE image = ? ORDER BY idx", ARGS (id),
                   &img->chain_ids, err);
  if (r == 0)
    r = column_list (db, "SELECT name FROM tags WHERE image = ? ORDER BY name", ARGS (id),
                     &img->tags, err);
  if (r < 0)
    {
      db_image_clear (img);
      return r;
    }
  while (img->chain_ids[img->n_layers])
    img->n_layers++;
  return 0;
}

void
db_image_clear (struct db_image *img)
{
  free (img->id);
  free (img->manifest);
  strv_free (img->chain_ids);
  strv_free (img->tags);
  memset (img, 0, sizeof *img);
}

int
db_image_ids (sqlite3 *db, char ***ids, tong_error *err)
{
  return column_list (db, "SELECT id FROM images ORDER BY created DESC, id", NULL, ids, err);
}

int
db_image_remove (sqlite3 *db, const char *id, tong_error *err)
{
  return run (db, "DELETE FROM images WHERE id = ?", ARGS (id), "remove image", err);
}

int
db_image_in_use (sqlite3 *db, const char *id, char **user, tong_error *err)
{
  int r = one_match (db, "SELECT name FROM containers WHERE image = ? LIMIT 1", id, user, err);
  return r == -ENOENT ? 0 : r < 0 ? r : 1;
}

int
db_unused_layers (sqlite3 *db, char ***chain_ids, tong_error *err)
{
  return column_list (db,
                      "SELECT chain_id FROM layers WHERE chain_id NOT IN "
                      "(SELECT chain_id FROM image_layers) AND chain_id NOT IN "
                      "(SELECT parent FROM layers WHERE parent IS NOT NULL)",
                      NULL, chain_ids, err);
}

int
db_layer_remove (sqlite3 *db, const char *chain_id, tong_error *err)
{
  return run (db, "DELETE FROM layers WHERE chain_id = ?", ARGS (chain_id), "remove layer", err);
}

bool
db_blob_referenced (sqlite3 *db, const char *digest)
{
  _cleanup_stmt_ sqlite3_stmt *st
      = prep (db,
              "SELECT 1 FROM images WHERE id = ?1 OR manifest = ?1 UNION ALL "
              "SELECT 1 FROM layers WHERE blob = ?1 LIMIT 1",
              ARGS (digest));
  /* On a query failure keep the blob: gc must never remove what it cannot prove unused. */
  return !st || sqlite3_step (st) != SQLITE_DONE;
}

int
db_layers_all (sqlite3 *db, char ***chain_ids, char ***blobs, tong_error *err)
{
  int r = column_list (db, "SELECT chain_id FROM layers ORDER BY chain_id", NULL, chain_ids, err);
  if (r == 0)
    r = column_list (db, "SELECT blob FROM layers ORDER BY chain_id", NULL, blobs, err);
  return r;
}

int
db_container_put (sqlite3 *db, const struct db_container *c, tong_error *err)
{
  _cleanup_stmt_ sqlite3_stmt *st
      = prep (db,
              "INSERT INTO containers (id, name, image, bundle, state, created, command, detached) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              ARGS (c->id, c->name, c->image, c->bundle, c->state));
  if (!st)
    return db_fail (db, err, "add container");
  sqlite3_bind_int64 (st, 6, c->created);
  sqlite3_bind_text (st, 7, c->command, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 8, c->detached);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      if (sqlite3_errcode (db) == SQLITE_CONSTRAINT)
        return tong_err_code (err, EEXIST,
                              "the name \"%s\" is already in use by a container "
                              "(remove it with tong-shim rm, or pick another --name)",
                              c->name);
      return db_fail (db, err, "add container");
    }
  return 0;
}

int
db_container_set_state (sqlite3 *db, const char *id, const char *state, int exit_code,
                        tong_error *err)
{
  _cleanup_stmt_ sqlite3_stmt *st
      = prep (db, "UPDATE containers SET state = ?, exit_code = ? WHERE id = ?", NULL);
  if (!st)
    return db_fail (db, err, "update container");
  sqlite3_bind_text (st, 1, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (st, 2, exit_code);
  sqlite3_bind_text (st, 3, id, -1, SQLITE_TRANSIENT);
  return sqlite3_step (st) == SQLITE_DONE ? 0 : db_fail (db, err, "update container");
}

int
db_container_find (sqlite3 *db, const char *what, struct db_container *c, tong_error *err)
{
  _cleanup_free_ char *id = NULL, *prefix = NULL;
  int r;

  memset (c, 0, sizeof *c);
  r = one_match (db, "SELECT id FROM containers WHERE name = ?", what, &id, err);
  if (r == -ENOENT && is_hex (what) && *what)
    {
      prefix = xasprintf ("%s%%", what);
      r = one_match (db, "SELECT id FROM containers WHERE id LIKE ?", prefix, &id, err);
    }
  if (r == -ENOENT)
    return tong_err_code (err, ENOENT, "no container named \"%s\" (see tong-shim ps -a)", what);
  if (r < 0)
    return r;
  _cleanup_stmt_ sqlite3_stmt *st = prep (db,
                                          "SELECT id, name, image, bundle, state, exit_code, "
                                          "created, command, detached FROM containers WHERE id = ?",
                                          ARGS (id));
  if (!st || sqlite3_step (st) != SQLITE_ROW)
    return db_fail (db, err, "read container");
  c->id = col_str (st, 0);
  c->name = col_str (st, 1);
  c->image = col_str (st, 2);
  c->bundle = col_str (st, 3);
  c->state = col_str (st, 4);
  c->exit_code = sqlite3_column_int (st, 5);
  c->created = sqlite3_column_int64 (st, 6);
  c->command = col_str (st, 7);
  c->detached = sqlite3_column_int (st, 8) != 0;
  return 0;
}

int
db_container_ids (sqlite3 *db, char ***ids, tong_error *err)
{
  return column_list (db, "SELECT id FROM containers ORDER BY created DESC", NULL, ids, err);
}

int
db_container_remove (sqlite3 *db, const char *id, tong_error *err)
{
  return run (db, "DELETE FROM containers WHERE id = ?", ARGS (id), "remove container", err);
}

void
db_container_clear (struct db_container *c)
{
  free (c->id);
  free (c->name);
  free (c->image);
  free (c->bundle);
  free (c->state);
  free (c->command);
  memset (c, 0, sizeof *c);
}
