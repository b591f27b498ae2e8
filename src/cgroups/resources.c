#include "resources.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/base/util.h"

#define F "linux.resources."

struct cgroup_write *
cgroup_plan_add (struct cgroup_plan *p, const char *controller, const char *field, const char *file,
                 const char *fmt, ...)
{
  struct cgroup_write *w;
  va_list ap;

  p->writes = xrealloc (p->writes, (p->n + 1) * sizeof *p->writes);
  w = &p->writes[p->n++];
  memset (w, 0, sizeof *w);
  w->controller = controller;
  w->field = xstrdup (field);
  w->file = xstrdup (file);
  va_start (ap, fmt);
  w->value = xvasprintf (fmt, ap);
  va_end (ap);
  return w;
}

void
cgroup_plan_free (struct cgroup_plan *plan)
{
  for (size_t i = 0; i < plan->n; i++)
    {
      struct cgroup_write *w = &plan->writes[i];
      free (w->field);
      free (w->file);
      free (w->value);
      free (w->alt_file);
      free (w->alt_value);
    }
  free (plan->writes);
  free (plan->warning);
  memset (plan, 0, sizeof *plan);
}

bool
cgroup_plan_empty (const struct cgroup_plan *plan)
{
  return plan->n == 0;
}

/* libm, loaded only by a container that asks for cpu.shares: tong loads no
 * library a container does not need. */
static double (*m_log2) (double);
static double (*m_pow) (double, double);
static double (*m_ceil) (double);

