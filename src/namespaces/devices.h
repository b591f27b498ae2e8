/* /dev inside the rootfs (internal to src/namespaces): the rootfs plan's
 * device nodes and symlinks (rootfs-plan-dev.c decides them), carried out.
 * Every path is resolved inside the rootfs at rootfd through fds. */
#ifndef TONG_NS_DEVICES_H
#define TONG_NS_DEVICES_H

#include "rootfs-plan.h"
#include "src/base/error.h"

/* ROOTFS_OP_MKNOD: make the node (replacing what is there), owned as planned. */
int devices_mknod (int rootfd, const struct rootfs_node *n, tong_error *err);

/* ROOTFS_OP_BIND_NODE: an empty file with the host's node of the same path
 * bound over it, checked to be the planned device. */
int devices_bind_host_node (int rootfd, const struct rootfs_node *n, tong_error *err);

/* ROOTFS_OP_SYMLINK */
int devices_symlink (int rootfd, const struct rootfs_symlink *l, tong_error *err);

#endif
