/* What tong applies of a spec, and a clear error for what it does not (yet),
 * or what the host cannot give (an LSM label without the module):
 * a field the runtime cannot honour is never silently ignored.  docs/config.md
 * lists the same. */
#include <string.h>

#include "oci/config.h"
#include "src/container.h"
#include "src/lsm.h"
#include "src/log.h"
#include "src/util.h"

/* containerd and podman send cpu.shares 1024 by default: the kernel's own
 * default weight, so leaving the cgroup as it is honours it exactly. */
static bool
cpu_asks_limits (const struct oci_resources *r)
{
  if (!r->cpu.present)
    return false;
  return (r->cpu.has_shares && r->cpu.shares != 1024) || r->cpu.has_quota || r->cpu.has_burst
         || r->cpu.has_period || r->cpu.has_realtime_runtime || r->cpu.has_realtime_period
         || r->cpu.has_idle || (r->cpu.cpus && *r->cpu.cpus) || (r->cpu.mems && *r->cpu.mems);
}

static bool
resources_ask_limits (const struct oci_resources *r)
{
  return r->memory.present || cpu_asks_limits (r) || r->pids.present || r->block_io.present
         || r->hugepage_limits_len || r->network.present || r->rdma_len || r->unified.len;
}

/* The character devices tong creates in every container's /dev (null, zero,
 * full, random, urandom, tty, console, ptmx, and the pts), which containerd
 * and podman allow after their deny-all rule: allowing them grants nothing
 * the container does not already have.  docs/compat.md lists what each
 * client sends. */
static bool
device_rule_is_default (const struct oci_device_cgroup *d)
{
  static const int64_t defaults[][2] = { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 },
                                         { 5, 0 }, { 5, 1 }, { 5, 2 }, { 136, -1 } };

  if (!d->type || strcmp (d->type, "c") != 0 || !d->has_major)
    return false;
  for (size_t i = 0; i < ARRAY_SIZE (defaults); i++)
    {
      if (d->major != defaults[i][0])
        continue;
      if (defaults[i][1] < 0)
        return true;
      if (d->has_minor && d->minor == defaults[i][1])
        return true;
    }
  return false;
}

/* The rules every spec from `tong spec`, runc, containerd and podman carries:
 * deny all devices (what tong creates in /dev is the allow list), then allow
 * the default ones. */
static bool
devices_only_defaults (const struct oci_resources *r)
{
  for (size_t i = 0; i < r->devices_len; i++)
    {
      const struct oci_device_cgroup *d = &r->devices[i];
      if (d->allow && !device_rule_is_default (d))
        return false;
    }
  return true;
}

int
spec_check_supported (const struct oci_spec *spec, tong_error *err)
{
  const struct oci_linux *l = spec->linux_;
  const struct oci_process *p = spec->process;
  int r;

  if (!l)
    return tong_err (err, 0, "config.json: linux: required on Linux");
  if (!oci_spec_namespace (spec, OCI_NS_MOUNT))
    return tong_err (err, 0, "config.json: linux.namespaces: a mount namespace is required");
  if (l->resources && resources_ask_limits (l->resources))
    return tong_err (err, 0, "config.json: linux.resources: cgroup limits are not supported by "
                             "this version of tong; remove them (see docs/config.md)");
  if (l->resources && !devices_only_defaults (l->resources))
    return tong_err (err, 0, "config.json: linux.resources.devices: allow rules beyond the "
                             "default devices need the cgroup device controller, which this "
                             "version of tong does not manage; list the devices in "
                             "linux.devices instead");
  if (l->intel_rdt)
    return tong_err (err, 0, "config.json: linux.intelRdt: Intel RDT is not supported");
  if (l->memory_policy)
    return tong_err (err, 0, "config.json: linux.memoryPolicy: memory policies are not supported");
  /* The host must have the module a label is for: a label is never silently dropped. */
  r = lsm_check_selinux ("config.json: linux.mountLabel", l->mount_label, err);
  if (r == 0)
    r = lsm_check_process (p, "config.json", err);
  if (r < 0)
    return r;
  return 0;
}
