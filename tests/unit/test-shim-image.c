/* Unit tests for tong-shim's image-spec parsing (oci/image.c): manifests,
 * indexes and Docker lists, configs, platform selection, errors that name
 * the JSON path. */
#include <errno.h>
#include <string.h>

#include "oci/image.h"
#include "tests/unit/check.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static void
test_digest_valid (void)
{
  CHECK (oci_digest_valid (D1));
  CHECK (!oci_digest_valid ("sha256:abc"));
  CHECK (!oci_digest_valid (
      "sha512:1111111111111111111111111111111111111111111111111111111111111111"));
  CHECK (!oci_digest_valid (
      "sha256:111111111111111111111111111111111111111111111111111111111111111G"));
  CHECK (!oci_digest_valid (NULL));
}

static void
test_manifest (void)
{
  const char *json
      = "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\","
        "\"config\":{\"mediaType\":\"" MT_DOCKER_CONFIG "\",\"digest\":\"" D1 "\",\"size\":7},"
        "\"layers\":[{\"mediaType\":\"" MT_DOCKER_LAYER_GZIP "\",\"digest\":\"" D2 "\",\"size\":9},"
        "{\"mediaType\":\"" MT_OCI_LAYER_ZSTD "\",\"digest\":\"" D1 "\",\"size\":1}]}";
  struct oci_manifest m;
  enum oci_doc_kind kind;
  tong_error err = { 0 };

  CHECK (oci_doc_kind (json, strlen (json), NULL, &kind, &err) == 0 && kind == OCI_DOC_MANIFEST);
  CHECK (oci_manifest_parse (json, strlen (json), &m, &err) == 0);
  CHECK (strcmp (m.config.digest, D1) == 0 && m.config.size == 7);
  CHECK (m.n_layers == 2 && strcmp (m.layers[0].digest, D2) == 0 && m.layers[0].size == 9);
  oci_manifest_clear (&m);
}

static void
test_manifest_errors (void)
{
  struct oci_manifest m;
  tong_error err = { 0 };
  const char *bad_digest = "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},"
                           "\"layers\":[{\"digest\":\"sha256:nothex\",\"size\":1}]}";
  const char *bad_type
      = "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},"
        "\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":\"" D1 "\",\"size\":1}]}";
  const char *v1 = "{\"schemaVersion\":1}";
  const char *no_size = "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\"},\"layers\":[]}";

  CHECK (oci_manifest_parse (bad_digest, strlen (bad_digest), &m, &err) == -EINVAL);
  CHECK (strstr (err.msg, "layers[0].digest") != NULL);
  CHECK (oci_manifest_parse (bad_type, strlen (bad_type), &m, &err) == -EINVAL);
  CHECK (strstr (err.msg, "text/plain") != NULL);
  CHECK (oci_manifest_parse (v1, strlen (v1), &m, &err) == -EINVAL);
  CHECK (strstr (err.msg, "schema 1") != NULL);
  CHECK (oci_manifest_parse (no_size, strlen (no_size), &m, &err) == -EINVAL);
  CHECK (strstr (err.msg, "config.size") != NULL);
  CHECK (oci_manifest_parse ("{", 1, &m, &err) < 0);
}

static void
test_index_select (void)
{
  const char *json = "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":["
                     "{\"digest\":\"" D1 "\",\"size\":1,\"platform\":{\"os\":\"linux\","
                     "\"architecture\":\"arm\",\"variant\":\"v6\"}},"
                     "{\"digest\":\"" D2 "\",\"size\":1,\"platform\":{\"os\":\"linux\","
                     "\"architecture\":\"arm\",\"variant\":\"v7\"}},"
                     "{\"digest\":\"" D1
                     "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"},"
                     "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}";
  struct oci_index idx;
  struct oci_platform p;
  enum oci_doc_kind kind;
  tong_error err = { 0 };
  size_t which = 99;

  CHECK (oci_doc_kind (json, strlen (json), NULL, &kind, &err) == 0 && kind == OCI_DOC_INDEX);
  CHECK (oci_doc_kind (json, strlen (json), MT_OCI_MANIFEST "; charset=utf-8", &kind, &err) == 0
         && kind == OCI_DOC_MANIFEST);
  CHECK (oci_index_parse (json, strlen (json), &idx, &err) == 0 && idx.n_manifests == 3);
  CHECK (strcmp (idx.manifests[2].ref_name, "v1") == 0);
  CHECK (oci_platform_parse ("linux/arm/v7", &p, &err) == 0);
  CHECK (oci_index_select (&idx, &p, &which, &err) == 0 && which == 1);
  oci_platform_clear (&p);
  CHECK (oci_platform_parse ("linux/amd64", &p, &err) == 0);
  CHECK (oci_index_select (&idx, &p, &which, &err) == 0 && which == 2);
  oci_platform_clear (&p);
  CHECK (oci_platform_parse ("linux/s390x", &p, &err) == 0);
  CHECK (oci_index_select (&idx, &p, &which, &err) == -ENOENT);
  CHECK (strstr (err.msg, "linux/arm/v6, linux/arm/v7, linux/amd64") != NULL);
  oci_platform_clear (&p);
  CHECK (oci_platform_parse ("linux", &p, &err) == -EINVAL);
  CHECK (oci_platform_parse ("linux/amd64/", &p, &err) == -EINVAL);
  CHECK (oci_platform_parse (NULL, &p, &err) == 0 && strcmp (p.os, "linux") == 0);
  oci_platform_clear (&p);
  oci_index_clear (&idx);
}

static void
test_config (void)
{
  const char *json
      = "{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"User\":\"app\","
        "\"Env\":[\"A=1\"],\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":null,\"WorkingDir\":\"/w\"},"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}";
  const char *bad = "{\"config\":{\"Env\":[1]},\"rootfs\":{\"diff_ids\":[]}}";
  struct oci_image_config c;
  tong_error err = { 0 };

  CHECK (oci_image_config_parse (json, strlen (json), &c, &err) == 0);
  CHECK (strcmp (c.user, "app") == 0 && strcmp (c.working_dir, "/w") == 0);
  CHECK (c.cmd == NULL && strcmp (c.entrypoint[1], "-c") == 0 && c.entrypoint[2] == NULL);
  CHECK (c.n_diff_ids == 2 && strcmp (c.diff_ids[1], D2) == 0);
  oci_image_config_clear (&c);
  CHECK (oci_image_config_parse (bad, strlen (bad), &c, &err) == -EINVAL);
  CHECK (strstr (err.msg, "config.Env[0]") != NULL);
}

int
main (void)
{
  RUN (test_digest_valid);
  RUN (test_manifest);
  RUN (test_manifest_errors);
  RUN (test_index_select);
  RUN (test_config);
  return failures ? 1 : 0;
}
