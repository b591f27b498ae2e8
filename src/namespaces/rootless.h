/* Rootless containers: the user namespace tong gives a container that a
 * user other than root creates from a spec without one. */
#ifndef TONG_ROOTLESS_H
#define TONG_ROOTLESS_H

#include <stdbool.h>

#include "oci/spec.h"
#include "src/base/error.h"
#include "src/namespaces/subid.h"

/* When the caller is not root and the spec asks for no user namespace, the
 * container gets a new one (as crun gives it) mapping the caller's uid and
 * gid to 0 and, where /etc/subuid and /etc/subgid grant the caller a range,
 * container ids 1..N onto that range (written through newuidmap/newgidmap):
 * *needed says so, and maps holds those ids.  The spec is not changed.  A
 * spec that cannot be given one (no "linux", id maps without a user
 * namespace) is an error. */
int rootless_user_namespace (const struct oci_spec *spec, bool *needed, struct subid_maps *maps,
                             tong_error *err);

#endif
