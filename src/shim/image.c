/* Committing images to the store (layers unpacked once) and looking them up. */
#include "src/shim/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/overlay/unpack.h"
#include "src/base/util.h"

char *
image_chain_id (const char *parent, const char *diff_id)
{
  _cleanup_free_ char *s = NULL;
  if (!parent)
    return xstrdup (diff_id);
  s = xasprintf ("%s %s", parent, diff_id);
  return sha256_digest_of (s, strlen (s));
}

char *
image_tag_normalize (const char *name)
{
  const char *last = strrchr (name, '/');

  if (!*name || strlen (name) > 255)
    return NULL;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr ("._-/:@", *p)
          || ((*p >= 'A' && *p <= 'Z') && strrchr (name, ':') && p > strrchr (name, ':'))))
      return NULL;
  if (strchr (name, '@') || strchr (last ? last : name, ':'))
    return xstrdup (name);
  return xasprintf ("%s:latest", name);
}

/* Unpack one layer into layers/<hex>/diff, unless another process did. The
 * work happens in a temp directory renamed into place when complete, under
 * an flock so that concurrent pulls unpack each layer once. */
static int
layer_ensure (struct shim *s, const char *chain_id, const char *diff_id, const char *blob,
              const char *parent, tong_error *err)
{
  const char *hex = digest_hex (chain_id);
  char lockname[128], tmp[128];
  _cleanup_close_ int lock = -1, blob_fd = -1, tmpfd = -1, diff = -1;
  struct unpack_options uo = { .rootless = s->g->rootless };
  struct unpack_result res = { 0 };
  struct stat st;
  int r;

  snprintf (lockname, sizeof lockname, ".lock-%s", hex);
  lock = openat (s->store.layers_fd, lockname, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0)
    return tong_err (err, errno, "lock layer %s", chain_id);
  while (flock (lock, LOCK_EX) < 0)
    if (errno != EINTR)
      return tong_err (err, errno, "lock layer %s", chain_id);
  if (fstatat (s->store.layers_fd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0)
    goto record;

  blob_fd = store_blob_open (&s->store, blob, err);
  if (blob_fd < 0)
    return blob_fd;
  snprintf (tmp, sizeof tmp, ".tmp-%s", hex);
  /* A temp dir here is what a killed process left: we hold the lock, so remove it. */
  r = rm_rf_at (s->store.layers_fd, tmp, err);
  if (r < 0)
    return r;
  if (mkdirat (s->store.layers_fd, tmp, 0700) < 0)
    return tong_err (err, errno, "create layer directory");
  tmpfd = openat (s->store.layers_fd, tmp, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (tmpfd < 0 || mkdirat (tmpfd, "diff", 0755) < 0)
    r = tong_err (err, errno, "create layer directory");
  else if ((diff = openat (tmpfd, "diff", O_DIRECTORY | O_RDONLY | O_CLOEXEC)) < 0)
    r = tong_err (err, errno, "open layer directory");
  if (r == 0)
    r = layer_unpack (blob_fd, diff, &uo, &res, err);
  if (r == 0 && strcmp (res.diff_id, diff_id) != 0)
    r = tong_err (err, 0,
                  "layer %s: its uncompressed content has digest %s, the image config "
                  "says %s",
                  blob, res.diff_id, diff_id);
  if (r == 0
      && (syncfs (tmpfd) < 0 || renameat (s->store.layers_fd, tmp, s->store.layers_fd, hex) < 0))
    r = tong_err (err, errno, "move layer %s into place", chain_id);
  if (r < 0)
    {
      tong_error e2 = { 0 };
      rm_rf_at (s->store.layers_fd, tmp, &e2);
      return tong_err_prefix (err, "unpack layer %s", blob);
    }
  fsync (s->store.layers_fd);
record:
  {
    struct stat bst;
    int64_t size = fstatat (s->store.blobs_fd, digest_hex (blob), &bst, 0) == 0 ? bst.st_size : 0;
    return db_layer_put (s->db, chain_id, diff_id, blob, parent, size, err);
  }
}

int
image_commit (struct shim *s, const char *manifest_digest, char *const *names, char **id,
              tong_error *err)
{
  _cleanup_free_ char *mjson = NULL, *cjson = NULL;
  size_t mlen, clen;
  struct oci_manifest m = { 0 };
  struct oci_image_config ic = { 0 };
  struct db_image row = { 0 };
  char **chains = NULL;
  int64_t size = 0;
  int r;

  r = store_blob_read (&s->store, manifest_digest, &mjson, &mlen, err);
  if (r == 0)
    r = oci_manifest_parse (mjson, mlen, &m, err);
  if (r == 0)
    r = store_blob_read (&s->store, m.config.digest, &cjson, &clen, err);
  if (r == 0)
    r = oci_image_config_parse (cjson, clen, &ic, err);
  if (r == 0 && ic.n_diff_ids != m.n_layers)
    r = tong_err (err, 0,
                  "image %s: the manifest has %zu layers, the config's rootfs.diff_ids "
                  "%zu",
                  manifest_digest, m.n_layers, ic.n_diff_ids);
  if (r != 0)
    goto out;
  chains = xcalloc (m.n_layers + 1, sizeof *chains);
  for (size_t i = 0; i < m.n_layers; i++)
    {
      chains[i] = image_chain_id (i ? chains[i - 1] : NULL, ic.diff_ids[i]);
      r = layer_ensure (s, chains[i], ic.diff_ids[i], m.layers[i].digest, i ? chains[i - 1] : NULL,
                        err);
      if (r < 0)
        goto out;
      size += m.layers[i].size;
    }
  row.id = m.config.digest;
  row.manifest = (char *) manifest_digest;
  row.created = time (NULL);
  row.size = size;
  row.chain_ids = chains;
  row.n_layers = m.n_layers;
  r = db_begin (s->db, err);
  if (r < 0)
    goto out;
  r = db_image_put (s->db, &row, err);
  for (size_t i = 0; r == 0 && names && names[i]; i++)
    r = db_tag_put (s->db, names[i], row.id, err);
  if (r == 0)
    r = db_commit (s->db, err);
  else
    db_rollback (s->db);
  if (r == 0 && id)
    *id = xstrdup (m.config.digest);
out:
  strv_free (chains);
  oci_manifest_clear (&m);
  oci_image_config_clear (&ic);
  return r;
}

int
image_lookup (struct shim *s, const char *name, struct image_info *info, tong_error *err)
{
  _cleanup_free_ char *id = NULL, *cjson = NULL;
  size_t clen;
  int r;

  memset (info, 0, sizeof *info);
  r = db_image_resolve (s->db, name, &id, err);
  if (r == 0)
    r = db_image_get (s->db, id, &info->row, err);
  if (r == 0)
    r = store_blob_read (&s->store, id, &cjson, &clen, err);
  if (r == 0)
    r = oci_image_config_parse (cjson, clen, &info->config, err);
  if (r < 0)
    {
      image_info_clear (info);
      return r;
    }
  info->layer_dirs = xcalloc (info->row.n_layers + 1, sizeof (char *));
  for (size_t i = 0; i < info->row.n_layers; i++)
    {
      const char *chain = info->row.chain_ids[info->row.n_layers - 1 - i];
      info->layer_dirs[i] = xasprintf ("%s/layers/%s/diff", s->store.root, digest_hex (chain));
      if (access (info->layer_dirs[i], F_OK) < 0)
        {
          r = tong_err (err, errno, "image %s: layer directory %s", name, info->layer_dirs[i]);
          image_info_clear (info);
          return r;
        }
    }
  return 0;
}

void
image_info_clear (struct image_info *info)
{
  db_image_clear (&info->row);
  oci_image_config_clear (&info->config);
  strv_free (info->layer_dirs);
  memset (info, 0, sizeof *info);
}
