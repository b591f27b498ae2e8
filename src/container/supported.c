/* What tong applies of a spec, and a clear error for what it does not (yet),
 * or what the host cannot give (an LSM label without the module):
 * a field the runtime cannot honour is never silently ignored.  docs/config.md
 * lists the same. */
#include <string.h>

#include "oci/config.h"
#include "src/container/container.h"
#include "src/process/lsm.h"
#include "src/base/log.h"

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
  /* linux.resources is checked where it is planned: src/cgroups/limits.c. */
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
