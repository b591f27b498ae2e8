/* Registry authentication pieces that need no network: the WWW-Authenticate
 * challenge, credentials from auth files, base64.  The token request itself
 * is in registry-auth.c (it shares the registry's TLS settings). */
#ifndef TONG_SHIM_AUTH_H
#define TONG_SHIM_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "src/base/error.h"

enum auth_scheme
{
  AUTH_NONE,
  AUTH_BASIC,
  AUTH_BEARER,
};

/* A parsed `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`
 * (or `Basic realm="…"`). */
struct auth_challenge
{
  enum auth_scheme scheme;
  char *realm;
  char *service;
  char *scope;
  char *error; /* error="insufficient_scope" and the like, when given */
};

/* Parse one challenge header value.  Unknown schemes are an error naming
 * them; unknown parameters are ignored. */
int auth_challenge_parse (const char *header, struct auth_challenge *out, tong_error *err);
void auth_challenge_clear (struct auth_challenge *c);

/* Credentials for host (and optionally repository: podman allows keys like
 * "host/ns") from an auth file in the docker/podman format
 * {"auths":{"host":{"auth":"base64(user:pass)"}}}.
 *
 * auth_file set: only that file, which must exist.  Otherwise
 * $REGISTRY_AUTH_FILE alone when set (missing is fine), else
 * ${XDG_RUNTIME_DIR}/containers/auth.json, then ~/.docker/config.json; the
 * first file with an entry wins.  Keys may carry a scheme and a path
 * ("https://index.docker.io/v1/").  No entry: 0 with *user = *pass = NULL. */
int auth_find_credentials (const char *auth_file, const char *host, const char *repository,
                           char **user, char **pass, tong_error *err);

/* Split "USER:PASS" (from --creds or a decoded auth entry). */
int auth_split_creds (const char *creds, char **user, char **pass, tong_error *err);

/* base64 of len bytes; caller frees. */
char *auth_base64 (const void *data, size_t len);
/* Decode standard base64 (padding optional); NULL when malformed. */
char *auth_base64_decode (const char *s, size_t *len);

#endif
