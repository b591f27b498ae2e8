/* tong-shim pull [--insecure] [--platform OS/ARCH[/VARIANT]] [--creds USER:PASS]
 *                [--ca-file FILE] [--quiet] REF
 *
 * Manifest (or index, then the platform's manifest), then the config and
 * the layers that the store lacks, in parallel.  Each missing blob is
 * downloaded into blobs/sha256/.tmp-<hex> under an flock of that file, so
 * that concurrent pulls download it once (the others wait and reuse it),
 * and a killed pull leaves only the temp file, which the next pull resumes.
 * The blob is renamed to its digest after the registry client verified it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/image.h"
#include "src/shim/image.h"
#include "src/shim/reference.h"
#include "src/shim/registry.h"
#include "src/shim/shim.h"
#include "src/base/util.h"

struct pull_blob
{
  const struct oci_descriptor *d;
  int fd; /* the locked temp file, or -1 */
};

/* Open and lock blobs/sha256/.tmp-<hex>; with wait false, -EWOULDBLOCK when
 * another process holds it.  Returns 1 when the blob appeared meanwhile. */
static int
blob_lock (struct shim *s, struct pull_blob *b, bool wait, tong_error *err)
{
  _cleanup_free_ char *tmp = xasprintf (".tmp-%s", digest_hex (b->d->digest));
  int fd = openat (s->store.blobs_fd, tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    return tong_err (err, errno, "create %s/blobs/sha256/%s", s->store.root, tmp);
  while (flock (fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) < 0)
    {
      if (errno == EINTR)
        continue;
      close (fd);
      if (errno == EWOULDBLOCK)
        return -EWOULDBLOCK;
      return tong_err (err, errno, "lock %s", tmp);
    }
  if (store_blob_exists (&s->store, b->d->digest))
    {
      /* Done by another pull: our (new, empty) temp name is not needed. */
      struct stat a, c;
      if (fstat (fd, &a) == 0 && fstatat (s->store.blobs_fd, tmp, &c, AT_SYMLINK_NOFOLLOW) == 0
          && a.st_ino == c.st_ino)
        unlinkat (s->store.blobs_fd, tmp, 0);
      close (fd);
      return 1;
    }
  b->fd = fd;
  return 0;
}

/* After a verified download: the temp file becomes the blob. */
static int
blob_publish (struct shim *s, struct pull_blob *b, tong_error *err)
{
  _cleanup_free_ char *tmp = xasprintf (".tmp-%s", digest_hex (b->d->digest));
  int r = 0;

  if (fsync (b->fd) < 0)
    r = tong_err (err, errno, "fsync blob %s", b->d->digest);
  else if (renameat (s->store.blobs_fd, tmp, s->store.blobs_fd, digest_hex (b->d->digest)) < 0)
    r = tong_err (err, errno, "rename blob %s into place", b->d->digest);
  else
    fsync (s->store.blobs_fd);
  close (b->fd);
  b->fd = -1;
  return r;
}

static int
download (struct shim *s, struct registry *reg, struct pull_blob **missing, size_t n, bool quiet,
          tong_error *err)
{
  struct blob_fetch *f = xcalloc (n, sizeof *f);
  int r;

  for (size_t i = 0; i < n; i++)
    {
      f[i].digest = missing[i]->d->digest;
      f[i].size = missing[i]->d->size;
      f[i].fd = missing[i]->fd;
      if (!quiet && isatty (2))
        fprintf (stderr, "Copying blob %.19s\n", missing[i]->d->digest);
    }
  r = registry_get_blobs (reg, f, n, err);
  /* Only a fully verified set is published; after a failure the temp files
   * stay, and the next pull resumes them (their bytes are re-hashed). */
  for (size_t i = 0; i < n; i++)
    {
      if (r == 0)
        r = blob_publish (s, missing[i], err);
      if (missing[i]->fd >= 0)
        close (missing[i]->fd);
      missing[i]->fd = -1;
    }
  for (size_t i = 0; r < 0 && i < n; i++)
    if (f[i].result < 0)
      {
        *err = f[i].err;
        break;
      }
  free (f);
  return r;
}

/* Every blob of the image present in the store, each downloaded once even
 * with several pulls at once. */
static int
fetch_blobs (struct shim *s, struct registry *reg, const struct oci_manifest *m, bool quiet,
             tong_error *err)
{
  size_t n = m->n_layers + 1, nmine = 0;
  struct pull_blob *b = xcalloc (n, sizeof *b);
  struct pull_blob **mine = xcalloc (n, sizeof *mine);
  int r = 0;

  b[0].d = &m->config;
  for (size_t i = 0; i < m->n_layers; i++)
    b[i + 1].d = &m->layers[i];
  for (size_t i = 0; i < n; i++)
    b[i].fd = -1;
  /* Ours: what no other pull is downloading now. */
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      bool dup = false;
      for (size_t j = 0; j < i; j++)
        dup |= strcmp (b[j].d->digest, b[i].d->digest) == 0;
      if (dup || store_blob_exists (&s->store, b[i].d->digest))
        continue;
      r = blob_lock (s, &b[i], false, err);
      if (r == 0)
        mine[nmine++] = &b[i];
      else if (r == 1 || r == -EWOULDBLOCK)
        r = 0;
    }
  if (r == 0 && nmine)
    r = download (s, reg, mine, nmine, quiet, err);
  /* Theirs: wait for the other pull; download what it did not finish. */
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      if (store_blob_exists (&s->store, b[i].d->digest))
        continue;
      r = blob_lock (s, &b[i], true, err);
      if (r == 0)
        {
          struct pull_blob *one = &b[i];
          r = download (s, reg, &one, 1, quiet, err);
        }
      else if (r == 1)
        r = 0;
    }
  for (size_t i = 0; i < n; i++)
    if (b[i].fd >= 0)
      close (b[i].fd);
  free (mine);
  free (b);
  return r;
}

