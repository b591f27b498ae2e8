/* What a container's cgroup gets from linux.resources, at create and at
 * update: the file writes (resources.h) and the device filter
 * (devices-bpf.h), prepared from the spec first (by the container layer),
 * applied after (by a driver's apply and update: driver.h). */
#ifndef TONG_CGROUP_LIMITS_H
#define TONG_CGROUP_LIMITS_H

#include <stdbool.h>

#include "src/cgroups/devices-bpf.h"
#include "src/cgroups/resources.h"

struct cgroup_limits
{
  struct cgroup_plan plan;
  struct device_program devices;
  bool has_devices; /* the resources listed device rules (update replaces the filter) */
};

/* Plan the limits and check that the host's cgroup v2 hierarchy offers the
 * controllers they need.  devices: linux.devices (allowed to the container). */
int cgroup_limits_prepare (const struct oci_resources *r, const struct oci_device *devices,
                           size_t n_devices, struct cgroup_limits *l, tong_error *err);
void cgroup_limits_free (struct cgroup_limits *l);

/* Does anything need a cgroup (a write, or a device filter)? */
bool cgroup_limits_needed (const struct cgroup_limits *l);

/* Enable the controllers from the hierarchy's root down, write the files,
 * attach the device filter (with update: replacing the old one when the
 * resources list device rules). */
int cgroup_limits_apply (const char *path, const struct cgroup_limits *l, bool update,
                         tong_error *err);

#define _cleanup_cgroup_limits_ __attribute__ ((cleanup (cgroup_limits_free)))

#endif
