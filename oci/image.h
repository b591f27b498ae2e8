/* OCI image-spec documents (and their Docker schema 2 twins): manifests,
 * indexes / manifest lists and image configs, parsed into plain structs with
 * errors that name the JSON path ("manifest: layers[1].digest: ..."). */
#ifndef TONG_OCI_IMAGE_H
#define TONG_OCI_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/base/error.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

#define OCI_REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"

struct oci_platform
{
  char *os;
  char *architecture;
  char *variant; /* may be NULL */
};

struct oci_descriptor
{
  char *media_type;
  char *digest; /* "sha256:<64 hex>", checked */
  int64_t size;
  struct oci_platform platform; /* index entries only; fields NULL when absent */
  char *ref_name;               /* org.opencontainers.image.ref.name, or NULL */
};

struct oci_manifest
{
  char *media_type; /* from the document, or NULL */
  struct oci_descriptor config;
  struct oci_descriptor *layers;
  size_t n_layers;
};

struct oci_index
{
  char *media_type;
  struct oci_descriptor *manifests;
  size_t n_manifests;
};

struct oci_image_config
{
  char *os;
  char *architecture;
  char *created;
  char *user;
  char *working_dir;
  char **env;        /* NULL-terminated, maybe NULL */
  char **entrypoint; /* NULL-terminated, maybe NULL */
  char **cmd;        /* NULL-terminated, maybe NULL */
  char *stop_signal;
  char **diff_ids; /* rootfs.diff_ids, NULL-terminated, checked digests */
  size_t n_diff_ids;
};

enum oci_doc_kind
{
  OCI_DOC_MANIFEST,
  OCI_DOC_INDEX,
};

/* Is it "sha256:" followed by 64 lowercase hex digits? */
bool oci_digest_valid (const char *digest);

/* Manifest or index? From the media type when given (the HTTP Content-Type or
 * the descriptor), else from the document's mediaType / fields. */
int oci_doc_kind (const char *json, size_t len, const char *media_type, enum oci_doc_kind *kind,
                  tong_error *err);

int oci_manifest_parse (const char *json, size_t len, struct oci_manifest *m, tong_error *err);
void oci_manifest_clear (struct oci_manifest *m);
int oci_index_parse (const char *json, size_t len, struct oci_index *idx, tong_error *err);
void oci_index_clear (struct oci_index *idx);
int oci_image_config_parse (const char *json, size_t len, struct oci_image_config *c,
                            tong_error *err);
void oci_image_config_clear (struct oci_image_config *c);

/* "os/arch[/variant]" into p; NULL text means the host's platform. */
int oci_platform_parse (const char *text, struct oci_platform *p, tong_error *err);
void oci_platform_clear (struct oci_platform *p);
/* The index entry for platform want (variant matched when both have one);
 * -ENOENT with the platforms on offer in the message. */
int oci_index_select (const struct oci_index *idx, const struct oci_platform *want, size_t *which,
                      tong_error *err);

/* A layer media type tong-shim can unpack (tar, gzip or zstd)? */
bool oci_layer_media_type_known (const char *media_type);

#endif
