/* WWW-Authenticate challenges, auth files, base64 (see auth.h). */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <yajl/yajl_tree.h>

#include "src/base/util.h"

void
auth_challenge_clear (struct auth_challenge *c)
{
  free (c->realm);
  free (c->service);
  free (c->scope);
  free (c->error);
  memset (c, 0, sizeof *c);
}

/* One auth-param value: a token or a quoted string with \-escapes.  Advances
 * *pp past it; returns a new string or NULL when the quote is unterminated. */
static char *
param_value (const char **pp)
{
  const char *p = *pp;
  size_t n = 0;
  char *v;

  if (*p != '"')
    {
      while (p[n] && p[n] != ',' && !isspace ((unsigned char) p[n]))
        n++;
      *pp = p + n;
      return strndup (p, n);
    }
  p++;
  v = xmalloc (strlen (p) + 1);
  while (*p && *p != '"')
    {
      if (*p == '\\' && p[1])
        p++;
      v[n++] = *p++;
    }
  if (*p != '"')
    {
      free (v);
      return NULL;
    }
  v[n] = '\0';
  *pp = p + 1;
  return v;
}

int
auth_challenge_parse (const char *header, struct auth_challenge *out, tong_error *err)
{
  const char *p = header;
  size_t n;

  memset (out, 0, sizeof *out);
  while (isspace ((unsigned char) *p))
    p++;
  for (n = 0; p[n] && !isspace ((unsigned char) p[n]); n++)
    ;
  if (n == 6 && strncasecmp (p, "Bearer", 6) == 0)
    out->scheme = AUTH_BEARER;
  else if (n == 5 && strncasecmp (p, "Basic", 5) == 0)
    out->scheme = AUTH_BASIC;
  else
    return tong_err (err, 0, "unsupported authentication scheme \"%.*s\" in WWW-Authenticate",
                     (int) (n > 64 ? 64 : n), p);
  p += n;
  for (;;)
    {
      const char *key;
      size_t klen;
      char *v, **slot = NULL;

      while (isspace ((unsigned char) *p) || *p == ',')
        p++;
      if (*p == '\0')
        break;
      key = p;
      while (*p && *p != '=' && *p != ',' && !isspace ((unsigned char) *p))
        p++;
      klen = p - key;
      while (isspace ((unsigned char) *p))
        p++;
      if (*p != '=')
        {
          auth_challenge_clear (out);
          return tong_err (err, 0,
                           "malformed WWW-Authenticate challenge \"%s\": parameter "
                           "without a value",
                           header);
        }
      p++;
      while (isspace ((unsigned char) *p))
        p++;
      v = param_value (&p);
      if (v == NULL)
        {
          auth_challenge_clear (out);
          return tong_err (err, 0,
                           "malformed WWW-Authenticate challenge \"%s\": unterminated "
                           "quoted string",
                           header);
        }
      if (klen == 5 && strncasecmp (key, "realm", 5) == 0)
        slot = &out->realm;
      else if (klen == 7 && strncasecmp (key, "service", 7) == 0)
        slot = &out->service;
      else if (klen == 5 && strncasecmp (key, "scope", 5) == 0)
        slot = &out->scope;
      else if (klen == 5 && strncasecmp (key, "error", 5) == 0)
        slot = &out->error;
      if (slot)
        {
          free (*slot);
          *slot = v;
        }
      else
        free (v);
    }
  if (out->scheme == AUTH_BEARER && (out->realm == NULL || *out->realm == '\0'))
    {
      auth_challenge_clear (out);
      return tong_err (err, 0, "bearer challenge without a realm: \"%s\"", header);
    }
  return 0;
}

char *
auth_base64 (const void *data, size_t len)
{
  char *out = xmalloc (4 * ((len + 2) / 3) + 1);
  EVP_EncodeBlock ((unsigned char *) out, data, (int) len);
  return out;
}

char *
auth_base64_decode (const char *s, size_t *len)
{
  size_t n = strlen (s), pad = 0;
  _cleanup_free_ char *in = xmalloc (n + 4);
  char *out;
  int r;

  memcpy (in, s, n);
  while (n % 4)
    in[n++] = '=';
  in[n] = '\0';
  if (n >= 1 && in[n - 1] == '=')
    pad++;
  if (n >= 2 && in[n - 2] == '=')
    pad++;
  out = xmalloc (n / 4 * 3 + 1);
  r = EVP_DecodeBlock ((unsigned char *) out, (unsigned char *) in, (int) n);
  if (r < 0 || (size_t) r < pad)
    {
      free (out);
      return NULL;
    }
  *len = r - pad;
  out[*len] = '\0';
  return out;
}

int
auth_split_creds (const char *creds, char **user, char **pass, tong_error *err)
{
  const char *colon = strchr (creds, ':');

  if (colon == NULL || colon == creds)
    return tong_err (err, 0, "credentials must be USER:PASSWORD");
  *user = strndup (creds, colon - creds);
  *pass = xstrdup (colon + 1);
  return 0;
}

/* How well an auth file key matches host/repository: -1 no, else the length
 * of the matched prefix (a longer key, "host/ns", beats "host"). */
