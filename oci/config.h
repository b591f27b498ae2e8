/* Parse and validate runtime-spec config.json (and process.json for exec). */
#ifndef TONG_OCI_CONFIG_H
#define TONG_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* Purpose of a parse: create/run demand ociVersion, root and process. */
enum oci_parse_mode
{
  OCI_PARSE_FOR_CREATE, /* ociVersion, root, process.args, process.cwd required */
  OCI_PARSE_ANY,        /* structure and types checked; nothing required */
};

/* Parse config.json text.  On failure the error reads
 * "config.json: linux.namespaces[2].type: unknown namespace \"nett\"". */
int oci_spec_parse (const char *json, size_t len, enum oci_parse_mode mode, struct oci_spec **out,
                    tong_error *err);
void oci_spec_free (struct oci_spec *spec);

/* Parse a runtime-spec "process" object alone (exec --process FILE); errors are
 * prefixed with `what` (e.g. "process.json"). args and cwd are required. */
int oci_process_parse (const char *json, size_t len, const char *what, struct oci_process **out,
                       tong_error *err);
void oci_process_free (struct oci_process *p);

/* Parse a LinuxResources object alone (update --resources). */
int oci_resources_parse (const char *json, size_t len, const char *what, struct oci_resources **out,
                         tong_error *err);
void oci_resources_free (struct oci_resources *r);

/* Helpers used by the runtime. */
/* The one table of namespace types: the name config.json gives a type,
 * its name under /proc/PID/ns/ and its CLONE_NEW* flag.  NULL past the last. */
struct oci_ns_info
{
  const char *name;      /* "network" */
  const char *proc_name; /* "net" */
  int flag;              /* CLONE_NEWNET */
};
const struct oci_ns_info *oci_ns_info (enum oci_ns_type t);
const struct oci_namespace *oci_spec_namespace (const struct oci_spec *s, enum oci_ns_type t);
const char *oci_map_get (const struct oci_map *m, const char *key);
/* A map the runtime builds itself: a deep copy of src, a key set (replacing
 * its value) or added at the end, and its memory freed. */
void oci_map_copy (struct oci_map *dst, const struct oci_map *src);
void oci_map_set (struct oci_map *m, const char *key, const char *value);
void oci_map_clear (struct oci_map *m);
#define _cleanup_oci_map_ __attribute__ ((cleanup (oci_map_clear)))

#define _cleanup_oci_spec_ __attribute__ ((cleanup (oci_spec_freep)))
static inline void
oci_spec_freep (struct oci_spec **s)
{
  if (*s)
    oci_spec_free (*s);
}

#endif