static bool
load_libm (void)
{
  void *h;

  if (m_log2)
    return true;
  h = dlopen ("libm.so.6", RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return false;
  *(void **) &m_pow = dlsym (h, "pow");
  *(void **) &m_ceil = dlsym (h, "ceil");
  *(void **) &m_log2 = dlsym (h, "log2");
  return m_pow && m_ceil && m_log2;
}

/* cpu.shares [2, 262144] onto cpu.weight [1, 10000] with the log-quadratic
 * map runc (1.3.2 and later) and crun (1.23 and later) use: the v1 default
 * of 1024 becomes v2's default of 100 (the older linear map made it 39).
 * 0 when libm cannot be loaded. */
unsigned long long
cgroup_cpu_shares_to_weight (unsigned long long shares)
{
  double l, exponent;

  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  if (!load_libm ())
    return 0;
  l = m_log2 ((double) shares);
  exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return (unsigned long long) m_ceil (m_pow (10, exponent));
}

/* blkio weight [10, 1000] onto io.weight [1, 10000], as runc and crun. */
unsigned long long
cgroup_blkio_weight_to_io_weight (unsigned long long weight)
{
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + ((weight - 10) * 9999) / 990;
}

int
cgroup_check_memory_limit (int64_t limit, tong_error *err)
{
  if (limit < -1)
    return tong_err (err, 0, F "memory.limit: %" PRId64 " is not a limit (bytes, or -1)", limit);
  return 0;
}

/* name: "reservation", "swap" */
int
cgroup_check_memory_size (const char *name, int64_t size, tong_error *err)
{
  if (size < -1)
    return tong_err (err, 0, F "memory.%s: %" PRId64 " is not a size", name, size);
  return 0;
}

/* The spec's swap is the limit of memory plus swap: never below the memory
 * limit alone (-1, no limit, is above everything). */
int
cgroup_check_swap_not_below_limit (int64_t swap, int64_t limit, tong_error *err)
{
  if (swap != -1 && limit > 0 && swap < limit)
    return tong_err (err, 0,
                     F "memory.swap: %" PRId64 " is below memory.limit %" PRId64
                       " (swap is the limit of memory plus swap)",
                     swap, limit);
  return 0;
}

int
cgroup_check_cpu_shares (uint64_t shares, tong_error *err)
{
  if (shares < 2 || shares > 262144)
    return tong_err (err, 0, F "cpu.shares: %" PRIu64 " is out of range 2 to 262144", shares);
  return 0;
}

int
cgroup_check_cpu_period (uint64_t period, tong_error *err)
{
  if (period < 1000 || period > 1000000)
    return tong_err (err, 0,
                     F "cpu.period: %" PRIu64 " is out of range 1000 to "
                       "1000000 (microseconds)",
                     period);
  return 0;
}

int
cgroup_check_cpu_idle (int64_t idle, tong_error *err)
{
  if (idle != 0 && idle != 1)
    return tong_err (err, 0, F "cpu.idle: %" PRId64 " is not 0 or 1", idle);
  return 0;
}

/* blkio's weights (and io.bfq.weight's) range over 10 to 1000. */
int
cgroup_check_blkio_weight (const char *field, unsigned weight, tong_error *err)
{
  if (weight < 10 || weight > 1000)
    return tong_err (err, 0, "%s: %u is out of range 10 to 1000", field, weight);
  return 0;
}

static int
plan_memory (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  int rc;
  int64_t limit = r->memory.has_limit ? r->memory.limit : 0;

  if (r->memory.has_kernel && r->memory.kernel != 0)
    return tong_err (err, 0,
                     F "memory.kernel: cgroup v2 has no separate kernel memory limit "
                       "(it is part of memory.max); remove it");
  if (r->memory.has_kernel_tcp && r->memory.kernel_tcp != 0)
    return tong_err (err, 0,
                     F "memory.kernelTCP: cgroup v2 has no separate TCP memory limit; "
                       "remove it");
  if (r->memory.has_swappiness)
    return tong_err (err, 0,
                     F "memory.swappiness: cgroup v2 has no per-cgroup swappiness; "
                       "remove it");
  if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer)
    return tong_err (err, 0,
                     F "memory.disableOOMKiller: cgroup v2 cannot disable the OOM "
                       "killer; remove it");
  if (r->memory.has_use_hierarchy && !r->memory.use_hierarchy)
    return tong_err (err, 0,
                     F "memory.useHierarchy: cgroup v2 is always hierarchical; "
                       "false cannot be honoured");
  /* 0 means "not set" (runc's update semantics), -1 "no limit". */
  rc = cgroup_check_memory_limit (limit, err);
  if (rc < 0)
    return rc;
  if (limit == -1)
    cgroup_plan_add (p, "memory", F "memory.limit", "memory.max", "max");
  else if (limit > 0)
    cgroup_plan_add (p, "memory", F "memory.limit", "memory.max", "%" PRId64, limit);
  if (r->memory.has_reservation && r->memory.reservation != 0)
    {
      rc = cgroup_check_memory_size ("reservation", r->memory.reservation, err);
      if (rc < 0)
        return rc;
      if (r->memory.reservation == -1)
        cgroup_plan_add (p, "memory", F "memory.reservation", "memory.low", "max");
      else
        cgroup_plan_add (p, "memory", F "memory.reservation", "memory.low", "%" PRId64,
                         r->memory.reservation);
    }
  /* The spec's swap is memory+swap (cgroup v1's memsw); v2's memory.swap.max
   * is swap alone: swap - limit, as runc converts it. */
  if (r->memory.has_swap && r->memory.swap != 0)
    {
      int64_t swap = r->memory.swap;
      rc = cgroup_check_memory_size ("swap", swap, err);
      if (rc < 0)
        return rc;
      if (swap == -1)
        cgroup_plan_add (p, "memory", F "memory.swap", "memory.swap.max", "max");
      else if (limit <= 0)
        return tong_err (err, 0,
                         F "memory.swap: a swap limit needs memory.limit too "
                           "(swap is the limit of memory plus swap)");
      else
        {
          rc = cgroup_check_swap_not_below_limit (swap, limit, err);
          if (rc < 0)
            return rc;
          cgroup_plan_add (p, "memory", F "memory.swap", "memory.swap.max", "%" PRId64,
                           swap - limit);
        }
    }
  else if (limit == -1)
    /* No memory limit and no swap given: no swap limit either (runc). */
    cgroup_plan_add (p, "memory", F "memory.limit", "memory.swap.max", "max")->optional = true;
  p->check_before_update = r->memory.has_check_before_update && r->memory.check_before_update;
  return 0;
}