static int
key_match (const char *key, const char *host, const char *repository)
{
  const char *k = key, *slash;
  size_t hlen;
  bool had_scheme = false;

  if (strncmp (k, "https://", 8) == 0)
    k += 8, had_scheme = true;
  else if (strncmp (k, "http://", 7) == 0)
    k += 7, had_scheme = true;
  slash = strchr (k, '/');
  hlen = slash ? (size_t) (slash - k) : strlen (k);
  if (strcmp (host, "docker.io") == 0
      && ((hlen == 15 && strncmp (k, "index.docker.io", 15) == 0)
          || (hlen == 20 && strncmp (k, "registry-1.docker.io", 20) == 0)))
    hlen = 9, k = "docker.io";
  if (strlen (host) != hlen || strncmp (k, host, hlen) != 0)
    return -1;
  /* docker's legacy keys carry a path ("/v1/") that is not a namespace. */
  if (slash == NULL || had_scheme)
    return (int) hlen;
  {
    const char *ns = slash + 1;
    size_t nlen = strlen (ns);
    while (nlen && ns[nlen - 1] == '/')
      nlen--;
    if (nlen == 0)
      return (int) hlen;
    if (repository && strncmp (repository, ns, nlen) == 0
        && (repository[nlen] == '\0' || repository[nlen] == '/'))
      return (int) (hlen + 1 + nlen);
  }
  return -1;
}

/* Look host up in one file.  1 found, 0 not there (or no file), <0 error. */
static int
lookup_file (const char *path, bool must_exist, const char *host, const char *repository,
             char **user, char **pass, tong_error *err)
{
  _cleanup_free_ char *text = NULL;
  const char *auths_path[] = { "auths", NULL };
  char ebuf[256];
  yajl_val tree, auths, best = NULL;
  size_t len;
  int best_len = -1, r;

  r = must_exist ? read_file_at (AT_FDCWD, path, &text, &len, err)
                 : read_file_if_exists_at (AT_FDCWD, path, &text, &len, err);
  if (r < 0)
    return tong_err_prefix (err, "auth file");
  if (!text)
    return 0;
  tree = yajl_tree_parse (text, ebuf, sizeof ebuf);
  if (tree == NULL)
    return tong_err (err, 0, "auth file %s: not valid JSON: %s", path, ebuf);
  auths = yajl_tree_get (tree, auths_path, yajl_t_object);
  for (size_t i = 0; auths && i < auths->u.object.len; i++)
    {
      int m = key_match (auths->u.object.keys[i], host, repository);
      if (m > best_len && YAJL_IS_OBJECT (auths->u.object.values[i]))
        best_len = m, best = auths->u.object.values[i];
    }
  r = 0;
  if (best)
    {
      const char *a_path[] = { "auth", NULL }, *u_path[] = { "username", NULL },
                 *p_path[] = { "password", NULL };
      yajl_val a = yajl_tree_get (best, a_path, yajl_t_string);
      yajl_val u = yajl_tree_get (best, u_path, yajl_t_string);
      yajl_val p = yajl_tree_get (best, p_path, yajl_t_string);

      if (a && *a->u.string)
        {
          size_t dlen;
          _cleanup_free_ char *dec = auth_base64_decode (a->u.string, &dlen);
          if (dec == NULL || strlen (dec) != dlen || strchr (dec, ':') == NULL)
            r = tong_err (err, 0,
                          "auth file %s: the \"auth\" entry for %s is not base64 of "
                          "USER:PASSWORD",
                          path, host);
          else
            r = auth_split_creds (dec, user, pass, err) < 0 ? -EINVAL : 1;
        }
      else if (u && p)
        {
          *user = xstrdup (YAJL_GET_STRING (u));
          *pass = xstrdup (YAJL_GET_STRING (p));
          r = 1;
        }
    }
  yajl_tree_free (tree);
  return r;
}

int
auth_find_credentials (const char *auth_file, const char *host, const char *repository, char **user,
                       char **pass, tong_error *err)
{
  const char *env = getenv ("REGISTRY_AUTH_FILE");
  const char *xdg = getenv ("XDG_RUNTIME_DIR"), *home = getenv ("HOME");
  _cleanup_free_ char *xdg_file = NULL, *docker_file = NULL;
  int r;

  *user = *pass = NULL;
  if (auth_file)
    return lookup_file (auth_file, true, host, repository, user, pass, err) < 0 ? -err->errnum : 0;
  if (env && *env)
    return lookup_file (env, false, host, repository, user, pass, err) < 0 ? -err->errnum : 0;
  if (xdg && *xdg)
    {
      xdg_file = xasprintf ("%s/containers/auth.json", xdg);
      r = lookup_file (xdg_file, false, host, repository, user, pass, err);
      if (r != 0)
        return r < 0 ? r : 0;
    }
  if (home && *home)
    {
      docker_file = xasprintf ("%s/.docker/config.json", home);
      r = lookup_file (docker_file, false, host, repository, user, pass, err);
      if (r < 0)
        return r;
    }
  return 0;
}
