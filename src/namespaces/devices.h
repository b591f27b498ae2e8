/* /dev inside the rootfs (internal to src/namespaces): device nodes, the
 * /dev/fd and std* symlinks, /dev/ptmx. */
#ifndef TONG_NS_DEVICES_H
#define TONG_NS_DEVICES_H

#include <stdbool.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* Create the default devices (null, zero, full, random, urandom, tty) and
 * linux.devices in the rootfs at rootfd: with mknod, or, in a user namespace
 * where mknod is not allowed, as bind mounts of the host's nodes.  Then the
 * /dev symlinks, and /dev/ptmx -> pts/ptmx when `devpts` says /dev/pts is a
 * devpts mount. */
int devices_setup (int rootfd, const struct oci_spec *spec, bool userns, bool devpts,
                   tong_error *err);

#endif
