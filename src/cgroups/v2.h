/* The cgroupfs driver: the container's own cgroup v2 directory, made and
 * removed by tong (cgroup.h, limits.h, stats.h).  Its operations are
 * exposed to the room: the systemd driver, whose scope holds a v2
 * directory too, reuses them. */
#ifndef TONG_CGROUP_V2_H
#define TONG_CGROUP_V2_H

#include "src/cgroups/driver.h"

extern const struct cgroup_driver cgroup_v2_driver;

void cgroup_v2_settle (struct cgroup_handle *cg);
int cgroup_v2_apply (const struct cgroup_handle *cg, const struct cgroup_limits *l,
                     tong_error *err);
int cgroup_v2_freeze (const struct cgroup_handle *cg, bool freeze, tong_error *err);
bool cgroup_v2_is_frozen (const struct cgroup_handle *cg);
int cgroup_v2_kill (const struct cgroup_handle *cg, int sig, tong_error *err);
int cgroup_v2_pids (const struct cgroup_handle *cg, pid_t **pids, size_t *n, tong_error *err);
char *cgroup_v2_stats (const struct cgroup_handle *cg);
bool cgroup_v2_oom_kills (const struct cgroup_handle *cg, unsigned long long *count);
/* The directory only: kill, wait, rmdir (cgroup_destroy). */
int cgroup_v2_destroy (struct cgroup_handle *cg, tong_error *err);

#endif