static int
plan_cpu (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  int rc;

  if (r->cpu.has_realtime_runtime && r->cpu.realtime_runtime != 0)
    return tong_err (err, 0,
                     F "cpu.realtimeRuntime: cgroup v2 has no real-time CPU "
                       "bandwidth control; remove it");
  if (r->cpu.has_realtime_period && r->cpu.realtime_period != 0)
    return tong_err (err, 0,
                     F "cpu.realtimePeriod: cgroup v2 has no real-time CPU "
                       "bandwidth control; remove it");
  if (r->cpu.has_shares && r->cpu.shares != 0)
    {
      rc = cgroup_check_cpu_shares (r->cpu.shares, err);
      if (rc < 0)
        return rc;
      unsigned long long weight = cgroup_cpu_shares_to_weight (r->cpu.shares);
      if (weight == 0)
        return tong_err (err, ELIBACC, F "cpu.shares: cannot load libm.so.6 to convert it");
      /* containerd asks for 1024 (weight 100) on every container */
      cgroup_plan_add (p, "cpu", F "cpu.shares", "cpu.weight", "%llu", weight)->is_default
          = weight == 100;
    }
  if ((r->cpu.has_quota && r->cpu.quota != 0) || (r->cpu.has_period && r->cpu.period != 0))
    {
      char quota[32] = "max";
      if (r->cpu.has_quota && r->cpu.quota > 0)
        str_format (quota, sizeof quota, "%" PRId64, r->cpu.quota);
      if (r->cpu.has_period && r->cpu.period != 0)
        {
          rc = cgroup_check_cpu_period (r->cpu.period, err);
          if (rc < 0)
            return rc;
          cgroup_plan_add (p, "cpu", F "cpu.quota", "cpu.max", "%s %" PRIu64, quota, r->cpu.period);
        }
      else
        cgroup_plan_add (p, "cpu", F "cpu.quota", "cpu.max", "%s", quota);
    }
  if (r->cpu.has_burst)
    cgroup_plan_add (p, "cpu", F "cpu.burst", "cpu.max.burst", "%" PRIu64, r->cpu.burst);
  if (r->cpu.has_idle)
    {
      rc = cgroup_check_cpu_idle (r->cpu.idle, err);
      if (rc < 0)
        return rc;
      cgroup_plan_add (p, "cpu", F "cpu.idle", "cpu.idle", "%" PRId64, r->cpu.idle);
    }
  cgroup_plan_cpuset (r, p);
  return 0;
}

void
cgroup_plan_cpuset (const struct oci_resources *r, struct cgroup_plan *p)
{
  if (r->cpu.cpus && *r->cpu.cpus)
    cgroup_plan_add (p, "cpuset", F "cpu.cpus", "cpuset.cpus", "%s", r->cpu.cpus);
  if (r->cpu.mems && *r->cpu.mems)
    cgroup_plan_add (p, "cpuset", F "cpu.mems", "cpuset.mems", "%s", r->cpu.mems);
}

void
cgroup_plan_pids (const struct oci_resources *r, struct cgroup_plan *p)
{
  if (!r->pids.present || r->pids.limit == 0)
    return;
  if (r->pids.limit < 0)
    cgroup_plan_add (p, "pids", F "pids.limit", "pids.max", "max");
  else
    cgroup_plan_add (p, "pids", F "pids.limit", "pids.max", "%" PRId64, r->pids.limit);
}

static void
plan_throttle (struct cgroup_plan *p, const char *field, const char *key,
               const struct oci_throttle_device *d, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      if (d[i].rate == 0)
        cgroup_plan_add (p, "io", field, "io.max", "%" PRId64 ":%" PRId64 " %s=max", d[i].major,
                         d[i].minor, key);
      else
        cgroup_plan_add (p, "io", field, "io.max", "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
                         d[i].major, d[i].minor, key, d[i].rate);
    }
}

