/* GET /v2/<name>/manifests/<reference>: manifests and indexes, by tag or
 * digest, with the digest of what came back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <yajl/yajl_tree.h>

#include "src/shim/registry-internal.h"
#include "src/base/util.h"

/* Registries may refuse manifests above 4 MiB (distribution-spec); so do we. */
#define MANIFEST_MAX_BYTES (4 << 20)

/* "sha256:<hex>" of data. */
static char *
sha256_digest (const void *data, size_t len)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  char *out = xmalloc (7 + 2 * 32 + 1);

  EVP_Digest (data, len, md, &mdlen, EVP_sha256 (), NULL);
  strcpy (out, "sha256:");
  for (unsigned i = 0; i < mdlen; i++)
    sprintf (out + 7 + 2 * i, "%02x", md[i]);
  return out;
}

/* The media type without parameters ("; charset=utf-8"), or the body's
 * own mediaType when the registry sent none or a generic one. */
static char *
manifest_media_type (const char *content_type, const char *body, size_t len)
{
  const char *mp[] = { "mediaType", NULL };
  char *out = NULL;

  if (content_type && *content_type)
    {
      size_t n = strcspn (content_type, "; \t");
      if (n > 0 && strncmp (content_type, "application/json", n) != 0
          && strncmp (content_type, "text/plain", n) != 0)
        return strndup (content_type, n);
    }
  if (body && len > 0)
    {
      yajl_val tree = yajl_tree_parse (body, NULL, 0);
      yajl_val m = tree ? yajl_tree_get (tree, mp, yajl_t_string) : NULL;
      if (m)
        out = xstrdup (YAJL_GET_STRING (m));
      yajl_tree_free (tree);
    }
  return out;
}

int
registry_get_manifest (struct registry *r, const char *tag_or_digest, char **body_out,
                       size_t *len_out, char **media_type, char **digest, tong_error *err)
{
  struct http_body body = { .max = MANIFEST_MAX_BYTES };
  struct http_reply reply = { 0 };
  char errbuf[CURL_ERROR_SIZE] = "";
  bool by_digest = strchr (tag_or_digest, ':') != NULL, auth_retried = false;
  _cleanup_free_ char *url = NULL, *what = NULL;
  CURLcode cc = CURLE_OK;
  int ret = 0;

  *body_out = *media_type = *digest = NULL;
  *len_out = 0;
  what = xasprintf ("manifest %s", tag_or_digest);
  if (by_digest && (!image_digest_valid (tag_or_digest) || strncmp (tag_or_digest, "sha256:", 7)))
    return tong_err (err, 0, "%s: not a valid digest (expected sha256:<64 hex>)", what);
  url = xasprintf ("%s/v2/%s/manifests/%s", r->base, r->repository, tag_or_digest);

  for (unsigned attempt = 0;; attempt++)
    {
      struct curl_slist *headers = NULL;
      CURL *h = curl_easy_init ();
      bool had_auth = r->authorization != NULL;

      if (h == NULL)
        return tong_err (err, ENOMEM, "curl_easy_init");
      headers = curl_slist_append (headers, "Accept: " MEDIA_OCI_INDEX ", " MEDIA_OCI_MANIFEST
                                            ", " MEDIA_DOCKER_LIST ", " MEDIA_DOCKER_MANIFEST);
      registry_setup_easy (r, h, url, true, &headers);
      curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, http_body_write_cb);
      curl_easy_setopt (h, CURLOPT_WRITEDATA, &body);
      curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, http_reply_header_cb);
      curl_easy_setopt (h, CURLOPT_HEADERDATA, &reply);
      curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
      free (body.data);
      body = (struct http_body){ .max = MANIFEST_MAX_BYTES };
      http_reply_clear (&reply);
      errbuf[0] = '\0';
      cc = curl_easy_perform (h);
      curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &reply.status);
      curl_slist_free_all (headers);
      curl_easy_cleanup (h);

      if (cc == CURLE_OK && reply.status == 401 && !auth_retried)
        {
          auth_retried = true;
          ret = registry_authenticate (r, reply.www_authenticate, had_auth, err);
          if (ret < 0)
            goto out;
          continue;
        }
      if (attempt < REGISTRY_RETRIES
          && ((cc != CURLE_OK && registry_transient_curl (cc))
              || (cc == CURLE_OK && registry_transient_status (reply.status))))
        {
          usleep (registry_backoff_ms (attempt + 1) * 1000);
          continue;
        }
      break;
    }

  if (body.too_big)
    ret = tong_err_code (err, EFBIG, "%s from %s/%s: larger than %d bytes", what, r->host,
                         r->repository, MANIFEST_MAX_BYTES);
  else if (cc != CURLE_OK)
    ret = registry_curl_error (r, cc, errbuf, what, err);
  else if (reply.status != 200)
    ret = registry_http_error (r, reply.status, body.data, body.len, what, err);
  if (ret < 0)
    goto out;
  if (body.data == NULL)
    body.data = xstrdup ("");

  *digest = sha256_digest (body.data, body.len);
  if (by_digest && strcmp (*digest, tag_or_digest) != 0)
    {
      ret = tong_err_code (err, EBADMSG,
                           "%s from %s/%s: digest mismatch: the content has digest "
                           "%s",
                           what, r->host, r->repository, *digest);
      free (*digest);
      *digest = NULL;
      goto out;
    }
  *media_type = manifest_media_type (reply.content_type, body.data, body.len);
  if (*media_type == NULL)
    {
      ret = tong_err_code (err, EPROTO,
                           "%s from %s/%s: no media type (neither Content-Type nor "
                           "mediaType)",
                           what, r->host, r->repository);
      free (*digest);
      *digest = NULL;
      goto out;
    }
  *body_out = TAKE_PTR (body.data);
  *len_out = body.len;
out:
  free (body.data);
  http_reply_clear (&reply);
  return ret;
}
