/* The root filesystem's plan: everything the init does to the container's
 * root filesystem, as one list of operations in the order it does them.
 * The runtime builds it before the clone, with no system call: the spec's
 * mounts with their options parsed once, linux.rootfsPropagation, the /dev
 * nodes and symlinks, linux.sysctl, the masked and read-only paths and
 * root.readonly, each checked, so that a spec that gets one wrong fails
 * `create` before a state directory, cgroup or namespace exists.  The init
 * carries the list out with one switch (rootfs.c); it decides only what it
 * alone can know (a masked path that does not exist, an EPERM to fall back
 * from). */
#ifndef TONG_ROOTFS_PLAN_H
#define TONG_ROOTFS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mount-options.h"
#include "oci/spec.h"
#include "src/base/error.h"

enum rootfs_op_kind
{
  /* Phase 1, rootfs_setup: in the container's mount namespace, on the rootfs by its host path. */
  ROOTFS_OP_PREPARE_ROOT,   /* the tree's propagation, the rootfs bound onto itself */
  ROOTFS_OP_BIND,           /* bind a spec mount's source on its destination */
  ROOTFS_OP_MOUNT,          /* mount a filesystem of a type on a spec mount's destination */
  ROOTFS_OP_MOUNT_PROC,     /* mount a procfs, checked, its fd kept when keeps_procfs */
  ROOTFS_OP_CGROUP_TREE,    /* a "cgroup" mount on a cgroup v1 host: a tmpfs, the
                               container's cgroups bound in it (rootfs_ctx.cgroup_tree) */
  ROOTFS_OP_MKNOD,          /* make a device node */
  ROOTFS_OP_BIND_NODE,      /* bind the host's node of the same path (in a user namespace) */
  ROOTFS_OP_SYMLINK,        /* a symlink in /dev */
  ROOTFS_OP_READONLY_TMPFS, /* make a tmpfs read-only, once /dev is filled */
  /* The end of phase 1: the createContainer hooks run, then phase 2,
   * rootfs_finish, starts with this operation. */
  ROOTFS_OP_PIVOT,         /* pivot_root into the rootfs (MS_MOVE + chroot with --no-pivot) */
  ROOTFS_OP_PROPAGATION,   /* linux.rootfsPropagation on the new "/" */
  ROOTFS_OP_SYSCTL,        /* write a linux.sysctl value below the kept procfs */
  ROOTFS_OP_READONLY_PATH, /* a linux.readonlyPaths entry */
  ROOTFS_OP_MASK,          /* a linux.maskedPaths entry */
  ROOTFS_OP_READONLY_ROOT, /* root.readonly */
};

/* PREPARE_ROOT and PROPAGATION */
struct rootfs_root
{
  unsigned long propagation; /* MS_*: as linux.rootfsPropagation asks, else MS_REC|MS_PRIVATE */
  const char *name;          /* PROPAGATION: linux.rootfsPropagation as written, for errors */
  bool parent_private;       /* PREPARE_ROOT: a shared tree; pivot_root needs the rootfs's
                                parent mount private */
};

/* BIND, MOUNT and MOUNT_PROC */
struct rootfs_mount
{
  size_t index;              /* in spec->mounts: "mounts[N]" in errors, idmap trees */
  const struct oci_mount *m; /* the spec's entry: destination, source, options */
  const char *source;        /* BIND: m->source (a relative one is the bundle's);
                                MOUNT: m->source, or m->type when it has none */
  struct mount_options o;    /* m->options parsed; MS_BIND set for a bind, MS_RDONLY
                                cleared for a read-only tmpfs (READONLY_TMPFS follows);
                                data with linux.mountLabel's context= */
  const char *type;          /* MOUNT, MOUNT_PROC: the type ("cgroup" is "cgroup2") */
  bool replaces_root;        /* the destination is "/" (only the first mount may be) */
  bool readonly_later;       /* a read-only tmpfs, mounted writable: READONLY_TMPFS follows */
  bool keeps_procfs;         /* a proc mount whose fd the init keeps for phase 2 */
  const char *host_fallback; /* in a user namespace: the host's instance to bind when
                                mounting the type is refused (EPERM), or NULL */
};