static int
plan_block_io (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  const typeof (r->block_io) *b = &r->block_io;
  int rc;

  if (b->has_leaf_weight && b->leaf_weight != 0)
    return tong_err (err, 0, F "blockIO.leafWeight: cgroup v2 has no leaf weight; remove it");
  /* The bfq scheduler's io.bfq.weight takes blkio's range as is; without
   * bfq, io.weight gets the weight mapped onto its range. */
  if (b->has_weight && b->weight != 0)
    {
      struct cgroup_write *w;
      rc = cgroup_check_blkio_weight (F "blockIO.weight", b->weight, err);
      if (rc < 0)
        return rc;
      w = cgroup_plan_add (p, "io", F "blockIO.weight", "io.bfq.weight", "%u",
                           (unsigned) b->weight);
      w->alt_file = xstrdup ("io.weight");
      w->alt_value = xasprintf ("default %llu", cgroup_blkio_weight_to_io_weight (b->weight));
    }
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const struct oci_weight_device *d = &b->weight_device[i];
      struct cgroup_write *w;
      _cleanup_free_ char *field = NULL;
      if (d->has_leaf_weight && d->leaf_weight != 0)
        return tong_err (err, 0,
                         F "blockIO.weightDevice[%zu].leafWeight: cgroup v2 has no "
                           "leaf weight; remove it",
                         i);
      if (!d->has_weight)
        continue;
      field = xasprintf (F "blockIO.weightDevice[%zu].weight", i);
      rc = cgroup_check_blkio_weight (field, d->weight, err);
      if (rc < 0)
        return rc;
      w = cgroup_plan_add (p, "io", F "blockIO.weightDevice", "io.bfq.weight",
                           "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->weight);
      w->alt_file = xstrdup ("io.weight");
      w->alt_value = xasprintf ("%" PRId64 ":%" PRId64 " %llu", d->major, d->minor,
                                cgroup_blkio_weight_to_io_weight (d->weight));
    }
  plan_throttle (p, F "blockIO.throttleReadBpsDevice", "rbps", b->throttle_read_bps,
                 b->throttle_read_bps_len);
  plan_throttle (p, F "blockIO.throttleWriteBpsDevice", "wbps", b->throttle_write_bps,
                 b->throttle_write_bps_len);
  plan_throttle (p, F "blockIO.throttleReadIOPSDevice", "riops", b->throttle_read_iops,
                 b->throttle_read_iops_len);
  plan_throttle (p, F "blockIO.throttleWriteIOPSDevice", "wiops", b->throttle_write_iops,
                 b->throttle_write_iops_len);
  return 0;
}

/* "2MB", "1GB", "64KB": digits and a unit, as the kernel names hugetlb.<size>.*. */
static bool
page_size_valid (const char *s)
{
  size_t digits = strspn (s, "0123456789");
  return digits > 0 && s[0] != '0'
         && (strcmp (s + digits, "KB") == 0 || strcmp (s + digits, "MB") == 0
             || strcmp (s + digits, "GB") == 0);
}

int
cgroup_plan_hugetlb (const struct oci_resources *r, struct cgroup_plan *p, const char *limit,
                     const char *rsvd_limit, tong_error *err)
{
  for (size_t i = 0; i < r->hugepage_limits_len; i++)
    {
      const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
      _cleanup_free_ char *file = NULL, *rsvd = NULL;
      if (!page_size_valid (h->page_size))
        return tong_err (err, 0,
                         F "hugepageLimits[%zu].pageSize: \"%s\" is not a page size "
                           "like 2MB or 1GB",
                         i, h->page_size);
      file = xasprintf ("hugetlb.%s.%s", h->page_size, limit);
      rsvd = xasprintf ("hugetlb.%s.%s", h->page_size, rsvd_limit);
      cgroup_plan_add (p, "hugetlb", F "hugepageLimits", file, "%" PRIu64, h->limit);
      /* Reservations are limited alike where the kernel (5.7+) counts them. */
      cgroup_plan_add (p, "hugetlb", F "hugepageLimits", rsvd, "%" PRIu64, h->limit)->optional
          = true;
    }
  return 0;
}

int
cgroup_plan_rdma (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  for (size_t i = 0; i < r->rdma_len; i++)
    {
      const struct oci_rdma_limit *l = &r->rdma[i];
      char handles[32] = "max", objects[32] = "max";
      if (!*l->device || strpbrk (l->device, " \n="))
        return tong_err (err, 0, F "rdma: \"%s\" is not a device name", l->device);
      if (!l->has_hca_handles && !l->has_hca_objects)
        continue;
      if (l->has_hca_handles)
        str_format (handles, sizeof handles, "%u", l->hca_handles);
      if (l->has_hca_objects)
        str_format (objects, sizeof objects, "%u", l->hca_objects);
      cgroup_plan_add (p, "rdma", F "rdma", "rdma.max", "%s hca_handle=%s hca_object=%s", l->device,
                       handles, objects);
    }
  return 0;
}

/* The controller a v2 file belongs to ("memory" of "memory.max");
 * NULL for the core cgroup.* files. */
static const char *
unified_controller (const char *key, char *buf, size_t len)
{
  size_t n = strcspn (key, ".");
  if (n >= len)
    n = len - 1;
  memcpy (buf, key, n);
  buf[n] = '\0';
  return strcmp (buf, "cgroup") == 0 ? NULL : buf;
}

