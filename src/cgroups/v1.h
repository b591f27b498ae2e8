/* The cgroupfs driver on a cgroup v1 or hybrid host (hierarchy.h): a
 * directory of the container's in every v1 hierarchy (cg->v1_paths), and on
 * a hybrid host the v2 directory as well (cg->path), where the init is born
 * and whose core files (cgroup.kill, cgroup.events, cgroup.procs) track
 * every process. */
#ifndef TONG_CGROUP_V1_H
#define TONG_CGROUP_V1_H

#include "src/cgroups/driver.h"

extern const struct cgroup_driver cgroup_v1_driver;

#endif
