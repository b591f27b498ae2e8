/* Idmapped bind mounts (mounts[].uidMappings/gidMappings, options "idmap" and
 * "ridmap").  The kernel idmaps a mount only for a caller privileged over the
 * filesystem, i.e. in the host's user namespace: the runtime builds each tree
 * before the init is cloned, and the init, which inherits the fds, moves it
 * onto its destination inside the rootfs. */
#ifndef TONG_IDMAP_H
#define TONG_IDMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "namespaces.h"
#include "oci/spec.h"
#include "src/base/error.h"

/* One detached, idmapped mount tree per spec mount that asks for one. */
struct idmap_trees
{
  int *fds;   /* fds[i]: the tree for mounts[i], or -1; NULL when no mount asks */
  size_t len; /* spec->mounts_len when fds is set */
};

/* True when mounts[i] must be idmapped. */
bool idmap_mount_wanted (const struct oci_mount *m);

/* In the runtime, before cloning the init: for every mount that asks for it,
 * create a user namespace holding its mappings (the container's own, maps,
 * for a bare "idmap" option), clone the source (relative to bundle) as a
 * detached tree and idmap it. */
int idmap_trees_open (const struct oci_spec *spec, const struct ns_id_maps *maps,
                      const char *bundle, struct idmap_trees *out, tong_error *err);

/* Close every tree and free the table. */
void idmap_trees_close (struct idmap_trees *t);

#define _cleanup_idmap_trees_ __attribute__ ((cleanup (idmap_trees_close)))

/* In the init: move the tree onto dstfd (an O_PATH fd inside the rootfs). */
int idmap_tree_attach (int tree, int dstfd, const char *destination, tong_error *err);

#endif
