/* Answering a registry's 401: bearer tokens from the challenge's realm
 * (anonymous or with basic credentials, cached per scope) or basic auth. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "src/shim/registry-internal.h"
#include "src/base/util.h"

#define TOKEN_MAX_BYTES (1 << 20)

static const char *
token_cached (struct registry *r, const char *scope)
{
  for (struct token_entry *e = r->tokens; e; e = e->next)
    if (strcmp (e->scope, scope) == 0)
      return e->token;
  return NULL;
}

static void
token_forget (struct registry *r, const char *scope)
{
  for (struct token_entry **pp = &r->tokens; *pp; pp = &(*pp)->next)
    if (strcmp ((*pp)->scope, scope) == 0)
      {
        struct token_entry *e = *pp;
        *pp = e->next;
        free (e->scope);
        free (e->token);
        free (e);
        return;
      }
}

/* GET realm?service=…&scope=… and return the token of its JSON answer. */
static int
fetch_token (struct registry *r, const struct auth_challenge *c, const char *scope, char **token,
             tong_error *err)
{
  struct http_body body = { .max = TOKEN_MAX_BYTES };
  struct http_reply reply = { 0 };
  struct curl_slist *headers = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  _cleanup_free_ char *url = NULL;
  char *esc_service, *esc_scope, *esc_account = NULL;
  CURL *h;
  CURLcode cc;
  int ret = 0;

  if (strncmp (c->realm, "https://", 8) != 0)
    {
      if (strncmp (c->realm, "http://", 7) != 0)
        return tong_err (err, 0,
                         "authentication to %s failed: token realm \"%s\" is not an "
                         "http(s) URL",
                         r->host, c->realm);
      if (!r->insecure)
        return tong_err (err, 0,
                         "authentication to %s failed: token realm %s is plain http; "
                         "refusing it for a registry not marked insecure",
                         r->host, c->realm);
    }
  h = curl_easy_init ();
  if (h == NULL)
    return tong_err (err, ENOMEM, "curl_easy_init");
  esc_service = curl_easy_escape (h, c->service ? c->service : "", 0);
  esc_scope = curl_easy_escape (h, scope, 0);
  if (r->user)
    esc_account = curl_easy_escape (h, r->user, 0);
  url = xasprintf ("%s%cservice=%s&scope=%s%s%s", c->realm, strchr (c->realm, '?') ? '&' : '?',
                   esc_service, esc_scope, esc_account ? "&account=" : "",
                   esc_account ? esc_account : "");
  curl_free (esc_service);
  curl_free (esc_scope);
  curl_free (esc_account);

  registry_setup_easy (r, h, url, false, &headers);
  if (r->user)
    {
      curl_easy_setopt (h, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
      curl_easy_setopt (h, CURLOPT_USERNAME, r->user);
      curl_easy_setopt (h, CURLOPT_PASSWORD, r->pass);
    }
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, http_body_write_cb);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, http_reply_header_cb);
  curl_easy_setopt (h, CURLOPT_HEADERDATA, &reply);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  for (unsigned attempt = 0;; attempt++)
    {
      body.len = 0;
      cc = curl_easy_perform (h);
      curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &reply.status);
      if (attempt < REGISTRY_RETRIES
          && ((cc != CURLE_OK && registry_transient_curl (cc))
              || (cc == CURLE_OK && registry_transient_status (reply.status))))
        {
          usleep (registry_backoff_ms (attempt + 1) * 1000);
          continue;
        }
      break;
    }
  if (cc != CURLE_OK)
    {
      ret = registry_curl_error (r, cc, errbuf, "token request", err);
      tong_err_prefix (err, "authentication to %s failed", r->host);
    }
  else if (reply.status == 401 || reply.status == 403)
    ret = tong_err_code (err, EACCES,
                         "authentication to %s failed: the token service %s refused "
                         "%s (HTTP %ld)",
                         r->host, c->realm, r->user ? "the credentials" : "anonymous access",
                         reply.status);
  else if (reply.status != 200)
    ret = tong_err_code (err, EPROTO,
                         "authentication to %s failed: the token service %s "
                         "answered HTTP %ld",
                         r->host, c->realm, reply.status);
  else
    {
      const char *tp[] = { "token", NULL }, *ap[] = { "access_token", NULL };
      char ebuf[128];
      yajl_val tree = body.data ? yajl_tree_parse (body.data, ebuf, sizeof ebuf) : NULL;
      yajl_val t = tree ? yajl_tree_get (tree, tp, yajl_t_string) : NULL;

      if (t == NULL && tree)
        t = yajl_tree_get (tree, ap, yajl_t_string);
      if (t == NULL || *t->u.string == '\0')
        ret = tong_err_code (err, EPROTO,
                             "authentication to %s failed: the token service %s "
                             "answered without a token",
                             r->host, c->realm);
      else
        *token = xstrdup (YAJL_GET_STRING (t));
      yajl_tree_free (tree);
    }
  free (body.data);
  http_reply_clear (&reply);
  curl_slist_free_all (headers);
  curl_easy_cleanup (h);
  return ret;
}

