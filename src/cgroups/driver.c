/* The drivers' tables, and handles on recorded cgroups. */
#include "driver.h"

#include <stdlib.h>

#include "src/base/util.h"
#include "src/cgroups/systemd.h"
#include "src/cgroups/v2.h"

const struct cgroup_driver *
cgroup_driver_get (enum cgroup_driver_id id)
{
  switch (id)
    {
    case CGROUP_DRIVER_CGROUPFS:
      return &cgroup_v2_driver;
    case CGROUP_DRIVER_SYSTEMD:
      return &cgroup_systemd_driver;
    case CGROUP_DRIVER_NONE:
      break;
    }
  return NULL;
}

bool
cgroup_handle_open (const char *id, const char *path, const char *unit, struct cgroup_handle *cg)
{
  *cg = (struct cgroup_handle){ 0 };
  cg->driver = cgroup_driver_get (cgroup_driver_for_record (path, unit));
  if (!cg->driver)
    return false;
  cg->id = id;
  cg->path = path ? xstrdup (path) : NULL;
  cg->unit = unit ? xstrdup (unit) : NULL;
  return true;
}

void
cgroup_handle_clear (struct cgroup_handle *cg)
{
  free (cg->path);
  free (cg->unit);
  cg->path = cg->unit = NULL;
  cg->helper = 0;
}
