/* A layer's tar stream, decompressed and hashed in one pass (internal to
 * src/overlay).  A first libarchive handle with only the gzip and zstd
 * filters and the "raw" format yields the uncompressed bytes; they are
 * hashed (sha256: the layer's diff_id) as they are handed to a second,
 * tar-reading handle through its read callback. */
#ifndef TONG_OVERLAY_LAYER_STREAM_H
#define TONG_OVERLAY_LAYER_STREAM_H

#include <archive.h>
#include <stdint.h>

#include "src/base/error.h"

struct layer_stream
{
  struct archive *raw; /* decompression only */
  struct archive *tar; /* reads from raw through stream_read */
  void *md;            /* EVP_MD_CTX: sha256 of the uncompressed stream */
  uint64_t bytes;      /* uncompressed bytes read so far */
  int raw_status;      /* 0, or -EIO once raw failed (its message is in raw) */
};

/* Open fd (not closed by the stream) for reading tar entries from s->tar. */
int layer_stream_open (struct layer_stream *s, int fd, tong_error *err);

/* After the last tar entry: read what the tar reader left (end-of-archive
 * padding), so that the digest covers the whole stream, and write
 * "sha256:<hex>" into diff_id. */
int layer_stream_finish (struct layer_stream *s, char diff_id[72], tong_error *err);

/* The error of the last failed tar read, naming decompression errors as such. */
int layer_stream_error (struct layer_stream *s, const char *what, tong_error *err);

void layer_stream_close (struct layer_stream *s);

#endif
