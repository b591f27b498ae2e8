#include "limits.h"

#include <string.h>

#include "src/cgroups/cgroup.h"
#include "src/cgroups/controllers.h"

int
cgroup_limits_prepare (const struct oci_resources *r, const struct oci_device *devices,
                       size_t n_devices, struct cgroup_limits *l, tong_error *err)
{
  const char *mount = cgroup_v2_mount ();
  int rc;

  memset (l, 0, sizeof *l);
  if (!r)
    return 0;
  rc = cgroup_plan_resources (r, &l->plan, err);
  if (rc == 0)
    rc = devices_program_build (r->devices, r->devices_len, devices, n_devices, &l->devices, err);
  l->has_devices = r->devices_len > 0;
  if (rc == 0 && !cgroup_plan_empty (&l->plan))
    {
      if (!mount)
        rc = tong_err (err, 0, "%s needs a cgroup v2 hierarchy, and this host has none mounted",
                       l->plan.writes[0].field);
      else
        rc = cgroup_controllers_check (mount, &l->plan, err);
    }
  if (rc < 0)
    cgroup_limits_free (l);
  return rc;
}

void
cgroup_limits_free (struct cgroup_limits *l)
{
  cgroup_plan_free (&l->plan);
  devices_program_free (&l->devices);
}

bool
cgroup_limits_needed (const struct cgroup_limits *l)
{
  return !cgroup_plan_empty (&l->plan) || l->devices.needed;
}

int
cgroup_limits_apply (const char *path, const struct cgroup_limits *l, bool update, tong_error *err)
{
  const char *mount = cgroup_v2_mount ();
  int r;

  if (!mount)
    return cgroup_limits_needed (l) ? tong_err (err, 0, "no cgroup v2 hierarchy") : 0;
  r = cgroup_controllers_enable (mount, path, &l->plan, err);
  if (r == 0)
    r = cgroup_plan_apply (path, &l->plan, err);
  if (r == 0 && (l->devices.needed || (update && l->has_devices)))
    r = devices_program_attach (path, &l->devices, update, err);
  return r;
}
