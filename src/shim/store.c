/* Content-addressed blobs under the store root. */
#include "src/shim/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "oci/image.h"
#include "src/base/util.h"

static int
open_dir_at (int dirfd, const char *name, int *out, tong_error *err)
{
  if (mkdirat (dirfd, name, 0700) < 0 && errno != EEXIST)
    return tong_err (err, errno, "create store directory %s", name);
  *out = openat (dirfd, name, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (*out < 0)
    return tong_err (err, errno, "open store directory %s", name);
  return 0;
}

int
store_open (const char *root, struct store *s, tong_error *err)
{
  _cleanup_close_ int blobs = -1;
  int r;

  memset (s, 0, sizeof *s);
  s->root_fd = s->blobs_fd = s->layers_fd = -1;
  r = mkdir_p (root, 0700, err);
  if (r < 0)
    return r;
  s->root_fd = open (root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (s->root_fd < 0)
    return tong_err (err, errno, "open store %s", root);
  s->root = realpath (root, NULL);
  if (!s->root)
    {
      r = tong_err (err, errno, "resolve store path %s", root);
      store_close (s);
      return r;
    }
  r = open_dir_at (s->root_fd, "blobs", &blobs, err);
  if (r == 0)
    r = open_dir_at (blobs, "sha256", &s->blobs_fd, err);
  if (r == 0)
    r = open_dir_at (s->root_fd, "layers", &s->layers_fd, err);
  if (r == 0)
    {
      int c;
      r = open_dir_at (s->root_fd, "containers", &c, err);
      if (r == 0)
        close (c);
    }
  if (r < 0)
    {
      tong_err_prefix (err, "store %s", root);
      store_close (s);
    }
  return r;
}

void
store_close (struct store *s)
{
  if (s->root_fd >= 0)
    close (s->root_fd);
  if (s->blobs_fd >= 0)
    close (s->blobs_fd);
  if (s->layers_fd >= 0)
    close (s->layers_fd);
  free (s->root);
  memset (s, 0, sizeof *s);
  s->root_fd = s->blobs_fd = s->layers_fd = -1;
}

const char *
digest_hex (const char *digest)
{
  return oci_digest_valid (digest) ? digest + 7 : NULL;
}

bool
store_blob_exists (struct store *s, const char *digest)
{
  const char *hex = digest_hex (digest);
  return hex && faccessat (s->blobs_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int
store_blob_open (struct store *s, const char *digest, tong_error *err)
{
  const char *hex = digest_hex (digest);
  int fd;

  if (!hex)
    return tong_err (err, 0, "\"%s\" is not a sha256 digest", digest);
  fd = openat (s->blobs_fd, hex, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT)
    return tong_err_code (err, ENOENT,
                          "blob %s is missing from the store (pull or load the image "
                          "again)",
                          digest);
  if (fd < 0)
    return tong_err (err, errno, "open blob %s", digest);
  return fd;
}

int
store_blob_read (struct store *s, const char *digest, char **data, size_t *len, tong_error *err)
{
  const char *hex = digest_hex (digest);

  if (!hex)
    return tong_err (err, 0, "\"%s\" is not a sha256 digest", digest);
  if (!store_blob_exists (s, digest))
    return tong_err_code (err, ENOENT,
                          "blob %s is missing from the store (pull or load the image "
                          "again)",
                          digest);
  return read_file_at (s->blobs_fd, hex, data, len, err) < 0
             ? tong_err_prefix (err, "blob %s", digest)
             : 0;
}

static void
hex_of (const unsigned char *md, char *out)
{
  for (int i = 0; i < 32; i++)
    sprintf (out + 2 * i, "%02x", md[i]);
}

char *
sha256_digest_of (const void *data, size_t len)
{
  unsigned char md[32];
  char hex[65];
  unsigned int n = 0;

  EVP_Digest (data, len, md, &n, EVP_sha256 (), NULL);
  hex_of (md, hex);
  return xasprintf ("sha256:%s", hex);
}

/* Copy in to out (out may be -1: only hash), returning the digest and size. */
static int
hash_copy (int in, int out, char hex[65], int64_t *size, tong_error *err)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  unsigned char md[32];
  unsigned int n = 0;
  static char buf[1 << 16];
  int r = 0;

  *size = 0;
  EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL);
  for (;;)
    {
      ssize_t got = read (in, buf, sizeof buf);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          r = tong_err (err, errno, "read");
          break;
        }
      if (got == 0)
        break;
      EVP_DigestUpdate (ctx, buf, (size_t) got);
      *size += got;
      if (out >= 0 && write_all (out, buf, (size_t) got) < 0)
        {
          r = tong_err (err, errno, "write");
          break;
        }
    }
  EVP_DigestFinal_ex (ctx, md, &n);
  EVP_MD_CTX_free (ctx);
  hex_of (md, hex);
  return r;
}

int
store_blob_put_fd (struct store *s, int fd, const char *expect, int64_t expect_size,
                   char **digest_out, tong_error *err)
{
  char tmp[64], hex[65];
  int64_t size;
  _cleanup_close_ int out = -1;
  int r;

  if (expect && !digest_hex (expect))
    return tong_err (err, 0, "\"%s\" is not a sha256 digest", expect);
  if (expect && store_blob_exists (s, expect))
    {
      if (digest_out)
        *digest_out = xstrdup (expect);
      return 0;
    }
  snprintf (tmp, sizeof tmp, ".tmp-put-%d-%lx", getpid (), (unsigned long) random ());
  out = openat (s->blobs_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0)
    return tong_err (err, errno, "create a blob in %s/blobs/sha256", s->root);
  r = hash_copy (fd, out, hex, &size, err);
  if (r == 0 && expect && strcmp (hex, expect + 7) != 0)
    r = tong_err (err, 0, "digest mismatch: expected %s, the content has sha256:%s", expect, hex);
  if (r == 0 && expect && expect_size >= 0 && size != expect_size)
    r = tong_err (err, 0, "size mismatch for %s: expected %lld bytes, got %lld", expect,
                  (long long) expect_size, (long long) size);
  if (r == 0 && fsync (out) < 0)
    r = tong_err (err, errno, "fsync blob");
  if (r == 0 && renameat (s->blobs_fd, tmp, s->blobs_fd, hex) < 0)
    r = tong_err (err, errno, "rename blob into place");
  if (r < 0)
    {
      unlinkat (s->blobs_fd, tmp, 0);
      return r;
    }
  fsync (s->blobs_fd);
  if (digest_out)
    *digest_out = xasprintf ("sha256:%s", hex);
  return 0;
}

int
store_blob_put_buf (struct store *s, const void *data, size_t len, char **digest_out,
                    tong_error *err)
{
  _cleanup_free_ char *d = sha256_digest_of (data, len);
  const char *hex = d + 7;

  if (!store_blob_exists (s, d))
    {
      int r = write_file_atomic_at (s->blobs_fd, hex, data, len, 0644, err);
      if (r < 0)
        return r;
    }
  if (digest_out)
    *digest_out = TAKE_PTR (d);
  return 0;
}

int
store_blob_verify (struct store *s, const char *digest, int64_t *size, tong_error *err)
{
  _cleanup_close_ int fd = store_blob_open (s, digest, err);
  char hex[65];
  int64_t n;
  int r;

  if (fd < 0)
    return fd;
  r = hash_copy (fd, -1, hex, &n, err);
  if (r < 0)
    return tong_err_prefix (err, "blob %s", digest);
  if (strcmp (hex, digest + 7) != 0)
    return tong_err_code (err, EIO, "blob %s is damaged: its content has sha256:%s", digest, hex);
  if (size)
    *size = n;
  return 0;
}

int
store_blob_remove (struct store *s, const char *digest, tong_error *err)
{
  const char *hex = digest_hex (digest);
  if (!hex)
    return tong_err (err, 0, "\"%s\" is not a sha256 digest", digest);
  if (unlinkat (s->blobs_fd, hex, 0) < 0 && errno != ENOENT)
    return tong_err (err, errno, "remove blob %s", digest);
  return 0;
}

int
rm_rf_at (int parent, const char *name, tong_error *err)
{
  struct stat st;
  int fd;
  DIR *d;
  struct dirent *e;
  int r = 0;

  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : tong_err (err, errno, "stat %s", name);
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (parent, name, 0) < 0 && errno != ENOENT)
        return tong_err (err, errno, "remove %s", name);
      return 0;
    }
  fd = openat (parent, name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tong_err (err, errno, "open %s", name);
  d = fdopendir (fd);
  if (!d)
    {
      close (fd);
      return tong_err (err, errno, "read %s", name);
    }
  while (r == 0 && (e = readdir (d)))
    {
      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      r = rm_rf_at (fd, e->d_name, err);
    }
  closedir (d);
  if (r == 0 && unlinkat (parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    r = tong_err (err, errno, "remove directory %s", name);
  return r;
}