static const char *const known_controllers[]
    = { "cpu", "cpuset", "io", "memory", "hugetlb", "pids", "rdma", "misc" };

static int
plan_unified (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err)
{
  for (size_t i = 0; i < r->unified.len; i++)
    {
      const char *key = r->unified.items[i].key, *value = r->unified.items[i].value;
      _cleanup_free_ char *field = xasprintf (F "unified[\"%s\"]", key);
      const char *controller = NULL;
      char buf[32];

      if (!*key || strchr (key, '/') || strstr (key, "..") || !strchr (key, '.') || key[0] == '.')
        return tong_err (err, 0, "%s: not the name of a cgroup v2 file", field);
      if (unified_controller (key, buf, sizeof buf))
        {
          for (size_t k = 0; k < ARRAY_SIZE (known_controllers); k++)
            if (strcmp (buf, known_controllers[k]) == 0)
              controller = known_controllers[k];
          if (!controller)
            return tong_err (err, 0, "%s: `%s` is not a cgroup v2 controller", field, buf);
        }
      else if (strcmp (key, "cgroup.procs") == 0 || strcmp (key, "cgroup.threads") == 0
               || strcmp (key, "cgroup.subtree_control") == 0 || strcmp (key, "cgroup.kill") == 0
               || strcmp (key, "cgroup.freeze") == 0 || strcmp (key, "cgroup.type") == 0)
        return tong_err (err, 0, "%s: tong manages this file itself", field);
      cgroup_plan_add (p, controller, field, key, "%s", value);
    }
  return 0;
}

int
cgroup_plan_resources (const struct oci_resources *r, struct cgroup_plan *plan, tong_error *err)
{
  int rc = 0;

  memset (plan, 0, sizeof *plan);
  if (!r)
    return 0;
  if (r->network.present)
    return tong_err (err, 0,
                     F "network: classID and priorities are cgroup v1 controllers "
                       "(net_cls, net_prio), which cgroup v2 does not have; remove it");
  if (r->memory.present)
    rc = plan_memory (r, plan, err);
  if (rc == 0 && r->cpu.present)
    rc = plan_cpu (r, plan, err);
  if (rc == 0)
    cgroup_plan_pids (r, plan);
  if (rc == 0 && r->block_io.present)
    rc = plan_block_io (r, plan, err);
  if (rc == 0)
    rc = cgroup_plan_hugetlb (r, plan, "max", "rsvd.max", err);
  if (rc == 0)
    rc = cgroup_plan_rdma (r, plan, err);
  /* Last: a unified entry overrides what the fields above wrote (runc). */
  if (rc == 0)
    rc = plan_unified (r, plan, err);
  if (rc < 0)
    cgroup_plan_free (plan);
  return rc;
}

static int
file_read_u64 (const char *path, const char *file, unsigned long long *v)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", path, file), *text = NULL;
  tong_error ignored;
  int r = read_file_at (AT_FDCWD, p, &text, NULL, &ignored);
  if (r < 0)
    return r;
  *v = strtoull (text, NULL, 10);
  return 0;
}

/* The usage a limit is checked against under memory.checkBeforeUpdate:
 * memory.current for v2's memory.max, memory.usage_in_bytes for v1's
 * memory.limit_in_bytes; NULL for any other file. */
static const char *
memory_usage_file (const char *file)
{
  if (strcmp (file, "memory.max") == 0)
    return "memory.current";
  if (strcmp (file, "memory.limit_in_bytes") == 0)
    return "memory.usage_in_bytes";
  return NULL;
}

static int
check_memory_usage (const char *dir, const char *usage_file, const struct cgroup_write *w,
                    tong_error *err)
{
  unsigned long long current;

  if (strcmp (w->value, "max") == 0 || strcmp (w->value, "-1") == 0
      || file_read_u64 (dir, usage_file, &current) < 0)
    return 0;
  if (strtoull (w->value, NULL, 10) < current)
    return tong_err (err, 0,
                     "%s: %s bytes is below the container's memory usage (%llu "
                     "bytes) and memory.checkBeforeUpdate is set",
                     w->field, w->value, current);
  return 0;
}

