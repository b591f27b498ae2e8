/* Rootless containers: what tong adds to a spec when a user other than root
 * creates a container. */
#ifndef TONG_ROOTLESS_H
#define TONG_ROOTLESS_H

#include <stdbool.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* When the caller is not root and the spec asks for no user namespace, add a
 * new one mapping the caller's uid and gid to 0 and, where /etc/subuid and
 * /etc/subgid grant the caller a range, container ids 1..N onto that range
 * (written through newuidmap/newgidmap).  *added says whether it did. */
int rootless_add_user_namespace (struct oci_spec *spec, bool *added, tong_error *err);

#endif
