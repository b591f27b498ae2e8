/* tong-shim save -o PATH [--format oci-dir|oci-archive|docker-archive] IMAGE */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <yajl/yajl_gen.h>

#include "oci/image.h"
#include "src/shim/image.h"
#include "src/shim/layout.h"
#include "src/shim/shim.h"
#include "src/base/util.h"

/* Where the files go: a directory, or a tar archive. */
struct sink
{
  int dirfd;
  struct archive *tar;
  const char *path;
};

static int
sink_mkdir (struct sink *k, const char *name, tong_error *err)
{
  if (k->tar)
    return 0;
  if (mkdirat (k->dirfd, name, 0755) < 0 && errno != EEXIST)
    return tong_err (err, errno, "create %s/%s", k->path, name);
  return 0;
}

/* Add name with the content of fd (size bytes) or of buf. */
static int
sink_add (struct sink *k, const char *name, int fd, const void *buf, int64_t size, tong_error *err)
{
  static char block[1 << 16];
  int r = 0;

  if (k->tar)
    {
      struct archive_entry *e = archive_entry_new ();
      archive_entry_set_pathname (e, name);
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_perm (e, 0644);
      archive_entry_set_size (e, size);
      archive_entry_set_mtime (e, 0, 0);
      if (archive_write_header (k->tar, e) != ARCHIVE_OK)
        r = tong_err (err, 0, "%s: %s", k->path, archive_error_string (k->tar));
      archive_entry_free (e);
      if (r == 0 && buf && archive_write_data (k->tar, buf, (size_t) size) != (la_ssize_t) size)
        r = tong_err (err, 0, "%s: %s", k->path, archive_error_string (k->tar));
      while (r == 0 && fd >= 0)
        {
          ssize_t n = read (fd, block, sizeof block);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            r = tong_err (err, errno, "read blob");
          if (n <= 0)
            break;
          if (archive_write_data (k->tar, block, (size_t) n) != n)
            r = tong_err (err, 0, "%s: %s", k->path, archive_error_string (k->tar));
        }
      return r;
    }
  _cleanup_close_ int out = openat (k->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0)
    return tong_err (err, errno, "create %s/%s", k->path, name);
  if (buf && write_all (out, buf, (size_t) size) < 0)
    return tong_err (err, errno, "write %s/%s", k->path, name);
  while (fd >= 0)
    {
      ssize_t n = read (fd, block, sizeof block);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return tong_err (err, errno, "read blob");
      if (n == 0)
        break;
      if (write_all (out, block, (size_t) n) < 0)
        return tong_err (err, errno, "write %s/%s", k->path, name);
    }
  return 0;
}

static int
sink_add_blob (struct shim *s, struct sink *k, const char *name, const char *digest,
               tong_error *err)
{
  _cleanup_close_ int fd = store_blob_open (&s->store, digest, err);
  struct stat st;
  if (fd < 0)
    return fd;
  if (fstat (fd, &st) < 0)
    return tong_err (err, errno, "stat blob %s", digest);
  return sink_add (k, name, fd, NULL, st.st_size, err);
}

