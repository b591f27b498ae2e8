/* linux.resources as cgroup v1 file writes, each in the hierarchy of its
 * subsystem, with the semantics of runc 1.1's cgroupfs manager.  Plain
 * data: resources.c applies the plan. */
#include "resources.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "src/base/util.h"

#define F "linux.resources."

/* limit and memsw: the kernel keeps memory.limit_in_bytes <= memory.memsw.
 * limit_in_bytes, so the limit goes first (lowering both) and is retried
 * after memsw when refused (raising both). */
static int
plan_memory_and_swap (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  int64_t limit = r->memory.has_limit ? r->memory.limit : 0;
  struct cgroup_write *w_swap;
  size_t at_limit = p->n; /* an index: the next add moves the writes */
  int rc;

  rc = cgroup_check_memory_limit (limit, err);
  if (rc < 0)
    return rc;
  /* 0 is "not set"; -1 is the kernel's own "unlimited" */
  if (limit != 0)
    cgroup_plan_add (p, "memory", F "memory.limit", "memory.limit_in_bytes", "%" PRId64, limit);
  if (r->memory.has_swap && r->memory.swap != 0)
    {
      int64_t swap = r->memory.swap;
      rc = cgroup_check_memory_size ("swap", swap, err);
      if (rc == 0)
        rc = cgroup_check_swap_not_below_limit (swap, limit, err);
      if (rc < 0)
        return rc;
      /* Without swap accounting (no memsw file) a swap of -1 or of the
       * limit asks for nothing the kernel does not do anyway (runc). */
      w_swap = cgroup_plan_add (p, "memory", F "memory.swap", "memory.memsw.limit_in_bytes",
                                "%" PRId64, swap);
      w_swap->optional = swap == -1 || (limit > 0 && swap == limit);
    }
  else if (limit == -1)
    {
      /* No limit and no swap given: no swap limit either (runc). */
      w_swap = cgroup_plan_add (p, "memory", F "memory.limit", "memory.memsw.limit_in_bytes", "-1");
      w_swap->optional = true;
    }
  else
    w_swap = NULL;
  if (limit != 0 && w_swap)
    p->writes[at_limit].retry_after_next = true;
  return 0;
}

/* runc 1.1 sets no kernel memory limit: the kernel's accounting of it was
 * unreliable on v1 and is gone from recent kernels. */
static void
warn_kernel_memory (const struct oci_resources *r, struct cgroup_plan *p)
{
  const char *fields;

  if (r->memory.has_kernel && r->memory.has_kernel_tcp)
    fields = F "memory.kernel and " F "memory.kernelTCP are";
  else if (r->memory.has_kernel)
    fields = F "memory.kernel is";
  else if (r->memory.has_kernel_tcp)
    fields = F "memory.kernelTCP is";
  else
    return;
  p->warning = xasprintf ("%s deprecated and ignored: on cgroup v1 tong sets no kernel "
                          "memory limit, as runc does",
                          fields);
}

static int
plan_memory (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  int rc = plan_memory_and_swap (r, p, err);

  if (rc < 0)
    return rc;
  if (r->memory.has_reservation && r->memory.reservation != 0)
    {
      rc = cgroup_check_memory_size ("reservation", r->memory.reservation, err);
      if (rc < 0)
        return rc;
      cgroup_plan_add (p, "memory", F "memory.reservation", "memory.soft_limit_in_bytes",
                       "%" PRId64, r->memory.reservation);
    }
  if (r->memory.has_swappiness)
    {
      if (r->memory.swappiness > 100)
        return tong_err (err, 0, F "memory.swappiness: %" PRIu64 " is out of range 0 to 100",
                         r->memory.swappiness);
      cgroup_plan_add (p, "memory", F "memory.swappiness", "memory.swappiness", "%" PRIu64,
                       r->memory.swappiness);
    }
  if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer)
    cgroup_plan_add (p, "memory", F "memory.disableOOMKiller", "memory.oom_control", "1");
  if (r->memory.has_use_hierarchy)
    cgroup_plan_add (p, "memory", F "memory.useHierarchy", "memory.use_hierarchy", "%d",
                     r->memory.use_hierarchy ? 1 : 0);
  warn_kernel_memory (r, p);
  p->check_before_update = r->memory.has_check_before_update && r->memory.check_before_update;
  return 0;
}

/* The CFS files in runc's order: period and burst are checked against the
 * quota, so each is retried after it when refused. */
