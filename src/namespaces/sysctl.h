/* linux.sysctl (internal to src/namespaces). */
#ifndef TONG_NS_SYSCTL_H
#define TONG_NS_SYSCTL_H

#include "oci/spec.h"
#include "src/base/error.h"

/* Check every key against the namespaces the spec has (a net.* key needs a
 * network namespace, IPC keys an ipc one, ...), then write each value to
 * sys/<key> below procfs, the root of the procfs the runtime mounted at
 * procfs_dest, which must be /proc (-1: none mounted, an error with sysctls). */
int sysctl_apply (int procfs, const char *procfs_dest, const struct oci_spec *spec,
                  tong_error *err);

#endif
