/* Namespaces: which to create, which to join, and their per-namespace settings. */
#ifndef TONG_NAMESPACES_H
#define TONG_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* The id maps of a container's user namespace: linux.uidMappings and
 * gidMappings, or the ones tong gives a rootless container (rootless.h). */
struct ns_id_maps
{
  const struct oci_id_mapping *uids, *gids;
  size_t n_uids, n_gids;
};

/* Open every namespace given by path, before cloning; fds[type] = fd or -1.
 * A path that is not a namespace of that type is an error naming it. */
int ns_open_paths (const struct oci_spec *spec, int fds[OCI_NS_COUNT], tong_error *err);
void ns_close_paths (int fds[OCI_NS_COUNT]);

/* setns() to each opened namespace, user first; skip `skip` types (mask of 1<<type). */
int ns_join (int fds[OCI_NS_COUNT], unsigned int skip, tong_error *err);

/* Write uid_map and gid_map of pid from maps: as root directly; otherwise
 * the caller's own uid/gid (size 1) directly, "deny" in setgroups before
 * gid_map, and any other range through newuidmap/newgidmap. */
int ns_write_id_maps (pid_t pid, const struct ns_id_maps *maps, tong_error *err);

/* Write maps as /proc/<pid>/<file> (uid_map, gid_map) in the one write the
 * kernel accepts; `what` names them in an error. */
int ns_write_map (pid_t pid, const char *file, const char *what, const struct oci_id_mapping *maps,
                  size_t len, tong_error *err);

/* Write /proc/<pid>/timens_offsets (pid 0: the caller's own) from linux.timeOffsets (before the
 * child enters its new time namespace, i.e. while it has not exec'd). */
int ns_write_time_offsets (pid_t pid, const struct oci_spec *spec, tong_error *err);

/* In the container: sethostname/setdomainname (needs a new uts namespace). */
int ns_set_uts (const struct oci_spec *spec, tong_error *err);

#endif
