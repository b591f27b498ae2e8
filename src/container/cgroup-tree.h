/* What a "cgroup" mount shows in a container on a cgroup v1 or hybrid host
 * (the rootfs plan's ROOTFS_OP_CGROUP_TREE): built by the runtime from the
 * host's hierarchies and the container's cgroup, bound by the init. */
#ifndef TONG_CONTAINER_CGROUP_TREE_H
#define TONG_CONTAINER_CGROUP_TREE_H

#include <stddef.h>

#include "src/cgroups/driver.h"
#include "src/namespaces/rootfs.h"

struct cgroup_tree
{
  struct rootfs_cgroup_entry *entries;
  size_t n;
  char **owned; /* the strings the entries point to that the tree made */
  size_t n_owned;
};

/* For each v1 hierarchy, its mount's name with the container's cgroup of
 * it (the caller's own where the container has none: cgroups disabled, a
 * user without them), and a symlink for each co-mounted controller's name;
 * on a hybrid host the v2 directory as the cgroup2 mount's name. */
void cgroup_tree_build (const struct cgroup_handle *cg, struct cgroup_tree *t);
void cgroup_tree_free (struct cgroup_tree *t);

#define _cleanup_cgroup_tree_ __attribute__ ((cleanup (cgroup_tree_free)))

#endif
