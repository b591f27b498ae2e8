/* tong-shim load -i PATH [--tag NAME]: an OCI image layout (a directory or a
 * tarball of one) or a docker-archive tarball (docker save), into the store. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <yajl/yajl_tree.h>

#include "oci/image.h"
#include "src/shim/image.h"
#include "src/shim/layout.h"
#include "src/shim/shim.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

int
layout_open_file (int dirfd, const char *path, tong_error *err)
{
  int fd
      = sys_openat2 (dirfd, path, O_RDONLY | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd < 0)
    return tong_err (err, errno, "open %s in the image archive", path);
  return fd;
}

static int
read_in (int dirfd, const char *path, char **data, size_t *len, tong_error *err)
{
  _cleanup_close_ int fd = layout_open_file (dirfd, path, err);
  if (fd < 0)
    return fd;
  return read_fd_all (fd, data, len, err) < 0 ? tong_err_prefix (err, "%s", path) : 0;
}

/* Extract a tarball safely (no absolute paths, no "..", no writes through
 * symlinks) into dir. */
static int
extract_tar (const char *tarball, const char *dir, tong_error *err)
{
  struct archive *a = archive_read_new (), *w = archive_write_disk_new ();
  struct archive_entry *e;
  _cleanup_close_ int cwd = open (".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  int r = 0, rc;

  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  archive_write_disk_set_options (w, ARCHIVE_EXTRACT_SECURE_SYMLINKS
                                         | ARCHIVE_EXTRACT_SECURE_NODOTDOT
                                         | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
  if (archive_read_open_filename (a, tarball, 1 << 16) != ARCHIVE_OK)
    {
      r = tong_err (err, 0, "%s: %s", tarball, archive_error_string (a));
      goto out;
    }
  if (chdir (dir) < 0)
    {
      r = tong_err (err, errno, "chdir %s", dir);
      goto out;
    }
  while ((rc = archive_read_next_header (a, &e)) == ARCHIVE_OK)
    {
      mode_t type = archive_entry_filetype (e);
      if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
        continue;
      archive_entry_set_perm (e, type == AE_IFDIR ? 0700 : 0600);
      if (archive_write_header (w, e) != ARCHIVE_OK)
        {
          r = tong_err (err, 0, "%s: entry %s: %s", tarball, archive_entry_pathname (e),
                        archive_error_string (w));
          break;
        }
      if (type == AE_IFREG)
        {
          const void *buf;
          size_t size;
          la_int64_t off;
          while ((rc = archive_read_data_block (a, &buf, &size, &off)) == ARCHIVE_OK)
            if (archive_write_data_block (w, buf, size, off) != ARCHIVE_OK)
              {
                rc = ARCHIVE_FATAL;
                break;
              }
          if (rc != ARCHIVE_EOF)
            {
              r = tong_err (err, 0, "%s: entry %s: %s", tarball, archive_entry_pathname (e),
                            archive_error_string (a));
              break;
            }
        }
      archive_write_finish_entry (w);
    }
  if (r == 0 && rc != ARCHIVE_EOF)
    r = tong_err (err, 0, "%s: not a readable tar archive: %s", tarball, archive_error_string (a));
out:
  if (cwd >= 0 && fchdir (cwd) < 0 && r == 0)
    r = tong_err (err, errno, "fchdir");
  archive_write_free (w);
  archive_read_free (a);
  return r;
}

/* Copy blobs/sha256/<hex> of an OCI layout into the store, checking the digest. */
static int
copy_blob (struct shim *s, int dirfd, const struct oci_descriptor *d, tong_error *err)
{
  _cleanup_free_ char *path = xasprintf ("blobs/sha256/%s", digest_hex (d->digest));
  _cleanup_close_ int fd = -1;

  if (store_blob_exists (&s->store, d->digest))
    return 0;
  fd = layout_open_file (dirfd, path, err);
  if (fd < 0)
    return fd;
  if (store_blob_put_fd (&s->store, fd, d->digest, d->size, NULL, err) < 0)
    return tong_err_prefix (err, "%s", path);
  return 0;
}

static int
load_oci_manifest (struct shim *s, int dirfd, const struct oci_descriptor *d, char *const *names,
                   char **id, tong_error *err)
{
  _cleanup_free_ char *json = NULL;
  size_t len;
  struct oci_manifest m = { 0 };
  int r;

  r = copy_blob (s, dirfd, d, err);
  if (r == 0)
    r = store_blob_read (&s->store, d->digest, &json, &len, err);
  if (r == 0)
    r = oci_manifest_parse (json, len, &m, err);
  if (r < 0)
    return r;
  r = copy_blob (s, dirfd, &m.config, err);
  for (size_t i = 0; r == 0 && i < m.n_layers; i++)
    r = copy_blob (s, dirfd, &m.layers[i], err);
  oci_manifest_clear (&m);
  if (r == 0)
    r = image_commit (s, d->digest, names, id, err);
  return r;
}

/* An index entry (a manifest, or a nested index resolved to the host's platform). */
static int
load_oci_entry (struct shim *s, int dirfd, const struct oci_descriptor *d, char *const *names,
                char **id, int depth, tong_error *err)
{
  _cleanup_free_ char *json = NULL;
  size_t len = 0, which = 0;
  struct oci_index idx = { 0 };
  struct oci_platform host;
  int r;

  if (!d->media_type || strcmp (d->media_type, MT_OCI_INDEX) != 0)
    return load_oci_manifest (s, dirfd, d, names, id, err);
  if (depth > 4)
    return tong_err (err, 0, "OCI layout: indexes nested too deeply");
  r = copy_blob (s, dirfd, d, err);
  if (r == 0)
    r = store_blob_read (&s->store, d->digest, &json, &len, err);
  if (r == 0)
    r = oci_index_parse (json, len, &idx, err);
  if (r != 0)
    return r;
  oci_platform_parse (NULL, &host, err);
  r = oci_index_select (&idx, &host, &which, err);
  if (r == 0)
    r = load_oci_entry (s, dirfd, &idx.manifests[which], names, id, depth + 1, err);
  oci_platform_clear (&host);
  oci_index_clear (&idx);
  return r;
}

static int
load_oci_layout (struct shim *s, int dirfd, const char *tag, tong_error *err)
{
  _cleanup_free_ char *json = NULL;
  size_t len;
  struct oci_index idx = { 0 };
  int r;

  r = read_in (dirfd, "index.json", &json, &len, err);
  if (r == 0)
    r = oci_index_parse (json, len, &idx, err);
  if (r < 0)
    return tong_err_prefix (err, "OCI layout");
  if (idx.n_manifests == 0)
    r = tong_err (err, 0, "OCI layout: index.json lists no image");
  for (size_t i = 0; r == 0 && i < idx.n_manifests; i++)
    {
      const char *ref = idx.manifests[i].ref_name;
      _cleanup_free_ char *name = NULL, *id = NULL;
      if (tag)
        name = image_tag_normalize (tag);
      else if (ref && (strchr (ref, '/') || strchr (ref, ':')))
        name = image_tag_normalize (ref);
      if ((tag || (ref && (strchr (ref, '/') || strchr (ref, ':')))) && !name)
        {
          r = tong_err (err, 0, "\"%s\" is not a valid image name", tag ? tag : ref);
          break;
        }
      r = load_oci_entry (s, dirfd, &idx.manifests[i], (char *const[]){ name, NULL }, &id, 0, err);
      if (r == 0)
        printf ("Loaded image: %s\n", name ? name : id);
    }
  oci_index_clear (&idx);
  return r;
}

/* The layer media type from the first bytes of the blob. */
static const char *
sniff_layer (struct shim *s, const char *digest)
{
  unsigned char m[4] = { 0 };
  tong_error e = { 0 };
  _cleanup_close_ int fd = store_blob_open (&s->store, digest, &e);

  if (fd < 0 || read (fd, m, sizeof m) != (ssize_t) sizeof m)
    return MT_OCI_LAYER;
  if (m[0] == 0x1f && m[1] == 0x8b)
    return MT_OCI_LAYER_GZIP;
  if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
    return MT_OCI_LAYER_ZSTD;
  return MT_OCI_LAYER;
}

static int
put_file (struct shim *s, int dirfd, const char *path, char **digest, int64_t *size,
          tong_error *err)
{
  _cleanup_close_ int fd = layout_open_file (dirfd, path, err);
  struct stat st;

  if (fd < 0)
    return fd;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return tong_err (err, errno ? errno : EINVAL, "%s in the archive is not a file", path);
  *size = st.st_size;
  return store_blob_put_fd (&s->store, fd, NULL, -1, digest, err);
}

static int
load_docker_entry (struct shim *s, int dirfd, yajl_val entry, const char *tag, tong_error *err)
{
  const char *cfg_path[] = { "Config", NULL }, *tags_path[] = { "RepoTags", NULL },
             *layers_path[] = { "Layers", NULL };
  yajl_val cfg = yajl_tree_get (entry, cfg_path, yajl_t_string);
  yajl_val tags = yajl_tree_get (entry, tags_path, yajl_t_array);
  yajl_val layers = yajl_tree_get (entry, layers_path, yajl_t_array);
  _cleanup_free_ char *cdigest = NULL, *mdigest = NULL, *id = NULL;
  _cleanup_strv_ char **names = NULL;
  struct manifest_builder mb;
  int64_t size = 0;
  int r;

  if (!cfg || !layers)
    return tong_err (err, 0, "docker-archive: manifest.json: an entry lacks Config or Layers");
  r = put_file (s, dirfd, YAJL_GET_STRING (cfg), &cdigest, &size, err);
  if (r < 0)
    return r;
  manifest_builder_init (&mb, cdigest, size);
  for (size_t i = 0; i < layers->u.array.len; i++)
    {
      yajl_val l = layers->u.array.values[i];
      _cleanup_free_ char *ld = NULL;
      if (!YAJL_IS_STRING (l))
        r = tong_err (err, 0, "docker-archive: manifest.json: Layers[%zu] is not a string", i);
      else
        r = put_file (s, dirfd, YAJL_GET_STRING (l), &ld, &size, err);
      if (r < 0)
        {
          manifest_builder_clear (&mb);
          return r;
        }
      manifest_builder_add_layer (&mb, sniff_layer (s, ld), ld, size);
    }
  r = manifest_builder_store (&mb, s, &mdigest, err);
  manifest_builder_clear (&mb);
  if (r < 0)
    return r;
  names = xcalloc ((tags ? tags->u.array.len : 0) + 2, sizeof *names);
  size_t n = 0;
  if (tag && !(names[n++] = image_tag_normalize (tag)))
    return tong_err (err, 0, "\"%s\" is not a valid image name", tag);
  for (size_t i = 0; !tag && tags && i < tags->u.array.len; i++)
    {
      yajl_val t = tags->u.array.values[i];
      if (YAJL_IS_STRING (t) && (names[n] = image_tag_normalize (YAJL_GET_STRING (t))))
        n++;
    }
  r = image_commit (s, mdigest, names, &id, err);
  if (r == 0)
    printf ("Loaded image: %s\n", names[0] ? names[0] : id);
  return r;
}

static int
load_docker_archive (struct shim *s, int dirfd, const char *tag, tong_error *err)
{
  _cleanup_free_ char *json = NULL;
  char ebuf[256];
  size_t len;
  yajl_val tree;
  int r;

  r = read_in (dirfd, "manifest.json", &json, &len, err);
  if (r < 0)
    return r;
  tree = yajl_tree_parse (json, ebuf, sizeof ebuf);
  if (!tree || !YAJL_IS_ARRAY (tree) || YAJL_GET_ARRAY (tree)->len == 0)
    {
      if (tree)
        yajl_tree_free (tree);
      return tong_err (err, 0, "docker-archive: manifest.json is not a non-empty JSON array");
    }
  for (size_t i = 0; r == 0 && i < YAJL_GET_ARRAY (tree)->len; i++)
    r = load_docker_entry (s, dirfd, YAJL_GET_ARRAY (tree)->values[i], tag, err);
  yajl_tree_free (tree);
  return r;
}

static int
load_dir (struct shim *s, const char *dir, const char *tag, tong_error *err)
{
  _cleanup_close_ int dirfd = open (dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

  if (dirfd < 0)
    return tong_err (err, errno, "open %s", dir);
  if (faccessat (dirfd, "index.json", F_OK, 0) == 0)
    return load_oci_layout (s, dirfd, tag, err);
  if (faccessat (dirfd, "manifest.json", F_OK, 0) == 0)
    return load_docker_archive (s, dirfd, tag, err);
  return tong_err (err, 0,
                   "%s is neither an OCI image layout (no index.json) nor a docker-archive "
                   "(no manifest.json)",
                   dir);
}

int
cmd_load (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = {
    { "input", required_argument, NULL, 'i' },
    { "tag", required_argument, NULL, 't' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *input = NULL, *tag = NULL;
  struct shim s = { 0 };
  struct stat st;
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+i:t:qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'i':
        input = optarg;
        break;
      case 't':
        tag = optarg;
        break;
      case 'q':
        break;
      case 'h':
        shim_command_usage ("load");
        exit (0);
      default:
        return shim_unknown_option (argc, argv, err);
      }
  if (!input && optind < argc)
    input = argv[optind++];
  if (!input || optind != argc)
    return tong_err (err, 0, "load: give the image to load with -i PATH");
  if (stat (input, &st) < 0)
    return tong_err (err, errno, "load: %s", input);
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  if (S_ISDIR (st.st_mode))
    r = load_dir (&s, input, tag, err);
  else
    {
      _cleanup_free_ char *tmp = xasprintf ("%s/tmp-load-XXXXXX", s.store.root);
      _cleanup_close_ int tmp_fd = -1;
      if (!mkdtemp (tmp))
        r = tong_err (err, errno, "create a temp directory in %s", s.store.root);
      else
        {
          /* Held while loading: prune removes only temp dirs nobody holds. */
          tmp_fd = open (tmp, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
          if (tmp_fd >= 0)
            flock (tmp_fd, LOCK_EX);
          tong_error e2 = { 0 };
          r = extract_tar (input, tmp, err);
          if (r == 0)
            r = load_dir (&s, tmp, tag, err);
          rm_rf_at (AT_FDCWD, tmp, &e2);
        }
    }
  shim_close (&s);
  return r < 0 ? tong_err_prefix (err, "load %s", input) : 0;
}