static void
gs (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static int
sink_add_gen (struct sink *k, const char *name, yajl_gen g, tong_error *err)
{
  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf (g, &buf, &len);
  return sink_add (k, name, -1, buf, (int64_t) len, err);
}

static int
save_oci (struct shim *s, struct sink *k, const struct image_info *info,
          const struct oci_manifest *m, int64_t manifest_size, tong_error *err)
{
  static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
  yajl_gen g;
  int r;

  r = sink_add (k, "oci-layout", -1, layout, (int64_t) strlen (layout), err);
  if (r == 0)
    r = sink_mkdir (k, "blobs", err);
  if (r == 0)
    r = sink_mkdir (k, "blobs/sha256", err);
  const char *digests[] = { info->row.manifest, m->config.digest };
  for (size_t i = 0; r == 0 && i < ARRAY_SIZE (digests); i++)
    {
      _cleanup_free_ char *name = xasprintf ("blobs/sha256/%s", digest_hex (digests[i]));
      r = sink_add_blob (s, k, name, digests[i], err);
    }
  for (size_t i = 0; r == 0 && i < m->n_layers; i++)
    {
      _cleanup_free_ char *name = xasprintf ("blobs/sha256/%s", digest_hex (m->layers[i].digest));
      r = sink_add_blob (s, k, name, m->layers[i].digest, err);
    }
  if (r < 0)
    return r;
  g = yajl_gen_alloc (NULL);
  yajl_gen_map_open (g);
  gs (g, "schemaVersion");
  yajl_gen_integer (g, 2);
  gs (g, "mediaType");
  gs (g, MT_OCI_INDEX);
  gs (g, "manifests");
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  gs (g, "mediaType");
  gs (g, m->media_type ? m->media_type : MT_OCI_MANIFEST);
  gs (g, "digest");
  gs (g, info->row.manifest);
  gs (g, "size");
  yajl_gen_integer (g, manifest_size);
  if (info->row.tags[0])
    {
      gs (g, "annotations");
      yajl_gen_map_open (g);
      gs (g, OCI_REF_NAME_ANNOTATION);
      gs (g, info->row.tags[0]);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  r = sink_add_gen (k, "index.json", g, err);
  yajl_gen_free (g);
  return r;
}

static int
save_docker (struct shim *s, struct sink *k, const struct image_info *info,
             const struct oci_manifest *m, tong_error *err)
{
  _cleanup_free_ char *cfg = xasprintf ("%s.json", digest_hex (m->config.digest));
  yajl_gen g;
  int r;

  r = sink_add_blob (s, k, cfg, m->config.digest, err);
  for (size_t i = 0; r == 0 && i < m->n_layers; i++)
    {
      _cleanup_free_ char *dir = xstrdup (digest_hex (m->layers[i].digest));
      _cleanup_free_ char *name = xasprintf ("%s/layer.tar", dir);
      r = sink_mkdir (k, dir, err);
      if (r == 0)
        r = sink_add_blob (s, k, name, m->layers[i].digest, err);
    }
  if (r < 0)
    return r;
  g = yajl_gen_alloc (NULL);
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  gs (g, "Config");
  gs (g, cfg);
  gs (g, "RepoTags");
  yajl_gen_array_open (g);
  for (size_t i = 0; info->row.tags[i]; i++)
    gs (g, info->row.tags[i]);
  yajl_gen_array_close (g);
  gs (g, "Layers");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < m->n_layers; i++)
    {
      _cleanup_free_ char *name = xasprintf ("%s/layer.tar", digest_hex (m->layers[i].digest));
      gs (g, name);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);
  r = sink_add_gen (k, "manifest.json", g, err);
  yajl_gen_free (g);
  return r;
}

int
cmd_save (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' },
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *output = NULL, *format = "docker-archive";
  struct image_info info = { 0 };
  struct oci_manifest m = { 0 };
  _cleanup_free_ char *mjson = NULL, *tmp = NULL;
  size_t mlen;
  struct sink k = { .dirfd = -1 };
  struct shim s = { 0 };
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+o:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'o':
        output = optarg;
        break;
      case 'f':
        format = optarg;
        break;
      case 'h':
        shim_command_usage ("save");
        exit (0);
      default:
        return shim_unknown_option (argc, argv, err);
      }
  if (strcmp (format, "oci-dir") && strcmp (format, "oci-archive")
      && strcmp (format, "docker-archive"))
    return tong_err (
        err, 0, "save: --format \"%s\": expected oci-dir, oci-archive or docker-archive", format);
  if (!output)
    return tong_err (err, 0, "save: give the output path with -o PATH");
  if (argc - optind != 1)
    return tong_err (err, 0, "save: give exactly one image");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  r = image_lookup (&s, argv[optind], &info, err);
  if (r == 0)
    r = store_blob_read (&s.store, info.row.manifest, &mjson, &mlen, err);
  if (r == 0)
    r = oci_manifest_parse (mjson, mlen, &m, err);
  if (r < 0)
    goto out;
  k.path = output;
  if (strcmp (format, "oci-dir") == 0)
    {
      if (mkdir (output, 0755) < 0 && errno != EEXIST)
        r = tong_err (err, errno, "save: create %s", output);
      else if ((k.dirfd = open (output, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) < 0)
        r = tong_err (err, errno, "save: open %s", output);
      if (r == 0)
        r = save_oci (&s, &k, &info, &m, (int64_t) mlen, err);
      goto out;
    }
  /* A tarball is written to a temp name and renamed when complete. */
  tmp = xasprintf ("%s.tmp-%d", output, getpid ());
  k.tar = archive_write_new ();
  archive_write_set_format_pax_restricted (k.tar);
  if (archive_write_open_filename (k.tar, tmp) != ARCHIVE_OK)
    r = tong_err (err, 0, "save: %s: %s", output, archive_error_string (k.tar));
  if (r == 0)
    r = strcmp (format, "oci-archive") == 0 ? save_oci (&s, &k, &info, &m, (int64_t) mlen, err)
                                            : save_docker (&s, &k, &info, &m, err);
  if (archive_write_close (k.tar) != ARCHIVE_OK && r == 0)
    r = tong_err (err, 0, "save: %s: %s", output, archive_error_string (k.tar));
  archive_write_free (k.tar);
  if (r == 0 && rename (tmp, output) < 0)
    r = tong_err (err, errno, "save: rename to %s", output);
  if (r < 0)
    unlink (tmp);
out:
  if (k.dirfd >= 0)
    close (k.dirfd);
  oci_manifest_clear (&m);
  image_info_clear (&info);
  shim_close (&s);
  return r;
}
