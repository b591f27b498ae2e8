/* linux.sysctl in the init (internal to src/namespaces); the keys are
 * checked by the rootfs plan (rootfs-plan-sysctl.c). */
#ifndef TONG_NS_SYSCTL_H
#define TONG_NS_SYSCTL_H

#include "rootfs-plan.h"
#include "src/base/error.h"

/* Write one planned value to its file below procfs, the root of the procfs
 * the runtime mounted at /proc and kept. */
int sysctl_write (int procfs, const struct rootfs_sysctl *s, tong_error *err);

#endif
