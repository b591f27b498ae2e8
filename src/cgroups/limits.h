/* What a container's cgroup gets from linux.resources, at create and at
 * update: the file writes (resources.h) and the device filter
 * (devices-bpf.h on cgroup v2, devices-v1.h on v1), prepared from the spec
 * first (by the container layer) for the host's hierarchies
 * (hierarchy.h), applied after (by a driver's apply and update: driver.h). */
#ifndef TONG_CGROUP_LIMITS_H
#define TONG_CGROUP_LIMITS_H

#include <stdbool.h>

#include "src/cgroups/devices-bpf.h"
#include "src/cgroups/hierarchy.h"
#include "src/cgroups/resources.h"

struct cgroup_limits
{
  enum cgroup_mode mode;
  /* The cgroup v2 directory's writes: all of them on a v2 host; on a
   * hybrid one, linux.resources.unified and the controllers bound to v2. */
  struct cgroup_plan plan;
  struct device_program devices; /* the v2 device filter */
  /* v1, hybrid: the v1 hierarchies' writes, each to its controller's, and
   * the device rules as devices.deny/devices.allow writes. */
  struct cgroup_plan v1;
  struct cgroup_plan v1_devices;
  bool has_devices; /* the v2 part listed device rules (update replaces the filter) */
};

/* Plan the limits for the host tong runs on and check that its hierarchies
 * offer the controllers they need.  devices: linux.devices (allowed to the
 * container). */
int cgroup_limits_prepare (const struct oci_resources *r, const struct oci_device *devices,
                           size_t n_devices, struct cgroup_limits *l, tong_error *err);
void cgroup_limits_free (struct cgroup_limits *l);

/* The spec field of the first write, or NULL when no file is written: a
 * limit is asked for, which needs a cgroup. */
const char *cgroup_limits_field (const struct cgroup_limits *l);

/* Do the device rules deny anything (a filter, or v1 writes, is needed)? */
bool cgroup_limits_devices_needed (const struct cgroup_limits *l);

/* Leave the devices alone (an unprivileged user may not filter them; an
 * update that lists no rule keeps the filter). */
void cgroup_limits_drop_devices (struct cgroup_limits *l);

/* Enable the controllers from the hierarchy's root down, write the files,
 * attach the device filter (with update: replacing the old one when the
 * resources list device rules) in the v2 directory `path`. */
int cgroup_limits_apply (const char *path, const struct cgroup_limits *l, bool update,
                         tong_error *err);

/* Split linux.resources for a host whose v1 hierarchies hold the
 * controllers on_v1 says yes to: v1 gets the sections of those, v2 the
 * rest (and unified).  Shallow: both point into r. */
void cgroup_resources_split (const struct oci_resources *r,
                             bool (*on_v1) (const char *controller, const void *arg),
                             const void *arg, struct oci_resources *v1, struct oci_resources *v2);

#define _cleanup_cgroup_limits_ __attribute__ ((cleanup (cgroup_limits_free)))

#endif
