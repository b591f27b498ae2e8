/* The registry connection: opening (scheme, credentials, the first auth
 * challenge), the curl settings every request shares, and error messages. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_tree.h>

#include "src/shim/registry-internal.h"
#include "src/base/util.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once (void)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);
}

void
http_reply_clear (struct http_reply *h)
{
  free (h->content_type);
  free (h->www_authenticate);
  free (h->content_range);
  free (h->retry_after);
  memset (h, 0, sizeof *h);
}

static void
header_keep (char **slot, const char *v, size_t n)
{
  free (*slot);
  *slot = strndup (v, n);
}

size_t
http_body_write_cb (char *buf, size_t size, size_t n, void *data)
{
  struct http_body *b = data;
  size_t k = size * n;

  if (b->len + k > b->max)
    {
      b->too_big = true;
      return 0;
    }
  b->data = xrealloc (b->data, b->len + k + 1);
  memcpy (b->data + b->len, buf, k);
  b->len += k;
  b->data[b->len] = '\0';
  return k;
}

size_t
http_reply_header_cb (char *buf, size_t size, size_t n, void *data)
{
  struct http_reply *h = data;
  size_t len = size * n, klen;
  const char *colon, *v, *end = buf + len;

  /* A new response (after a redirect or a 100 Continue) starts over. */
  if (len >= 5 && strncmp (buf, "HTTP/", 5) == 0)
    {
      long status = h->status;
      http_reply_clear (h);
      h->status = status;
      return len;
    }
  colon = memchr (buf, ':', len);
  if (colon == NULL)
    return len;
  klen = colon - buf;
  for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
    ;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
    end--;
  if (klen == 12 && strncasecmp (buf, "Content-Type", 12) == 0)
    header_keep (&h->content_type, v, end - v);
  else if (klen == 16 && strncasecmp (buf, "WWW-Authenticate", 16) == 0
           && h->www_authenticate == NULL)
    header_keep (&h->www_authenticate, v, end - v);
  else if (klen == 13 && strncasecmp (buf, "Content-Range", 13) == 0)
    header_keep (&h->content_range, v, end - v);
  else if (klen == 11 && strncasecmp (buf, "Retry-After", 11) == 0)
    header_keep (&h->retry_after, v, end - v);
  return len;
}

void
registry_setup_easy (struct registry *r, CURL *h, const char *url, bool with_auth,
                     struct curl_slist **headers)
{
  const char *protocols = r->insecure ? "http,https" : "https";

  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_USERAGENT, "tong-shim/" PACKAGE_VERSION);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (h, CURLOPT_MAXREDIRS, 10L);
  /* curl drops a custom Authorization header when a redirect leaves the
   * registry's host (blob storage must not see the registry's token);
   * UNRESTRICTED_AUTH stays off. */
  curl_easy_setopt (h, CURLOPT_UNRESTRICTED_AUTH, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt (h, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
#else
  long mask = r->insecure ? (CURLPROTO_HTTP | CURLPROTO_HTTPS) : CURLPROTO_HTTPS;
  curl_easy_setopt (h, CURLOPT_PROTOCOLS, mask);
  curl_easy_setopt (h, CURLOPT_REDIR_PROTOCOLS, mask);
  (void) protocols;
#endif
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 30L);
  /* A stalled transfer is a failure (then retried), not a hang. */
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME, 60L);
  if (r->insecure)
    {
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  else if (r->ca_file)
    curl_easy_setopt (h, CURLOPT_CAINFO, r->ca_file);
  if (with_auth && r->authorization)
    {
      _cleanup_free_ char *line = xasprintf ("Authorization: %s", r->authorization);
      *headers = curl_slist_append (*headers, line);
    }
  if (*headers)
    curl_easy_setopt (h, CURLOPT_HTTPHEADER, *headers);
}

bool
registry_transient_curl (CURLcode c)
{
  switch (c)
    {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
    }
}

bool
registry_transient_status (long status)
{
  return status == 429 || status == 408 || (status >= 500 && status <= 599);
}

long
registry_backoff_ms (unsigned attempt)
{
  return (long) REGISTRY_BACKOFF_MS << (attempt > 1 ? attempt - 1 : 0);
}

