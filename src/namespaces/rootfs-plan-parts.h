/* The rootfs plan's parts that have files of their own (internal to
 * src/namespaces): /dev in rootfs-plan-dev.c, linux.sysctl in
 * rootfs-plan-sysctl.c.  Pure, as the plan is. */
#ifndef TONG_NS_ROOTFS_PLAN_PARTS_H
#define TONG_NS_ROOTFS_PLAN_PARTS_H

#include <stdbool.h>

#include "oci/spec.h"
#include "rootfs-plan.h"
#include "src/base/error.h"

/* A new operation of `kind` at the end of the plan, zeroed but for its kind. */
struct rootfs_op *rootfs_plan_add (struct rootfs_plan *plan, enum rootfs_op_kind kind);

/* The device nodes (the defaults linux.devices does not override, then
 * linux.devices, each checked) and the /dev symlinks, /dev/ptmx -> pts/ptmx
 * when `devpts` says /dev/pts is a devpts mount. */
int rootfs_plan_dev (struct rootfs_plan *plan, const struct oci_spec *spec, bool devpts,
                     tong_error *err);

/* linux.sysctl: every key checked (its form, the namespace it needs), then
 * that the kept procfs is at /proc; one write each. */
int rootfs_plan_sysctls (struct rootfs_plan *plan, const struct oci_spec *spec, tong_error *err);

#endif
