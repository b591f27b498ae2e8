/* Image references as users write them: `busybox`, `library/busybox:1.36`,
 * `host:port/ns/name@sha256:...`, `name:tag@digest`.
 *
 * The grammar is the one docker and containerd accept: an optional registry
 * (the first component, when it has a '.' or a ':' or is "localhost"), a
 * repository of lowercase path components separated by '/', then an optional
 * ":tag" and an optional "@algorithm:hex" digest.  Names without a registry
 * get the default registry; on docker.io a single-component name gets
 * "library/" in front; a reference with neither tag nor digest gets "latest". */
#ifndef TONG_SHIM_REFERENCE_H
#define TONG_SHIM_REFERENCE_H

#include <stdbool.h>

#include "src/base/error.h"

/* The registry used for names without one, when the caller has no other. */
#define IMAGE_REF_DEFAULT_REGISTRY "docker.io"

struct image_ref
{
  char *registry;   /* host[:port], e.g. "docker.io" */
  char *repository; /* "library/busybox" */
  char *tag;        /* NULL when by digest only */
  char *digest;     /* "sha256:<64 hex>" or NULL */
};

/* Parse text; default_registry NULL means docker.io.  On error, out is left
 * cleared and err names the problem. */
int image_ref_parse (const char *text, const char *default_registry, struct image_ref *out,
                     tong_error *err);

/* Canonical form: "registry/repo:tag", "registry/repo@digest", or
 * "registry/repo:tag@digest" when both are set.  Caller frees. */
char *image_ref_format (const struct image_ref *r);

void image_ref_clear (struct image_ref *r);

/* Is s "sha256:" followed by 64 lowercase hex digits (or "sha512:" and 128)? */
bool image_digest_valid (const char *s);

#endif