int
registry_curl_error (struct registry *r, CURLcode c, const char *errbuf, const char *what,
                     tong_error *err)
{
  const char *detail = errbuf && *errbuf ? errbuf : curl_easy_strerror (c);
  int e;

  switch (c)
    {
    case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
    case CURLE_SSL_CACERT:
#endif
      return tong_err_code (err, EPROTO,
                            "%s from %s: the registry's TLS certificate was not "
                            "verified: %s (give its CA with --ca-file, or mark the "
                            "registry insecure)",
                            what, r->host, detail);
    case CURLE_SSL_CONNECT_ERROR:
      return tong_err_code (err, EPROTO,
                            "%s from %s: TLS connection failed: %s (if the registry "
                            "serves plain HTTP, mark it insecure with --insecure or "
                            "in registries.conf)",
                            what, r->host, detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
      return tong_err_code (err, EPROTO,
                            "%s from %s: %s (plain http is only used for "
                            "registries marked insecure)",
                            what, r->host, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
      e = EHOSTUNREACH;
      break;
    case CURLE_COULDNT_CONNECT:
      e = ECONNREFUSED;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      e = ETIMEDOUT;
      break;
    default:
      e = EIO;
    }
  return tong_err_code (err, e, "%s from %s: %s", what, r->host, detail);
}

/* "CODE: message" of the first entry of a distribution-spec error body. */
static char *
error_body_summary (const char *body, size_t len)
{
  const char *ep[] = { "errors", NULL }, *cp[] = { "code", NULL }, *mp[] = { "message", NULL };
  _cleanup_free_ char *copy = NULL;
  char *out = NULL;
  yajl_val tree, errors;

  if (body == NULL || len == 0 || len > 65536)
    return NULL;
  copy = strndup (body, len);
  /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): copy is freed by _cleanup_free_ */
  tree = yajl_tree_parse (copy, NULL, 0);
  errors = tree ? yajl_tree_get (tree, ep, yajl_t_array) : NULL;
  if (errors && errors->u.array.len > 0)
    {
      yajl_val c = yajl_tree_get (errors->u.array.values[0], cp, yajl_t_string);
      yajl_val m = yajl_tree_get (errors->u.array.values[0], mp, yajl_t_string);
      out = xasprintf ("%s%s%s", c ? YAJL_GET_STRING (c) : "", c && m ? ": " : "",
                       m ? YAJL_GET_STRING (m) : "");
    }
  yajl_tree_free (tree);
  return out;
}

int
registry_http_error (struct registry *r, long status, const char *body, size_t len,
                     const char *what, tong_error *err)
{
  _cleanup_free_ char *summary = error_body_summary (body, len);
  _cleanup_free_ char *detail = summary ? xasprintf (": %s", summary) : xstrdup ("");

  if (status == 401 || status == 403)
    return tong_err_code (err, EACCES,
                          "authentication to %s failed: access to %s denied (HTTP "
                          "%ld%s)%s",
                          r->host, r->repository, status, detail,
                          r->user ? ""
                                  : "; no credentials were given (--creds USER:PASS or "
                                    "an auth.json entry)");
  if (status == 404)
    return tong_err_code (err, ENOENT, "%s not found in %s/%s (HTTP 404%s)", what, r->host,
                          r->repository, detail);
  return tong_err_code (err, EPROTO, "%s from %s/%s: HTTP %ld%s", what, r->host, r->repository,
                        status, detail);
}

static size_t
discard_cb (char *buf, size_t size, size_t n, void *data)
{
  (void) buf;
  (void) data;
  return size * n;
}

/* GET /v2/ (the API version check): the curl result, the status and the
 * auth challenge, if any. */
static CURLcode
ping_once (struct registry *r, char *errbuf, long *status, char **challenge)
{
  struct http_reply reply = { 0 };
  struct curl_slist *headers = NULL;
  _cleanup_free_ char *url = xasprintf ("%s/v2/", r->base);
  CURL *h = curl_easy_init ();
  CURLcode cc;

  if (h == NULL)
    return CURLE_OUT_OF_MEMORY;
  registry_setup_easy (r, h, url, true, &headers);
  curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, http_reply_header_cb);
  curl_easy_setopt (h, CURLOPT_HEADERDATA, &reply);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, discard_cb);
  for (unsigned attempt = 0;; attempt++)
    {
      errbuf[0] = '\0';
      cc = curl_easy_perform (h);
      curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, status);
      if (attempt < REGISTRY_RETRIES
          && ((cc != CURLE_OK && registry_transient_curl (cc) && cc != CURLE_COULDNT_CONNECT)
              || (cc == CURLE_OK && registry_transient_status (*status))))
        {
          usleep (registry_backoff_ms (attempt + 1) * 1000);
          continue;
        }
      break;
    }
  free (*challenge);
  *challenge = cc == CURLE_OK && reply.www_authenticate ? xstrdup (reply.www_authenticate) : NULL;
  http_reply_clear (&reply);
  curl_slist_free_all (headers);
  curl_easy_cleanup (h);
  return cc;
}

