/* The systemd cgroup driver (--systemd-cgroup, --cgroup-manager systemd):
 * the container's cgroup is a transient scope unit that systemd creates over
 * D-Bus with Delegate=yes; tong then owns what is inside it. */
#ifndef TONG_CGROUP_SYSTEMD_H
#define TONG_CGROUP_SYSTEMD_H

#include <sys/types.h>

#include "oci/spec.h"
#include "src/base/error.h"
#include "src/cgroups/driver.h"

struct systemd_scope
{
  char *unit;   /* "tong-ID.scope" */
  char *path;   /* its cgroup directory in the filesystem */
  pid_t helper; /* the process systemd moved into the scope to create it, or 0 */
};

/* Start the scope for linux.cgroupsPath (slice:prefix:name; empty:
 * system.slice:tong:ID) with the resources systemd knows as properties.
 * systemd starts no scope without a process in it: a helper child of tong
 * stands in until the container's init is born there. */
int systemd_scope_start (const struct oci_spec *spec, const char *id, struct systemd_scope *s,
                         tong_error *err);

/* The init lives in the scope now (or start failed): the helper goes. */
void systemd_scope_release_helper (struct systemd_scope *s);

/* Stop the unit and wait for the job; a unit that is already gone is fine. */
int systemd_scope_stop (const char *unit, tong_error *err);

/* `update`: the unit's properties follow the new resources (runtime only),
 * so that systemd does not put the old values back when it reloads. */
int systemd_scope_set_resources (const char *unit, const struct oci_resources *res,
                                 tong_error *err);

void systemd_scope_clear (struct systemd_scope *s);

/* The driver (driver.h) made of these (systemd-driver.c). */
extern const struct cgroup_driver cgroup_systemd_driver;

#endif
