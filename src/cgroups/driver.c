/* The drivers' tables, and handles on recorded cgroups. */
#include "driver.h"

#include <stdlib.h>

#include "oci/config.h"
#include "src/base/util.h"
#include "src/cgroups/hierarchy.h"
#include "src/cgroups/systemd.h"
#include "src/cgroups/v1.h"
#include "src/cgroups/v2.h"

const struct cgroup_driver *
cgroup_driver_get (enum cgroup_driver_id id)
{
  switch (id)
    {
    case CGROUP_DRIVER_CGROUPFS:
      {
        enum cgroup_mode mode = cgroup_host_get ()->mode;
        return mode == CGROUP_MODE_V1 || mode == CGROUP_MODE_HYBRID ? &cgroup_v1_driver
                                                                    : &cgroup_v2_driver;
      }
    case CGROUP_DRIVER_SYSTEMD:
      return &cgroup_systemd_driver;
    case CGROUP_DRIVER_NONE:
      break;
    }
  return NULL;
}

bool
cgroup_handle_open (const char *id, const char *path, const char *unit,
                    const struct oci_map *v1_paths, struct cgroup_handle *cg)
{
  size_t n_v1 = v1_paths ? v1_paths->len : 0;

  *cg = (struct cgroup_handle){ 0 };
  switch (cgroup_driver_for_record (path, unit, n_v1))
    {
    case CGROUP_DRIVER_NONE:
      return false;
    case CGROUP_DRIVER_SYSTEMD:
      cg->driver = &cgroup_systemd_driver;
      break;
    case CGROUP_DRIVER_CGROUPFS:
      /* The record decides, not the host: a container made before a
       * reboot into another mode is still the driver's that made it. */
      cg->driver = n_v1 ? &cgroup_v1_driver : &cgroup_v2_driver;
      break;
    }
  cg->id = id;
  cg->path = path ? xstrdup (path) : NULL;
  cg->unit = unit ? xstrdup (unit) : NULL;
  if (n_v1)
    oci_map_copy (&cg->v1_paths, v1_paths);
  return true;
}

void
cgroup_handle_clear (struct cgroup_handle *cg)
{
  free (cg->path);
  free (cg->unit);
  oci_map_clear (&cg->v1_paths);
  cg->path = cg->unit = NULL;
  cg->helper = 0;
}
