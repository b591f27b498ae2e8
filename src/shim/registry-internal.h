/* Internal to the registry client (registry*.c): the connection state and
 * the HTTP helpers its files share. */
#ifndef TONG_SHIM_REGISTRY_INTERNAL_H
#define TONG_SHIM_REGISTRY_INTERNAL_H

#include <curl/curl.h>

#include "src/shim/auth.h"
#include "src/shim/registry.h"

/* Transient failures are retried this many times, waiting
 * REGISTRY_BACKOFF_MS, then twice that, and so on. */
#define REGISTRY_RETRIES 5
#define REGISTRY_BACKOFF_MS 250

struct token_entry
{
  char *scope;
  char *token;
  struct token_entry *next;
};

struct registry
{
  char *host;       /* as the user wrote it: "docker.io", "127.0.0.1:5000" */
  char *repository; /* "library/busybox" */
  char *base;       /* "https://registry-1.docker.io" or "http://127.0.0.1:5000" */
  bool insecure;
  bool progress;
  unsigned parallel;
  char *ca_file;
  char *user, *pass;   /* credentials, or NULL */
  char *authorization; /* the Authorization header value in use, or NULL */
  struct token_entry *tokens;
};

/* What a request's response headers said (the last response, after redirects). */
struct http_reply
{
  long status;
  char *content_type;
  char *www_authenticate;
  char *content_range;
  char *retry_after;
};

/* A response body kept in memory, up to max bytes (then too_big, and the
 * transfer stops); NUL-terminated. */
struct http_body
{
  char *data;
  size_t len;
  size_t max;
  bool too_big;
};

/* A CURLOPT_WRITEFUNCTION filling a struct http_body (CURLOPT_WRITEDATA). */
size_t http_body_write_cb (char *buf, size_t size, size_t n, void *data);

void http_reply_clear (struct http_reply *h);
/* A CURLOPT_HEADERFUNCTION filling a struct http_reply (CURLOPT_HEADERDATA). */
size_t http_reply_header_cb (char *buf, size_t size, size_t n, void *data);

/* TLS, timeouts, redirects, user agent for a request to url; with_auth adds
 * the registry's Authorization (curl drops it on a redirect to another host). */
void registry_setup_easy (struct registry *r, CURL *h, const char *url, bool with_auth,
                          struct curl_slist **headers);

/* Explain a curl failure on what ("manifest latest"), with hints for TLS. */
int registry_curl_error (struct registry *r, CURLcode c, const char *errbuf, const char *what,
                         tong_error *err);
/* Explain an HTTP error status, using the registry's JSON error body when given. */
int registry_http_error (struct registry *r, long status, const char *body, size_t len,
                         const char *what, tong_error *err);

bool registry_transient_curl (CURLcode c);
bool registry_transient_status (long status);
/* Sleep the backoff before retry number attempt (1-based). */
long registry_backoff_ms (unsigned attempt);

/* A 401 came back with this challenge (NULL when none): get new
 * credentials for it (a bearer token, or basic auth).  Fails when there is
 * nothing new to try, with "authentication to HOST failed: …".  had_auth: the
 * request carried r->authorization. */
int registry_authenticate (struct registry *r, const char *challenge, bool had_auth,
                           tong_error *err);

#endif