/* Store a manifest or index fetched from the registry as a blob. */
static int
put_manifest (struct shim *s, const char *body, size_t len, const char *digest, tong_error *err)
{
  _cleanup_free_ char *got = NULL;
  int r = store_blob_put_buf (&s->store, body, len, &got, err);
  if (r == 0 && strcmp (got, digest) != 0)
    r = tong_err (err, 0, "manifest digest mismatch: the registry said %s, the content is %s",
                  digest, got);
  return r;
}

struct pull_flags
{
  struct registry_options ro;
  const char *platform;
  bool quiet;
};

static int
pull_image (struct shim *s, const char *text, const struct pull_flags *f, tong_error *err)
{
  _cleanup_free_ char *def = NULL, *body = NULL, *mt = NULL, *digest = NULL, *name = NULL,
                      *id = NULL;
  struct image_ref ref = { 0 };
  struct registry *reg = NULL;
  struct oci_manifest m = { 0 };
  struct oci_platform want = { 0 };
  enum oci_doc_kind kind;
  size_t len;
  int r;

  r = registry_conf_default (s->g->registries_conf, &def, err);
  if (r == 0)
    r = image_ref_parse (text, def, &ref, err);
  if (r == 0)
    r = oci_platform_parse (f->platform, &want, err);
  if (r == 0)
    r = registry_open (&ref, &f->ro, &reg, err);
  if (r == 0)
    r = registry_get_manifest (reg, ref.digest ? ref.digest : ref.tag, &body, &len, &mt, &digest,
                               err);
  if (r == 0)
    r = oci_doc_kind (body, len, mt, &kind, err);
  if (r == 0 && kind == OCI_DOC_INDEX)
    {
      struct oci_index idx;
      size_t which;
      r = put_manifest (s, body, len, digest, err);
      if (r == 0)
        r = oci_index_parse (body, len, &idx, err);
      if (r != 0)
        goto out;
      r = oci_index_select (&idx, &want, &which, err);
      if (r == 0)
        {
          _cleanup_free_ char *d = xstrdup (idx.manifests[which].digest);
          free (body), free (mt), free (digest);
          body = mt = digest = NULL;
          r = registry_get_manifest (reg, d, &body, &len, &mt, &digest, err);
        }
      oci_index_clear (&idx);
      if (r == 0)
        r = oci_doc_kind (body, len, mt, &kind, err);
      if (r == 0 && kind != OCI_DOC_MANIFEST)
        r = tong_err (err, 0, "the index entry for %s/%s is not an image manifest", want.os,
                      want.architecture);
    }
  if (r == 0)
    r = oci_manifest_parse (body, len, &m, err);
  if (r == 0)
    r = fetch_blobs (s, reg, &m, f->quiet, err);
  if (r == 0)
    r = put_manifest (s, body, len, digest, err);
  if (r == 0)
    {
      name = image_ref_format (&ref);
      r = image_commit (s, digest, (char *const[]){ name, NULL }, &id, err);
    }
  if (r == 0)
    printf ("%s\n", id);
out:
  if (reg)
    registry_close (reg);
  oci_manifest_clear (&m);
  oci_platform_clear (&want);
  image_ref_clear (&ref);
  return r < 0 ? tong_err_prefix (err, "pull %s", text) : 0;
}

int
cmd_pull (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  enum
  {
    OPT_INSECURE = 256,
    OPT_PLATFORM,
    OPT_CREDS,
    OPT_CA_FILE,
    OPT_AUTHFILE,
  };
  static const struct option opts[] = {
    { "insecure", no_argument, NULL, OPT_INSECURE },
    { "platform", required_argument, NULL, OPT_PLATFORM },
    { "creds", required_argument, NULL, OPT_CREDS },
    { "ca-file", required_argument, NULL, OPT_CA_FILE },
    { "authfile", required_argument, NULL, OPT_AUTHFILE },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct pull_flags f = { .ro = { .registries_conf = g->registries_conf } };
  struct shim s = { 0 };
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+qh", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_INSECURE:
        f.ro.insecure = true;
        break;
      case OPT_PLATFORM:
        f.platform = optarg;
        break;
      case OPT_CREDS:
        if (!strchr (optarg, ':'))
          return tong_err (err, 0, "pull: --creds wants USER:PASSWORD");
        f.ro.creds = optarg;
        break;
      case OPT_CA_FILE:
        f.ro.ca_file = optarg;
        break;
      case OPT_AUTHFILE:
        f.ro.auth_file = optarg;
        break;
      case 'q':
        f.quiet = true;
        break;
      case 'h':
        shim_command_usage ("pull");
        exit (0);
      default:
        return shim_unknown_option (argc, argv, err);
      }
  if (argc - optind != 1)
    return tong_err (err, 0, "pull: give exactly one image reference");
  f.ro.progress = !f.quiet && isatty (2);
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  r = pull_image (&s, argv[optind], &f, err);
  shim_close (&s);
  return r;
}