/* A file the plan needs is not there: say what the user can do about it. */
static int
missing_file (const struct cgroup_write *w, const char *dir, tong_error *err)
{
  _cleanup_free_ char *hint = NULL;

  if (strncmp (w->file, "memory.memsw.", strlen ("memory.memsw.")) == 0)
    hint = xstrdup (" (the kernel does not account swap: boot it with swapaccount=1, or set "
                    "memory.swap to -1 or to memory.limit)");
  else if (w->controller)
    hint = xasprintf (" (is the controller `%s` enabled?)", w->controller);
  return tong_err (err, ENOENT, "%s: cgroup `%s` has no file `%s`%s", w->field, dir, w->file,
                   hint ? hint : "");
}

/* One write into the directory dir_of gives its controller.  *refused is
 * set when the kernel refused the value (EINVAL, EBUSY): the one failure a
 * retry after the write's partners can mend. */
static int
apply_write (const struct cgroup_plan *plan, const struct cgroup_write *w,
             const char *(*dir_of) (const char *controller, void *arg), void *arg, bool *refused,
             tong_error *err)
{
  const char *dir = dir_of (w->controller, arg), *value = w->value, *usage_file;
  _cleanup_free_ char *p = NULL;
  int r;

  *refused = false;
  if (!dir)
    {
      if (w->optional || w->is_default)
        return 0;
      if (!w->controller)
        return tong_err_code (err, ENOENT, "%s: no cgroup directory for the core file `%s`",
                              w->field, w->file);
      return tong_err_code (err, ENOENT,
                            "%s: needs the cgroup controller `%s`, which this host does not "
                            "mount",
                            w->field, w->controller);
    }
  p = xasprintf ("%s/%s", dir, w->file);
  if (access (p, F_OK) < 0 && errno == ENOENT)
    {
      if (w->optional || w->is_default)
        return 0;
      if (!w->alt_file)
        return missing_file (w, dir, err);
      free (p);
      p = xasprintf ("%s/%s", dir, w->alt_file);
      value = w->alt_value;
    }
  usage_file = memory_usage_file (w->file);
  if (plan->check_before_update && usage_file)
    {
      r = check_memory_usage (dir, usage_file, w, err);
      if (r < 0)
        return r;
    }
  r = write_file_at (AT_FDCWD, p, value, strlen (value), err);
  if (r < 0)
    {
      *refused = r == -EINVAL || r == -EBUSY;
      return tong_err (err, -r, "%s: write \"%s\" to `%s`", w->field, value, p);
    }
  return 0;
}

/* The writes from *i up to the first without retry_after_next: each in
 * turn, those the kernel refuses once more after the rest. */
static int
apply_group (const struct cgroup_plan *plan, size_t *i,
             const char *(*dir_of) (const char *controller, void *arg), void *arg, tong_error *err)
{
  size_t start = *i, end = start;
  _cleanup_free_ bool *deferred = NULL;
  bool refused;
  int r;

  while (end + 1 < plan->n && plan->writes[end].retry_after_next)
    end++;
  deferred = xcalloc (end - start + 1, sizeof *deferred);
  for (size_t k = start; k <= end; k++)
    {
      r = apply_write (plan, &plan->writes[k], dir_of, arg, &refused, err);
      if (r < 0 && refused && plan->writes[k].retry_after_next)
        deferred[k - start] = true;
      else if (r < 0)
        return r;
    }
  for (size_t k = start; k <= end; k++)
    if (deferred[k - start])
      {
        r = apply_write (plan, &plan->writes[k], dir_of, arg, &refused, err);
        if (r < 0)
          return r;
      }
  *i = end + 1;
  return 0;
}

int
cgroup_plan_apply_at (const struct cgroup_plan *plan,
                      const char *(*dir_of) (const char *controller, void *arg), void *arg,
                      tong_error *err)
{
  size_t i = 0;

  while (i < plan->n)
    {
      int r = apply_group (plan, &i, dir_of, arg, err);
      if (r < 0)
        return r;
    }
  return 0;
}

/* cgroup v2: one directory holds every controller's files and the core ones. */
static const char *
the_one_dir (const char *controller, void *path)
{
  (void) controller;
  return path;
}

int
cgroup_plan_apply (const char *path, const struct cgroup_plan *plan, tong_error *err)
{
  return cgroup_plan_apply_at (plan, the_one_dir, (void *) path, err);
}
