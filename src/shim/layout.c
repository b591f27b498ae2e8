/* OCI manifests generated for docker-archive images, and archive file access. */
#include "src/shim/layout.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "oci/image.h"
#include "src/base/util.h"

int
read_fd_all (int fd, char **data, size_t *len, tong_error *err)
{
  size_t size = 0, cap = 8192;
  char *buf = xmalloc (cap);

  for (;;)
    {
      ssize_t n;
      if (cap - size < 4096)
        buf = xrealloc (buf, cap *= 2);
      n = read (fd, buf + size, cap - size - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          free (buf);
          return tong_err (err, errno, "read");
        }
      if (n == 0)
        break;
      size += (size_t) n;
    }
  buf[size] = '\0';
  *data = buf;
  *len = size;
  return 0;
}

void
manifest_builder_init (struct manifest_builder *mb, const char *config_digest, int64_t size)
{
  memset (mb, 0, sizeof *mb);
  mb->config_digest = xstrdup (config_digest);
  mb->config_size = size;
}

void
manifest_builder_add_layer (struct manifest_builder *mb, const char *media_type, const char *digest,
                            int64_t size)
{
  mb->media_types = xrealloc (mb->media_types, (mb->n + 1) * sizeof (char *));
  mb->digests = xrealloc (mb->digests, (mb->n + 1) * sizeof (char *));
  mb->sizes = xrealloc (mb->sizes, (mb->n + 1) * sizeof (int64_t));
  mb->media_types[mb->n] = xstrdup (media_type);
  mb->digests[mb->n] = xstrdup (digest);
  mb->sizes[mb->n] = size;
  mb->n++;
}

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static void
gen_descriptor (yajl_gen g, const char *mt, const char *digest, int64_t size)
{
  yajl_gen_map_open (g);
  gen_str (g, "mediaType");
  gen_str (g, mt);
  gen_str (g, "digest");
  gen_str (g, digest);
  gen_str (g, "size");
  yajl_gen_integer (g, size);
  yajl_gen_map_close (g);
}

char *
manifest_builder_json (const struct manifest_builder *mb, size_t *len)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  char *out;

  yajl_gen_map_open (g);
  gen_str (g, "schemaVersion");
  yajl_gen_integer (g, 2);
  gen_str (g, "mediaType");
  gen_str (g, MT_OCI_MANIFEST);
  gen_str (g, "config");
  gen_descriptor (g, MT_OCI_CONFIG, mb->config_digest, mb->config_size);
  gen_str (g, "layers");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < mb->n; i++)
    gen_descriptor (g, mb->media_types[i], mb->digests[i], mb->sizes[i]);
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  yajl_gen_get_buf (g, &buf, len);
  out = xmalloc (*len + 1);
  memcpy (out, buf, *len);
  out[*len] = '\0';
  yajl_gen_free (g);
  return out;
}

int
manifest_builder_store (const struct manifest_builder *mb, struct shim *s, char **digest,
                        tong_error *err)
{
  size_t len;
  _cleanup_free_ char *json = manifest_builder_json (mb, &len);
  return store_blob_put_buf (&s->store, json, len, digest, err);
}

void
manifest_builder_clear (struct manifest_builder *mb)
{
  for (size_t i = 0; i < mb->n; i++)
    {
      free (mb->media_types[i]);
      free (mb->digests[i]);
    }
  free (mb->media_types);
  free (mb->digests);
  free (mb->sizes);
  free (mb->config_digest);
  memset (mb, 0, sizeof *mb);
}
