/* tong-shim's registry client: the OCI distribution API over libcurl.
 *
 *   registry_open      one repository on one registry: picks https (or plain
 *                      http when the registry is insecure), finds credentials
 *                      and answers the registry's auth challenge
 *   registry_get_manifest  a manifest or index by tag or digest
 *   registry_get_blobs     blobs in parallel, verified while streaming,
 *                      retried and resumed
 *
 * Auth: bearer tokens (the WWW-Authenticate challenge, anonymous or with
 * credentials, cached per scope) and basic auth.  Credentials come from
 * --creds, else the first auth file naming the registry: $REGISTRY_AUTH_FILE
 * (alone, when set), ${XDG_RUNTIME_DIR}/containers/auth.json,
 * ~/.docker/config.json.  TLS is verified unless the registry is insecure.
 * docs/registries.md describes the behaviour and the registries.conf subset.
 * A struct registry is used by one thread at a time; several processes may
 * pull the same blobs at once (each into its own file). */
#ifndef TONG_SHIM_REGISTRY_H
#define TONG_SHIM_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/base/error.h"
#include "src/shim/reference.h"

struct registry_options
{
  bool insecure;         /* plain HTTP allowed (and TLS unverified) for this registry */
  const char *creds;     /* "USER:PASS" from --creds, or NULL */
  const char *auth_file; /* NULL: $REGISTRY_AUTH_FILE, then ${XDG_RUNTIME_DIR}/containers/auth.json,
                            then ~/.docker/config.json */
  const char *registries_conf; /* NULL or a registries.conf (v2 subset) naming insecure registries
                                  and the default registry */
  const char *ca_file;         /* extra CA bundle; NULL: system default */
  unsigned parallel;           /* blob downloads at once; 0 = 3 */
  bool progress;               /* progress on stderr, only when it is a terminal */
};

struct registry;

int registry_open (const struct image_ref *ref, const struct registry_options *o,
                   struct registry **out, tong_error *err);
void registry_close (struct registry *r);

/* The default registry named by registries_conf (its first
 * unqualified-search-registries entry), or docker.io.  Caller frees. */
int registry_conf_default (const char *registries_conf, char **default_registry, tong_error *err);
/* Whether registries_conf marks host ("host[:port]") insecure. */
int registry_conf_insecure (const char *registries_conf, const char *host, bool *insecure,
                            tong_error *err);

/* The media types registry_get_manifest asks for. */
#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

/* GET a manifest or index by tag or digest.  body is malloc'ed (and
 * NUL-terminated); media_type from Content-Type or else the body's mediaType;
 * digest = "sha256:<hex>" of the body.  When fetched by digest, a mismatch is
 * an error.  A missing tag or digest is -ENOENT. */
int registry_get_manifest (struct registry *r, const char *tag_or_digest, char **body, size_t *len,
                           char **media_type, char **digest, tong_error *err);

struct blob_fetch
{
  const char *digest; /* "sha256:<hex>" */
  int64_t size;       /* expected size in bytes */
  int fd;             /* O_RDWR, not O_APPEND (written with pwrite); bytes already in it are
                         kept and the download resumes with Range (their digest is re-hashed
                         first) */
  int result;         /* 0 or -errno */
  tong_error err;
};

/* Download blobs in parallel (curl multi), following redirects (to blob
 * storage, without sending the registry's Authorization there), verifying
 * size and sha256 while streaming.  Transient failures (connection errors,
 * 5xx, 429) are retried with exponential backoff up to 5 times, resuming with
 * Range.  A blob whose content does not match its digest is truncated to 0
 * bytes (so that the next try starts over) and fails.  Returns <0 if any
 * failed; each f[i].result/err says which and why. */
int registry_get_blobs (struct registry *r, struct blob_fetch *f, size_t n, tong_error *err);

#endif
