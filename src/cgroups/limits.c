#include "limits.h"

#include <string.h>

#include "src/base/log.h"
#include "src/cgroups/cgroup.h"
#include "src/cgroups/controllers.h"
#include "src/cgroups/devices-v1.h"

static bool
bound_to_v1 (const char *controller, const void *arg)
{
  return cgroup_host_v1_find (arg, controller) != NULL;
}

/* The v2 directory's part: its writes, whose controllers the hierarchy
 * must offer, and its device filter. */
static int
prepare_v2 (const struct oci_resources *r, const struct oci_device *devices, size_t n_devices,
            struct cgroup_limits *l, tong_error *err)
{
  const char *mount = cgroup_v2_mount ();
  int rc = cgroup_plan_resources (r, &l->plan, err);

  l->has_devices = r->devices_len > 0;
  if (rc == 0)
    rc = devices_program_build (r->devices, r->devices_len, devices, n_devices, &l->devices, err);
  if (rc < 0 || cgroup_plan_empty (&l->plan))
    return rc;
  if (!mount)
    return tong_err (err, 0, "%s needs a cgroup v2 hierarchy, and this host has none mounted",
                     l->plan.writes[0].field);
  return cgroup_controllers_check (mount, &l->plan, err);
}

/* The v1 hierarchies' part: every write's controller must be mounted. */
static int
prepare_v1 (const struct cgroup_host *h, const struct oci_resources *r,
            const struct oci_device *devices, size_t n_devices, struct cgroup_limits *l,
            tong_error *err)
{
  int rc = cgroup_plan_resources_v1 (r, &l->v1, err);

  if (rc == 0)
    rc = devices_plan_v1 (r->devices, r->devices_len, devices, n_devices, &l->v1_devices, err);
  for (size_t i = 0; rc == 0 && i < l->v1.n + l->v1_devices.n; i++)
    {
      const struct cgroup_write *w
          = i < l->v1.n ? &l->v1.writes[i] : &l->v1_devices.writes[i - l->v1.n];
      if (w->controller && !w->optional && !cgroup_host_v1_find (h, w->controller))
        rc = tong_err (err, 0,
                       "%s needs the cgroup v1 controller `%s`, which this host has not mounted",
                       w->field, w->controller);
    }
  if (rc == 0 && l->v1.warning)
    log_warning ("%s", l->v1.warning);
  return rc;
}

int
cgroup_limits_prepare (const struct oci_resources *r, const struct oci_device *devices,
                       size_t n_devices, struct cgroup_limits *l, tong_error *err)
{
  const struct cgroup_host *h = cgroup_host_get ();
  struct oci_resources v1, v2;
  int rc;

  memset (l, 0, sizeof *l);
  l->mode = h->mode;
  if (!r)
    return 0;
  switch (h->mode)
    {
    case CGROUP_MODE_V1:
      rc = prepare_v1 (h, r, devices, n_devices, l, err);
      break;
    case CGROUP_MODE_HYBRID:
      cgroup_resources_split (r, bound_to_v1, h, &v1, &v2);
      rc = prepare_v1 (h, &v1, devices, n_devices, l, err);
      if (rc == 0)
        rc = prepare_v2 (&v2, devices, n_devices, l, err);
      break;
    default:
      rc = prepare_v2 (r, devices, n_devices, l, err);
      break;
    }
  if (rc < 0)
    cgroup_limits_free (l);
  return rc;
}

void
cgroup_limits_free (struct cgroup_limits *l)
{
  cgroup_plan_free (&l->plan);
  cgroup_plan_free (&l->v1);
  cgroup_plan_free (&l->v1_devices);
  devices_program_free (&l->devices);
}

const char *
cgroup_limits_field (const struct cgroup_limits *l)
{
  if (!cgroup_plan_empty (&l->v1))
    return l->v1.writes[0].field;
  return cgroup_plan_empty (&l->plan) ? NULL : l->plan.writes[0].field;
}

bool
cgroup_limits_devices_needed (const struct cgroup_limits *l)
{
  return l->devices.needed || !cgroup_plan_empty (&l->v1_devices);
}

void
cgroup_limits_drop_devices (struct cgroup_limits *l)
{
  devices_program_free (&l->devices);
  cgroup_plan_free (&l->v1_devices);
  l->has_devices = false;
}

int
cgroup_limits_apply (const char *path, const struct cgroup_limits *l, bool update, tong_error *err)
{
  const char *mount = cgroup_v2_mount ();
  int r;

  if (!mount)
    return !cgroup_plan_empty (&l->plan) || l->devices.needed
               ? tong_err (err, 0, "no cgroup v2 hierarchy")
               : 0;
  r = cgroup_controllers_enable (mount, path, &l->plan, err);
  if (r == 0)
    r = cgroup_plan_apply (path, &l->plan, err);
  if (r == 0 && (l->devices.needed || (update && l->has_devices)))
    r = devices_program_attach (path, &l->devices, update, err);
  return r;
}