static int
plan_cfs (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  bool has_quota = r->cpu.has_quota && r->cpu.quota != 0;
  int rc;

  if (has_quota && r->cpu.quota < -1)
    return tong_err (err, 0, F "cpu.quota: %" PRId64 " is not a quota (microseconds, or -1)",
                     r->cpu.quota);
  if (r->cpu.has_period && r->cpu.period != 0)
    {
      rc = cgroup_check_cpu_period (r->cpu.period, err);
      if (rc < 0)
        return rc;
      cgroup_plan_add (p, "cpu", F "cpu.period", "cpu.cfs_period_us", "%" PRIu64, r->cpu.period)
          ->retry_after_next
          = has_quota;
    }
  if (r->cpu.has_burst)
    {
      /* kernels before 5.14 have no burst (runc skips it there) */
      struct cgroup_write *w
          = cgroup_plan_add (p, "cpu", F "cpu.burst", "cpu.cfs_burst_us", "%" PRIu64, r->cpu.burst);
      w->optional = true;
      w->retry_after_next = has_quota;
    }
  if (has_quota)
    cgroup_plan_add (p, "cpu", F "cpu.quota", "cpu.cfs_quota_us", "%" PRId64, r->cpu.quota);
  return 0;
}

/* The real-time period first, retried after the runtime when refused: the
 * kernel keeps the runtime within the period. */
static int
plan_rt (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  bool has_runtime = r->cpu.has_realtime_runtime && r->cpu.realtime_runtime != 0;

  if (has_runtime && r->cpu.realtime_runtime < -1)
    return tong_err (err, 0,
                     F "cpu.realtimeRuntime: %" PRId64 " is not a runtime (microseconds, "
                       "or -1)",
                     r->cpu.realtime_runtime);
  if (r->cpu.has_realtime_period && r->cpu.realtime_period != 0)
    cgroup_plan_add (p, "cpu", F "cpu.realtimePeriod", "cpu.rt_period_us", "%" PRIu64,
                     r->cpu.realtime_period)
        ->retry_after_next
        = has_runtime;
  if (has_runtime)
    cgroup_plan_add (p, "cpu", F "cpu.realtimeRuntime", "cpu.rt_runtime_us", "%" PRId64,
                     r->cpu.realtime_runtime);
  return 0;
}

static int
plan_cpu (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  int rc;

  if (r->cpu.has_shares && r->cpu.shares != 0)
    {
      rc = cgroup_check_cpu_shares (r->cpu.shares, err);
      if (rc < 0)
        return rc;
      /* containerd asks for 1024, the kernel's default, on every container */
      cgroup_plan_add (p, "cpu", F "cpu.shares", "cpu.shares", "%" PRIu64, r->cpu.shares)
          ->is_default
          = r->cpu.shares == 1024;
    }
  rc = plan_cfs (r, p, err);
  if (rc < 0)
    return rc;
  if (r->cpu.has_idle)
    {
      rc = cgroup_check_cpu_idle (r->cpu.idle, err);
      if (rc < 0)
        return rc;
      cgroup_plan_add (p, "cpu", F "cpu.idle", "cpu.idle", "%" PRId64, r->cpu.idle);
    }
  rc = plan_rt (r, p, err);
  if (rc < 0)
    return rc;
  cgroup_plan_cpuset (r, p);
  return 0;
}

/* "MAJ:MIN RATE" per device; a rate of 0 removes the device's limit. */
static void
plan_throttle (struct cgroup_plan *p, const char *field, const char *file,
               const struct oci_throttle_device *d, size_t n)
{
  for (size_t i = 0; i < n; i++)
    cgroup_plan_add (p, "blkio", field, file, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major,
                     d[i].minor, d[i].rate);
}

/* blkio.weight (CFQ) where the kernel has it, else the bfq scheduler's
 * file, which takes the same values (runc's order). */
static void
plan_weight (struct cgroup_plan *p, const char *field, const char *file, const char *bfq_file,
             const char *value)
{
  struct cgroup_write *w = cgroup_plan_add (p, "blkio", field, file, "%s", value);

  w->alt_file = xstrdup (bfq_file);
  w->alt_value = xstrdup (value);
}

