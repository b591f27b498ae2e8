/* linux.resources.devices on cgroup v1: the devices controller's lists,
 * written so that they mean exactly what the eBPF filter of cgroup v2
 * (devices-bpf.h) means for the same rules.
 *
 * cgroup v1 keeps a default (allow or deny) and a list of exceptions, one
 * set of accesses per (type, major, minor) pattern.  With default deny a
 * request is allowed when one exception covers all its accesses; with
 * default allow it is refused when an exception shares an access with it.
 * Not every ordered rule list has such a form (a device carved out of a
 * wildcard rule, `r` and `w` allowed one by one but not together): those are
 * refused, never approximated. */
#ifndef TONG_CGROUP_DEVICES_V1_H
#define TONG_CGROUP_DEVICES_V1_H

#include <stddef.h>

#include "oci/spec.h"
#include "src/base/error.h"
#include "src/cgroups/resources.h"

/* The writes that give the cgroup v1 devices controller exactly the filter
 * devices-bpf.h builds from the same rules: first "a" to devices.deny or
 * devices.allow (which resets the cgroup's list, so that the same writes
 * serve create and update), then one exception per line, controller
 * "devices", field "linux.resources.devices".  Nothing is planned when no
 * spec rule denies (as devices_program_build).  A rule list whose meaning
 * cgroup v1's exception lists cannot express exactly is an error naming the
 * rule (linux.resources.devices[N]) and why. */
int devices_plan_v1 (const struct oci_device_cgroup *rules, size_t n_rules,
                     const struct oci_device *devices, size_t n_devices, struct cgroup_plan *plan,
                     tong_error *err);

#endif
