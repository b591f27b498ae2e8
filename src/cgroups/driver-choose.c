/* Which driver a container has: plain data, unit-tested. */
#include "driver.h"

#include <string.h>

enum cgroup_driver_id
cgroup_driver_for_manager (const char *manager)
{
  if (manager && strcmp (manager, "disabled") == 0)
    return CGROUP_DRIVER_NONE;
  if (manager && strcmp (manager, "systemd") == 0)
    return CGROUP_DRIVER_SYSTEMD;
  return CGROUP_DRIVER_CGROUPFS;
}

enum cgroup_driver_id
cgroup_driver_for_record (const char *path, const char *unit, size_t n_v1_paths)
{
  /* A scope without a directory is systemd's still: create recorded it on a
   * host where systemd's cgroup could not be found; delete stops it. */
  if (unit)
    return CGROUP_DRIVER_SYSTEMD;
  return path || n_v1_paths ? CGROUP_DRIVER_CGROUPFS : CGROUP_DRIVER_NONE;
}
