#include "layer-stream.h"

#include <archive_entry.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

/* Bytes libarchive reads from the layer fd at a time. */
#define LAYER_READ_BLOCK (256 * 1024)

/* The tar handle's read callback: the next block of the uncompressed stream,
 * hashed on its way.  The block stays valid until the next call, as
 * libarchive requires of a read callback. */
static la_ssize_t
stream_read (struct archive *a, void *data, const void **buf)
{
  struct layer_stream *s = data;
  size_t size = 0;
  la_int64_t offset;
  int r;

  do
    r = archive_read_data_block (s->raw, buf, &size, &offset);
  while (r == ARCHIVE_OK && size == 0);
  if (r == ARCHIVE_EOF)
    return 0;
  if (r < ARCHIVE_WARN)
    {
      s->raw_status = -EIO;
      archive_set_error (a, EIO, "%s", archive_error_string (s->raw));
      return -1;
    }
  if (EVP_DigestUpdate (s->md, *buf, size) != 1)
    {
      archive_set_error (a, ENOMEM, "sha256 of the layer failed");
      return -1;
    }
  s->bytes += size;
  return (la_ssize_t) size;
}

int
layer_stream_open (struct layer_stream *s, int fd, tong_error *err)
{
  struct archive_entry *entry;
  int r;

  memset (s, 0, sizeof *s);
  s->md = EVP_MD_CTX_new ();
  if (s->md == NULL || EVP_DigestInit_ex (s->md, EVP_sha256 (), NULL) != 1)
    return tong_err (err, ENOMEM, "layer: cannot start a sha256 digest");

  s->raw = archive_read_new ();
  s->tar = archive_read_new ();
  if (s->raw == NULL || s->tar == NULL)
    return tong_err (err, ENOMEM, "layer: cannot allocate an archive reader");
  /* Only what image layers use: plain, gzip or zstd tar.  Other compressed
   * data passes through as "raw" and fails as not being a tar archive. */
  if (archive_read_support_filter_gzip (s->raw) < ARCHIVE_WARN
      || archive_read_support_filter_zstd (s->raw) < ARCHIVE_WARN
      || archive_read_support_format_raw (s->raw) != ARCHIVE_OK)
    return tong_err_code (err, ENOTSUP, "layer: libarchive lacks gzip or zstd support: %s",
                          archive_error_string (s->raw));
  if (archive_read_open_fd (s->raw, fd, LAYER_READ_BLOCK) != ARCHIVE_OK)
    return tong_err_code (err, EIO, "layer: cannot read: %s", archive_error_string (s->raw));
  r = archive_read_next_header (s->raw, &entry);
  if (r < ARCHIVE_WARN)
    return tong_err_code (err, EINVAL, "layer: cannot read (is it empty?): %s",
                          archive_error_string (s->raw));

  if (archive_read_support_format_tar (s->tar) != ARCHIVE_OK)
    return tong_err_code (err, ENOTSUP, "layer: no tar support: %s", archive_error_string (s->tar));
  if (archive_read_open (s->tar, s, NULL, stream_read, NULL) != ARCHIVE_OK)
    return layer_stream_error (s, "layer", err);
  return 0;
}

int
layer_stream_error (struct layer_stream *s, const char *what, tong_error *err)
{
  const char *msg = archive_error_string (s->tar);
  const char *filter = archive_filter_name (s->raw, 0);

  if (msg == NULL)
    msg = "unknown error";
  if (s->raw_status < 0)
    return tong_err_code (err, EIO, "%s: the layer does not decompress (%s): %s", what,
                          filter ? filter : "?", msg);
  if (archive_format (s->tar) == 0)
    return tong_err_code (err, EINVAL,
                          "%s: not a tar archive (plain, gzip or zstd; this one is %s): %s", what,
                          filter ? filter : "?", msg);
  return tong_err_code (err, EINVAL, "%s: damaged tar archive: %s", what, msg);
}

int
layer_stream_finish (struct layer_stream *s, char diff_id[72], tong_error *err)
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  const void *buf;

  /* The tar reader stops at the end-of-archive blocks; the rest is padding
   * that still belongs to the digest. */
  for (;;)
    {
      la_ssize_t n = stream_read (s->tar, s, &buf);
      if (n == 0)
        break;
      if (n < 0)
        return layer_stream_error (s, "layer", err);
    }
  if (EVP_DigestFinal_ex (s->md, md, &mdlen) != 1 || mdlen != 32)
    return tong_err (err, EIO, "layer: sha256 failed");
  memcpy (diff_id, "sha256:", 7);
  for (unsigned int i = 0; i < mdlen; i++)
    {
      diff_id[7 + 2 * i] = hex[md[i] >> 4];
      diff_id[8 + 2 * i] = hex[md[i] & 15];
    }
  diff_id[7 + 2 * mdlen] = '\0';
  return 0;
}

void
layer_stream_close (struct layer_stream *s)
{
  if (s->tar)
    archive_read_free (s->tar);
  if (s->raw)
    archive_read_free (s->raw);
  if (s->md)
    EVP_MD_CTX_free (s->md);
  memset (s, 0, sizeof *s);
}
