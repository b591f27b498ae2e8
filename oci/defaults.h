/* Paths every default spec masks and makes read-only, as runc's and
 * podman's: `tong spec` writes them, tong-shim's bundles carry them. */
#ifndef TONG_OCI_DEFAULTS_H
#define TONG_OCI_DEFAULTS_H

/* NULL-terminated. */
extern const char *const oci_default_masked_paths[];
extern const char *const oci_default_readonly_paths[];

#endif
