/* The device rules both device filters read (the cgroup v2 eBPF program,
 * devices-bpf.h, and the cgroup v1 devices controller, devices-v1.h): the
 * spec's linux.resources.devices, then the devices every container may use
 * (runc's list), then linux.devices, in the order they are read.  Everything
 * is allowed until a rule says otherwise and the last rule that matches a
 * request decides: an allow rule matches a request whose accesses it all
 * allows, a deny rule one that asks for any access it denies. */
#ifndef TONG_CGROUP_DEVICES_RULES_H
#define TONG_CGROUP_DEVICES_RULES_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"
#include "src/base/error.h"

#define DEVICE_ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* Where a rule comes from, for errors. */
enum device_rule_source
{
  DEVICE_RULE_SPEC,    /* linux.resources.devices[index] */
  DEVICE_RULE_DEFAULT, /* the devices every container may use */
  DEVICE_RULE_DEVICE,  /* linux.devices[index] */
};

/* One device rule, reduced to what a filter compares. */
struct device_rule
{
  bool allow;
  int type;        /* BPF_DEVCG_DEV_CHAR, _BLOCK, or 0 for any */
  int64_t major;   /* -1: any */
  int64_t minor;   /* -1: any */
  unsigned access; /* BPF_DEVCG_ACC_* bits */
  enum device_rule_source source;
  size_t index;
};

/* All the rules, in order, into *out (free it).  *needed is false when no
 * spec rule denies: then the rules allow everything and no filter is due. */
int device_rules_collect (const struct oci_device_cgroup *rules, size_t n_rules,
                          const struct oci_device *devices, size_t n_devices,
                          struct device_rule **out, size_t *n_out, bool *needed, tong_error *err);

/* Does the rule match every device and every access? */
bool device_rule_is_all (const struct device_rule *r);

#endif