static int
plan_weight_device (const struct oci_weight_device *d, size_t i, struct cgroup_plan *p,
                    tong_error *err)
{
  _cleanup_free_ char *field = NULL, *value = NULL;
  int rc;

  if (d->has_weight && d->weight != 0)
    {
      field = xasprintf (F "blockIO.weightDevice[%zu].weight", i);
      rc = cgroup_check_blkio_weight (field, d->weight, err);
      if (rc < 0)
        return rc;
      value = xasprintf ("%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->weight);
      plan_weight (p, F "blockIO.weightDevice", "blkio.weight_device", "blkio.bfq.weight_device",
                   value);
    }
  if (d->has_leaf_weight && d->leaf_weight != 0)
    {
      free (field);
      field = xasprintf (F "blockIO.weightDevice[%zu].leafWeight", i);
      rc = cgroup_check_blkio_weight (field, d->leaf_weight, err);
      if (rc < 0)
        return rc;
      cgroup_plan_add (p, "blkio", F "blockIO.weightDevice", "blkio.leaf_weight_device",
                       "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->leaf_weight);
    }
  return 0;
}

static int
plan_block_io (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  const typeof (r->block_io) *b = &r->block_io;
  int rc;

  if (b->has_weight && b->weight != 0)
    {
      char value[16];
      rc = cgroup_check_blkio_weight (F "blockIO.weight", b->weight, err);
      if (rc < 0)
        return rc;
      str_format (value, sizeof value, "%u", (unsigned) b->weight);
      plan_weight (p, F "blockIO.weight", "blkio.weight", "blkio.bfq.weight", value);
    }
  if (b->has_leaf_weight && b->leaf_weight != 0)
    {
      rc = cgroup_check_blkio_weight (F "blockIO.leafWeight", b->leaf_weight, err);
      if (rc < 0)
        return rc;
      cgroup_plan_add (p, "blkio", F "blockIO.leafWeight", "blkio.leaf_weight", "%u",
                       (unsigned) b->leaf_weight);
    }
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      rc = plan_weight_device (&b->weight_device[i], i, p, err);
      if (rc < 0)
        return rc;
    }
  plan_throttle (p, F "blockIO.throttleReadBpsDevice", "blkio.throttle.read_bps_device",
                 b->throttle_read_bps, b->throttle_read_bps_len);
  plan_throttle (p, F "blockIO.throttleWriteBpsDevice", "blkio.throttle.write_bps_device",
                 b->throttle_write_bps, b->throttle_write_bps_len);
  plan_throttle (p, F "blockIO.throttleReadIOPSDevice", "blkio.throttle.read_iops_device",
                 b->throttle_read_iops, b->throttle_read_iops_len);
  plan_throttle (p, F "blockIO.throttleWriteIOPSDevice", "blkio.throttle.write_iops_device",
                 b->throttle_write_iops, b->throttle_write_iops_len);
  return 0;
}

/* An interface name as the kernel takes it in net_prio.ifpriomap: one word,
 * at most IFNAMSIZ - 1 bytes. */
static bool
interface_name_valid (const char *name)
{
  return *name && strlen (name) < 16 && !strpbrk (name, " \t\n/:");
}

static int
plan_network (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  if (r->network.has_class_id)
    /* 0 is the kernel's "no class" */
    cgroup_plan_add (p, "net_cls", F "network.classID", "net_cls.classid", "%" PRIu32,
                     r->network.class_id)
        ->is_default
        = r->network.class_id == 0;
  for (size_t i = 0; i < r->network.priorities_len; i++)
    {
      const struct oci_net_priority *n = &r->network.priorities[i];
      if (!interface_name_valid (n->name))
        return tong_err (err, 0,
                         F "network.priorities[%zu].name: \"%s\" is not a network "
                           "interface name",
                         i, n->name);
      cgroup_plan_add (p, "net_prio", F "network.priorities", "net_prio.ifpriomap", "%s %" PRIu32,
                       n->name, n->priority);
    }
  return 0;
}

int
cgroup_plan_resources_v1 (const struct oci_resources *r, struct cgroup_plan *plan, tong_error *err)
{
  int rc = 0;

  memset (plan, 0, sizeof *plan);
  if (!r)
    return 0;
  if (r->unified.len > 0)
    return tong_err (err, 0,
                     F "unified: cgroup v1 has no unified files (they are cgroup v2's); "
                       "remove it");
  if (r->memory.present)
    rc = plan_memory (r, plan, err);
  if (rc == 0 && r->cpu.present)
    rc = plan_cpu (r, plan, err);
  if (rc == 0)
    cgroup_plan_pids (r, plan);
  if (rc == 0 && r->block_io.present)
    rc = plan_block_io (r, plan, err);
  if (rc == 0)
    rc = cgroup_plan_hugetlb (r, plan, "limit_in_bytes", "rsvd.limit_in_bytes", err);
  if (rc == 0 && r->network.present)
    rc = plan_network (r, plan, err);
  if (rc == 0)
    rc = cgroup_plan_rdma (r, plan, err);
  if (rc < 0)
    cgroup_plan_free (plan);
  return rc;
}
