/* linux.sysctl (internal to src/namespaces). */
#ifndef TONG_NS_SYSCTL_H
#define TONG_NS_SYSCTL_H

#include "oci/spec.h"
#include "src/error.h"

/* Check every key against the namespaces the spec has (a net.* key needs a
 * network namespace, IPC keys an ipc one, ...), then write each value to
 * /proc/sys/<key> under rootfd, which must have procfs on /proc. */
int sysctl_apply (int rootfd, const struct oci_spec *spec, tong_error *err);

#endif
