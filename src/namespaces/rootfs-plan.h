/* The root filesystem's plan: the spec's mounts, their options parsed once,
 * and linux.rootfsPropagation, checked and decided as plain data in the
 * runtime before anything is made (no system call), then carried out by
 * the init (rootfs.c).  A mount the spec gets wrong (no destination, a
 * mount on `/` that is not first, an unknown option) fails `create` before
 * a state directory, cgroup or namespace exists. */
#ifndef TONG_ROOTFS_PLAN_H
#define TONG_ROOTFS_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "mount-options.h"
#include "oci/spec.h"
#include "src/base/error.h"

enum rootfs_mount_kind
{
  ROOTFS_BIND,  /* bind (or rbind) m->source on the destination */
  ROOTFS_MOUNT, /* a filesystem of `type` */
};

struct rootfs_mount
{
  enum rootfs_mount_kind kind;
  const struct oci_mount *m; /* the spec's entry: destination, source, options */
  struct mount_options o;    /* m->options parsed; MS_BIND set for a bind */
  const char *type;          /* ROOTFS_MOUNT: the type to mount ("cgroup" is "cgroup2") */
  bool replaces_root;        /* the destination is "/" (only the first mount may be) */
  /* A read-only tmpfs is mounted writable, filled (/dev), and made
   * read-only after the devices: these flags then (0: nothing to do). */
  unsigned long readonly_later;
};

struct rootfs_plan
{
  struct rootfs_mount *mounts;
  size_t n_mounts;
  unsigned long propagation; /* linux.rootfsPropagation as MS_*, 0: none asked */
  bool dev_bound;            /* a bind provides /dev: no device nodes are made */
  bool devpts;               /* /dev/pts is a devpts mount of the spec's */
};

/* Build the plan from spec->mounts and linux.rootfsPropagation; errors name
 * the entry ("mounts[2]: a mount has no destination"). */
int rootfs_plan_build (const struct oci_spec *spec, struct rootfs_plan *plan, tong_error *err);
void rootfs_plan_free (struct rootfs_plan *plan);

/* The plan as text, one line per step ("mount tmpfs tmpfs on /dev flags=0x2
 * data=mode=755", "bind /src on /dst ...", "propagation 0x..."), for the
 * unit tests and --debug.  Caller frees. */
char *rootfs_plan_describe (const struct rootfs_plan *plan);

#define _cleanup_rootfs_plan_ __attribute__ ((cleanup (rootfs_plan_free)))

#endif
