/* linux.resources.devices on cgroup v2: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE, assembled here from the rules (no libbpf, no
 * compiler), loaded with bpf(2) and attached to the container's cgroup.
 *
 * Rules are read as cgroup v1 read them: everything is allowed until a
 * rule says otherwise, and a later rule wins over an earlier one.  After the
 * spec's rules come the devices every container may use (null, zero, full,
 * random, urandom, tty, ptmx, the pts, mknod of any node) and those of
 * linux.devices, as runc adds them. */
#ifndef TONG_CGROUP_DEVICES_BPF_H
#define TONG_CGROUP_DEVICES_BPF_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#include "oci/spec.h"
#include "src/base/error.h"

struct device_program
{
  struct bpf_insn *insns;
  size_t len;
  bool needed; /* false when nothing is denied: no program to attach */
};

/* Assemble the program.  rules: linux.resources.devices; devices:
 * linux.devices (allowed rwm). */
int devices_program_build (const struct oci_device_cgroup *rules, size_t n_rules,
                           const struct oci_device *devices, size_t n_devices,
                           struct device_program *prog, tong_error *err);
void devices_program_free (struct device_program *prog);

/* Load the program and attach it to the cgroup directory `path`
 * (BPF_F_ALLOW_MULTI).  With replace, every device program attached before
 * is detached once the new one is in place. */
int devices_program_attach (const char *path, const struct device_program *prog, bool replace,
                            tong_error *err);

#endif
