/* linux.resources (also the input of `update --resources`). */
#include "oci/json.h"

#include <string.h>

#include "src/base/util.h"

typedef struct oci_resources R;

static const struct jenum_item dev_type_items[] = { { "a", 0 }, { "c", 0 }, { "b", 0 } };
static const struct jenum dev_type_enum
    = { "device type", dev_type_items, ARRAY_SIZE (dev_type_items) };

static int
check_device_cgroup (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_device_cgroup *d = obj;

  if (d->access && d->access[strspn (d->access, "rwm")] != '\0')
    {
      jpath_push_key (c, "access");
      return jerr (c, "\"%.100s\" is not a combination of r, w and m", d->access);
    }
  return 0;
}

static const struct jfield device_cgroup_fields[] = {
  F_BOOLR ("allow", struct oci_device_cgroup, allow),
  F_ENUMS ("type", struct oci_device_cgroup, type, dev_type_enum, J_OPTIONAL),
  F_NUMH ("major", J_I64, struct oci_device_cgroup, major, int64_t, has_major),
  F_NUMH ("minor", J_I64, struct oci_device_cgroup, minor, int64_t, has_minor),
  F_STR ("access", struct oci_device_cgroup, access, J_OPTIONAL),
};
static const struct jtype device_cgroup_type = JTYPE (device_cgroup_fields, check_device_cgroup);

static int
check_memory (struct jctx *c, yajl_val v, void *obj)
{
  const R *r = obj;

  if (r->memory.has_swappiness && r->memory.swappiness > 100)
    {
      jpath_push_key (c, "swappiness");
      return jerr (c, "%llu is out of range 0 to 100", (unsigned long long) r->memory.swappiness);
    }
  return 0;
}

static const struct jfield memory_fields[] = {
  F_NUMH ("limit", J_I64, R, memory.limit, int64_t, memory.has_limit),
  F_NUMH ("reservation", J_I64, R, memory.reservation, int64_t, memory.has_reservation),
  F_NUMH ("swap", J_I64, R, memory.swap, int64_t, memory.has_swap),
  F_NUMH ("kernel", J_I64, R, memory.kernel, int64_t, memory.has_kernel),
  F_NUMH ("kernelTCP", J_I64, R, memory.kernel_tcp, int64_t, memory.has_kernel_tcp),
  F_NUMH ("swappiness", J_U64, R, memory.swappiness, uint64_t, memory.has_swappiness),
  F_BOOLH ("disableOOMKiller", R, memory.disable_oom_killer, memory.has_disable_oom_killer),
  F_BOOLH ("useHierarchy", R, memory.use_hierarchy, memory.has_use_hierarchy),
  F_BOOLH ("checkBeforeUpdate", R, memory.check_before_update, memory.has_check_before_update),
};
static const struct jtype memory_type = JTYPE (memory_fields, check_memory);

static const struct jfield cpu_fields[] = {
  F_NUMH ("shares", J_U64, R, cpu.shares, uint64_t, cpu.has_shares),
  F_NUMH ("quota", J_I64, R, cpu.quota, int64_t, cpu.has_quota),
  F_NUMH ("burst", J_U64, R, cpu.burst, uint64_t, cpu.has_burst),
  F_NUMH ("period", J_U64, R, cpu.period, uint64_t, cpu.has_period),
  F_NUMH ("realtimeRuntime", J_I64, R, cpu.realtime_runtime, int64_t, cpu.has_realtime_runtime),
  F_NUMH ("realtimePeriod", J_U64, R, cpu.realtime_period, uint64_t, cpu.has_realtime_period),
  F_STR ("cpus", R, cpu.cpus, J_OPTIONAL),
  F_STR ("mems", R, cpu.mems, J_OPTIONAL),
  F_NUMH ("idle", J_I64, R, cpu.idle, int64_t, cpu.has_idle),
};
static const struct jtype cpu_type = JTYPE (cpu_fields, NULL);

static const struct jfield pids_fields[] = {
  F_NUM ("limit", J_I64, R, pids.limit, int64_t, J_REQUIRED),
};
static const struct jtype pids_type = JTYPE (pids_fields, NULL);

static const struct jfield weight_device_fields[] = {
  F_NUM ("major", J_I64, struct oci_weight_device, major, int64_t, J_REQUIRED),
  F_NUM ("minor", J_I64, struct oci_weight_device, minor, int64_t, J_REQUIRED),
  F_NUMH ("weight", J_U16, struct oci_weight_device, weight, uint16_t, has_weight),
  F_NUMH ("leafWeight", J_U16, struct oci_weight_device, leaf_weight, uint16_t, has_leaf_weight),
};
static const struct jtype weight_device_type = JTYPE (weight_device_fields, NULL);

