/* Id maps of a user namespace written by a runtime that is not root: through
 * the setuid helpers newuidmap and newgidmap (Debian's uidmap package), which
 * grant the ranges /etc/subuid and /etc/subgid give to the caller. */
#ifndef TONG_IDMAP_HELPERS_H
#define TONG_IDMAP_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* Run `helper PID cid hid size ...` (helper: "newuidmap" or "newgidmap",
 * looked up in PATH) for maps; field ("uidMappings") names them in errors,
 * which carry the helper's own stderr. */
int idmap_helper_write (pid_t pid, const char *helper, const char *field,
                        const struct oci_id_mapping *maps, size_t len, tong_error *err);

#endif