static bool
tls_failure (CURLcode c)
{
  return c == CURLE_SSL_CONNECT_ERROR || c == CURLE_PEER_FAILED_VERIFICATION
         || c == CURLE_SSL_CERTPROBLEM || c == CURLE_SSL_CIPHER || c == CURLE_RECV_ERROR
         || c == CURLE_GOT_NOTHING;
}

/* Find the scheme (https; plain http only for an insecure registry that
 * does not speak TLS), then answer the registry's challenge once, so that
 * parallel blob requests start authenticated. */
static int
registry_ping (struct registry *r, tong_error *err)
{
  _cleanup_free_ char *challenge = NULL;
  const char *api_host = strcmp (r->host, "docker.io") == 0 ? "registry-1.docker.io" : r->host;
  char errbuf[CURL_ERROR_SIZE] = "";
  long status = 0;
  CURLcode cc;
  int ret;

  r->base = xasprintf ("https://%s", api_host);
  cc = ping_once (r, errbuf, &status, &challenge);
  if (cc != CURLE_OK && r->insecure && tls_failure (cc))
    {
      free (r->base);
      r->base = xasprintf ("http://%s", api_host);
      cc = ping_once (r, errbuf, &status, &challenge);
    }
  if (cc != CURLE_OK)
    return registry_curl_error (r, cc, errbuf, "API version check (GET /v2/)", err);
  if (status != 401)
    return 0;
  ret = registry_authenticate (r, challenge, false, err);
  if (ret < 0)
    return ret;
  /* Check the credentials now, for an early and clear error. */
  cc = ping_once (r, errbuf, &status, &challenge);
  if (cc != CURLE_OK)
    return registry_curl_error (r, cc, errbuf, "API version check (GET /v2/)", err);
  if (status == 401)
    {
      ret = registry_authenticate (r, challenge, true, err);
      if (ret < 0)
        return ret;
      return tong_err_code (err, EACCES, "authentication to %s failed: the registry refused %s",
                            r->host, r->user ? "the credentials" : "anonymous access");
    }
  return 0;
}

int
registry_open (const struct image_ref *ref, const struct registry_options *o, struct registry **out,
               tong_error *err)
{
  struct registry *r;
  bool conf_insecure = false;
  int ret;

  *out = NULL;
  pthread_once (&curl_once, curl_init_once);
  ret = registry_conf_insecure (o->registries_conf, ref->registry, &conf_insecure, err);
  if (ret < 0)
    return ret;
  r = xcalloc (1, sizeof *r);
  r->host = xstrdup (ref->registry);
  r->repository = xstrdup (ref->repository);
  r->insecure = o->insecure || conf_insecure;
  r->progress = o->progress;
  r->parallel = o->parallel ? o->parallel : 3;
  r->ca_file = o->ca_file ? xstrdup (o->ca_file) : NULL;
  if (o->creds)
    ret = auth_split_creds (o->creds, &r->user, &r->pass, err);
  else
    ret = auth_find_credentials (o->auth_file, r->host, r->repository, &r->user, &r->pass, err);
  if (ret == 0)
    ret = registry_ping (r, err);
  if (ret < 0)
    {
      registry_close (r);
      return ret;
    }
  *out = r;
  return 0;
}

void
registry_close (struct registry *r)
{
  if (r == NULL)
    return;
  while (r->tokens)
    {
      struct token_entry *e = r->tokens;
      r->tokens = e->next;
      free (e->scope);
      free (e->token);
      free (e);
    }
  free (r->host);
  free (r->repository);
  free (r->base);
  free (r->ca_file);
  free (r->user);
  if (r->pass)
    explicit_bzero (r->pass, strlen (r->pass));
  free (r->pass);
  if (r->authorization)
    explicit_bzero (r->authorization, strlen (r->authorization));
  free (r->authorization);
  free (r);
}