static const struct jfield throttle_fields[] = {
  F_NUM ("major", J_I64, struct oci_throttle_device, major, int64_t, J_REQUIRED),
  F_NUM ("minor", J_I64, struct oci_throttle_device, minor, int64_t, J_REQUIRED),
  F_NUM ("rate", J_U64, struct oci_throttle_device, rate, uint64_t, J_REQUIRED),
};
static const struct jtype throttle_type = JTYPE (throttle_fields, NULL);

static const struct jfield block_io_fields[] = {
  F_NUMH ("weight", J_U16, R, block_io.weight, uint16_t, block_io.has_weight),
  F_NUMH ("leafWeight", J_U16, R, block_io.leaf_weight, uint16_t, block_io.has_leaf_weight),
  F_ARRAY ("weightDevice", R, block_io.weight_device, block_io.weight_device_len,
           struct oci_weight_device, weight_device_type, J_OPTIONAL),
  F_ARRAY ("throttleReadBpsDevice", R, block_io.throttle_read_bps, block_io.throttle_read_bps_len,
           struct oci_throttle_device, throttle_type, J_OPTIONAL),
  F_ARRAY ("throttleWriteBpsDevice", R, block_io.throttle_write_bps,
           block_io.throttle_write_bps_len, struct oci_throttle_device, throttle_type, J_OPTIONAL),
  F_ARRAY ("throttleReadIOPSDevice", R, block_io.throttle_read_iops,
           block_io.throttle_read_iops_len, struct oci_throttle_device, throttle_type, J_OPTIONAL),
  F_ARRAY ("throttleWriteIOPSDevice", R, block_io.throttle_write_iops,
           block_io.throttle_write_iops_len, struct oci_throttle_device, throttle_type, J_OPTIONAL),
};
static const struct jtype block_io_type = JTYPE (block_io_fields, NULL);

static const struct jfield hugepage_fields[] = {
  F_STR ("pageSize", struct oci_hugepage_limit, page_size, J_REQUIRED),
  F_NUM ("limit", J_U64, struct oci_hugepage_limit, limit, uint64_t, J_REQUIRED),
};
static const struct jtype hugepage_type = JTYPE (hugepage_fields, NULL);

static const struct jfield net_priority_fields[] = {
  F_STR ("name", struct oci_net_priority, name, J_REQUIRED),
  F_NUM ("priority", J_U32, struct oci_net_priority, priority, uint32_t, J_REQUIRED),
};
static const struct jtype net_priority_type = JTYPE (net_priority_fields, NULL);

static const struct jfield network_fields[] = {
  F_NUMH ("classID", J_U32, R, network.class_id, uint32_t, network.has_class_id),
  F_ARRAY ("priorities", R, network.priorities, network.priorities_len, struct oci_net_priority,
           net_priority_type, J_OPTIONAL),
};
static const struct jtype network_type = JTYPE (network_fields, NULL);

static const struct jfield rdma_fields[] = {
  F_NUMH ("hcaHandles", J_U32, struct oci_rdma_limit, hca_handles, uint32_t, has_hca_handles),
  F_NUMH ("hcaObjects", J_U32, struct oci_rdma_limit, hca_objects, uint32_t, has_hca_objects),
};
static const struct jtype rdma_type = JTYPE (rdma_fields, NULL);

static const struct jfield resources_fields[] = {
  F_ARRAY ("devices", R, devices, devices_len, struct oci_device_cgroup, device_cgroup_type,
           J_OPTIONAL),
  F_SAME ("memory", R, memory_type, memory.present),
  F_SAME ("cpu", R, cpu_type, cpu.present),
  F_SAME ("pids", R, pids_type, pids.present),
  F_SAME ("blockIO", R, block_io_type, block_io.present),
  F_ARRAY ("hugepageLimits", R, hugepage_limits, hugepage_limits_len, struct oci_hugepage_limit,
           hugepage_type, J_OPTIONAL),
  F_SAME ("network", R, network_type, network.present),
  F_KEYED ("rdma", R, rdma, rdma_len, struct oci_rdma_limit, device, rdma_type),
  F_MAP ("unified", R, unified),
};
const struct jtype oci_resources_type = JTYPE (resources_fields, NULL);
