/* The cgroup v2 controllers a plan needs: whether the hierarchy offers them,
 * and enabling them in cgroup.subtree_control from the hierarchy's root
 * down to the container's parent. */
#ifndef TONG_CGROUP_CONTROLLERS_H
#define TONG_CGROUP_CONTROLLERS_H

#include "src/cgroups/resources.h"
#include "src/base/error.h"

/* Does the v2 hierarchy mounted at `mount` offer every controller the plan
 * needs?  The error names the first missing one and the spec field. */
int cgroup_controllers_check (const char *mount, const struct cgroup_plan *plan, tong_error *err);

/* Enable the plan's controllers in every cgroup.subtree_control from `mount`
 * down to the parent of `path` (where they are not enabled yet). */
int cgroup_controllers_enable (const char *mount, const char *path, const struct cgroup_plan *plan,
                               tong_error *err);

/* Is `name` a word of the space-separated list `list`? */
bool cgroup_word_in (const char *list, const char *name);

#endif
