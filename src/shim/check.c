/* tong-shim check: every blob's digest, every image's blobs and layer
 * directories, checked against the metadata (fsck for the store). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/shim/db.h"
#include "src/shim/shim.h"
#include "src/base/util.h"

static unsigned
check_blobs (struct shim *s, unsigned *count)
{
  DIR *d = fdopendir (dup (s->store.blobs_fd));
  struct dirent *e;
  unsigned bad = 0;

  if (!d)
    return 1;
  rewinddir (d);
  while ((e = readdir (d)))
    {
      _cleanup_free_ char *digest = NULL;
      tong_error err = { 0 };
      if (e->d_name[0] == '.')
        continue; /* temp files of a pull in progress (or killed): not yet blobs */
      digest = xasprintf ("sha256:%s", e->d_name);
      (*count)++;
      if (!digest_hex (digest))
        {
          printf ("stray file blobs/sha256/%s: not a digest\n", e->d_name);
          bad++;
        }
      else if (store_blob_verify (&s->store, digest, NULL, &err) < 0)
        {
          printf ("%s\n", err.msg);
          bad++;
        }
    }
  closedir (d);
  return bad;
}

static unsigned
check_images (struct shim *s, tong_error *err, int *r)
{
  _cleanup_strv_ char **ids = NULL, **chains = NULL, **blobs = NULL;
  unsigned bad = 0;

  *r = db_image_ids (s->db, &ids, err);
  if (*r == 0)
    *r = db_layers_all (s->db, &chains, &blobs, err);
  if (*r < 0 || !ids || !chains || !blobs)
    return 0;
  for (size_t i = 0; ids[i]; i++)
    {
      struct db_image img;
      if (db_image_get (s->db, ids[i], &img, err) < 0)
        {
          printf ("image %s: %s\n", ids[i], err->msg);
          bad++;
          continue;
        }
      if (!store_blob_exists (&s->store, img.id))
        printf ("image %s: config blob missing\n", img.id), bad++;
      if (!store_blob_exists (&s->store, img.manifest))
        printf ("image %s: manifest blob %s missing\n", img.id, img.manifest), bad++;
      for (size_t j = 0; j < img.n_layers; j++)
        if (!db_layer_exists (s->db, img.chain_ids[j]))
          printf ("image %s: layer %s is not recorded\n", img.id, img.chain_ids[j]), bad++;
      db_image_clear (&img);
    }
  for (size_t i = 0; chains[i]; i++)
    {
      _cleanup_free_ char *dir = xasprintf ("%s/diff", digest_hex (chains[i]));
      if (faccessat (s->store.layers_fd, dir, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
        printf ("layer %s: directory layers/%s is missing\n", chains[i], dir), bad++;
      if (!store_blob_exists (&s->store, blobs[i]))
        printf ("layer %s: blob %s is missing\n", chains[i], blobs[i]), bad++;
    }
  return bad;
}

int
cmd_check (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  struct shim s = { 0 };
  unsigned bad, blobs = 0;
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+h", opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          shim_command_usage ("check");
          exit (0);
        }
      return shim_unknown_option (argc, argv, err);
    }
  if (optind != argc)
    return tong_err (err, 0, "check: takes no arguments");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  bad = check_blobs (&s, &blobs);
  bad += check_images (&s, err, &r);
  shim_close (&s);
  if (r < 0)
    return r;
  if (bad)
    return tong_err_code (err, EIO, "check: %u problem%s found in the store %s", bad,
                          bad == 1 ? "" : "s", g->root);
  printf ("store %s: %u blobs verified, no problems\n", g->root, blobs);
  return 0;
}