int
registry_authenticate (struct registry *r, const char *challenge, bool had_auth, tong_error *err)
{
  struct auth_challenge c;
  _cleanup_free_ char *scope = NULL;
  char *token = NULL;
  const char *cached;
  int ret;

  if (challenge == NULL)
    return tong_err_code (err, EACCES,
                          "authentication to %s failed: HTTP 401 without a "
                          "WWW-Authenticate challenge",
                          r->host);
  ret = auth_challenge_parse (challenge, &c, err);
  if (ret < 0)
    return tong_err_prefix (err, "authentication to %s failed", r->host);

  if (c.scheme == AUTH_BASIC)
    {
      if (r->user == NULL)
        ret = tong_err_code (err, EACCES,
                             "authentication to %s failed: the registry requires "
                             "credentials (give --creds USER:PASS or an auth.json "
                             "entry)",
                             r->host);
      else if (had_auth && r->authorization && strncmp (r->authorization, "Basic ", 6) == 0)
        ret = tong_err_code (err, EACCES,
                             "authentication to %s failed: the registry refused the "
                             "credentials of user %s",
                             r->host, r->user);
      else
        {
          _cleanup_free_ char *pair = xasprintf ("%s:%s", r->user, r->pass);
          _cleanup_free_ char *b64 = auth_base64 (pair, strlen (pair));
          free (r->authorization);
          r->authorization = xasprintf ("Basic %s", b64);
        }
      auth_challenge_clear (&c);
      return ret;
    }

  scope = c.scope ? xstrdup (c.scope) : xasprintf ("repository:%s:pull", r->repository);
  cached = token_cached (r, scope);
  if (cached && had_auth && r->authorization && strncmp (r->authorization, "Bearer ", 7) == 0
      && strcmp (r->authorization + 7, cached) == 0)
    {
      /* The registry rejected this very token. */
      if (c.error && strcmp (c.error, "insufficient_scope") == 0)
        ret = tong_err_code (err, EACCES,
                             "authentication to %s failed: the token does not "
                             "grant %s%s",
                             r->host, scope,
                             r->user ? "" : " (no credentials were given: --creds USER:PASS)");
      else
        token_forget (r, scope); /* expired, most likely: ask again */
      cached = NULL;
    }
  if (ret == 0 && cached == NULL)
    {
      ret = fetch_token (r, &c, scope, &token, err);
      if (ret == 0)
        {
          struct token_entry *e = xcalloc (1, sizeof *e);
          e->scope = xstrdup (scope);
          e->token = token;
          e->next = r->tokens;
          r->tokens = e;
          cached = token;
        }
    }
  if (ret == 0)
    {
      free (r->authorization);
      r->authorization = xasprintf ("Bearer %s", cached);
    }
  auth_challenge_clear (&c);
  return ret;
}