/* MKNOD and BIND_NODE */
struct rootfs_node
{
  const char *path; /* absolute; also the host's node that BIND_NODE binds */
  char *dir;        /* path's parent, created inside the rootfs */
  char *name;       /* path's last component */
  char type;        /* 'c', 'u', 'b', 'p', for errors */
  mode_t mode;      /* S_IF* and the permission bits */
  unsigned int major, minor;
  uid_t uid;
  gid_t gid;
};

/* SYMLINK: dir/name -> target */
struct rootfs_symlink
{
  const char *dir, *name, *target;
  bool replace; /* an entry already there is replaced (else kept) */
};

/* READONLY_TMPFS */
struct rootfs_remount
{
  const char *path;    /* the tmpfs's destination */
  unsigned long flags; /* MS_RDONLY and the nosuid/nodev/noexec it was asked for */
};

/* SYSCTL */
struct rootfs_sysctl
{
  const char *key;   /* as the spec writes it, for errors */
  char *proc_path;   /* below the procfs root: "sys/net/ipv4/ip_forward" */
  const char *value; /* written as is */
};

/* READONLY_PATH and MASK */
struct rootfs_protect
{
  const char *path;        /* as the spec writes it */
  const char *procfs_rest; /* the part of path below the kept procfs ("sys" for /proc/sys),
                              looked up below its fd; NULL: path is looked up in the root */
};

struct rootfs_op
{
  enum rootfs_op_kind kind;
  union
  {
    struct rootfs_root root;
    struct rootfs_mount mount;
    struct rootfs_node node;
    struct rootfs_symlink symlink;
    struct rootfs_remount remount;
    struct rootfs_sysctl sysctl;
    struct rootfs_protect protect;
  };
};

struct rootfs_plan
{
  struct rootfs_op *ops; /* in execution order; one ROOTFS_OP_PIVOT splits the phases */
  size_t n_ops;
  bool userns;    /* set up in a user namespace: nodes bound from the host, host fallbacks */
  bool cgroup_v1; /* the host's controllers are cgroup v1's: "cgroup" mounts are trees */
  /* The destination of the proc mount whose fd the init keeps, or NULL: the
   * last proc mount, when no later mount is at or above it.  After pivot_root
   * the name /proc is the container's, which a writer of the rootfs may have
   * swapped; sysctls, masks and read-only paths below it go through the fd. */
  const char *procfs_dest;
};

/* Build the plan from spec->mounts, linux.rootfsPropagation, linux.devices,
 * linux.sysctl, linux.maskedPaths, linux.readonlyPaths and root.readonly;
 * `userns`: the rootfs is set up inside a user namespace (a new one, or the
 * one the runtime runs in); `cgroup_v1`: the host's controllers are in
 * cgroup v1 hierarchies, so that a mount of type "cgroup" is a tree of
 * them, as runc mounts it (else it is a cgroup2).  Errors name the entry ("mounts[2]: a mount has
 * no destination", "linux.sysctl: `fs.file-max` is not namespaced: ..."). */
int rootfs_plan_build (const struct oci_spec *spec, bool userns, bool cgroup_v1,
                       struct rootfs_plan *plan, tong_error *err);
void rootfs_plan_free (struct rootfs_plan *plan);

/* The plan as text, one line per operation ("mount tmpfs tmpfs on /dev
 * flags=0x2 data=mode=755 propagation=0", "mknod /dev/null c 1:3 mode=0666
 * uid=0 gid=0", "pivot_root", "mask /proc/kcore below the procfs: kcore"),
 * for the unit tests.  Caller frees. */
char *rootfs_plan_describe (const struct rootfs_plan *plan);

#define _cleanup_rootfs_plan_ __attribute__ ((cleanup (rootfs_plan_free)))

#endif
