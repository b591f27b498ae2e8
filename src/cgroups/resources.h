/* linux.resources on cgroup v2 (resources.c) and v1 (resources-v1.c), in
 * two steps: a plan (the spec turned into a list of cgroup file writes, each
 * with the controller it needs: plain data, no system calls) and its
 * application to the cgroup directories.  Device rules are not file writes:
 * see devices-bpf.h. */
#ifndef TONG_CGROUP_RESOURCES_H
#define TONG_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"
#include "src/base/error.h"

struct cgroup_write
{
  const char *controller; /* "memory", "cpu", ...; NULL: a core cgroup.* file */
  char *field;            /* the spec field it comes from, for errors */
  char *file;             /* e.g. "memory.max" */
  char *value;            /* written as is */
  char *alt_file;         /* written instead (with alt_value) when file does not exist */
  char *alt_value;
  bool optional; /* skipped when the file does not exist */
  /* The kernel's default for the file (cpu.weight 100): where the hierarchy
   * lacks the controller, the container has that value anyway, so the write
   * neither needs the controller nor fails without it. */
  bool is_default;
  /* cgroup v1 checks a limit against its partner's current value
   * (memory.limit_in_bytes <= memory.memsw.limit_in_bytes, cfs period and
   * burst against the quota, rt period against the runtime), so one order
   * cannot both raise and lower them: if the kernel refuses this write
   * (EINVAL, EBUSY), the writes after it up to the first without the flag
   * go first, and this one is retried once after them. */
  bool retry_after_next;
};

struct cgroup_plan
{
  struct cgroup_write *writes;
  size_t n;
  /* memory.checkBeforeUpdate: refuse memory.max (memory.limit_in_bytes)
   * below memory.current (memory.usage_in_bytes) */
  bool check_before_update;
  char *warning; /* for the caller to log once; NULL: none */
};

/* Turn linux.resources into writes.  A field cgroup v2 cannot honour
 * (memory.kernel, cpu.realtimeRuntime, network, ...) is an error naming it. */
int cgroup_plan_resources (const struct oci_resources *r, struct cgroup_plan *plan,
                           tong_error *err);
void cgroup_plan_free (struct cgroup_plan *plan);

/* linux.resources for cgroup v1: each write's controller is the v1 subsystem whose
 * hierarchy holds the file ("memory", "cpu", "cpuacct", "cpuset", "pids", "blkio",
 * "hugetlb", "net_cls", "net_prio", "rdma").  linux.resources.unified is refused
 * ("cgroup v1 has no unified files"); the caller (the hybrid driver) strips it first
 * when it sends it to the v2 hierarchy.  Device rules are not planned here. */
int cgroup_plan_resources_v1 (const struct oci_resources *r, struct cgroup_plan *plan,
                              tong_error *err);

/* Append a write of value (printf-style) to file; the planners' one way in. */
struct cgroup_write *cgroup_plan_add (struct cgroup_plan *p, const char *controller,
                                      const char *field, const char *file, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

/* Does the plan need any controller (or write anything at all)? */
bool cgroup_plan_empty (const struct cgroup_plan *plan);

/* Write the plan into the cgroup directory `path` (every controller's and
 * the core files' alike: cgroup v2). */
int cgroup_plan_apply (const char *path, const struct cgroup_plan *plan, tong_error *err);

/* Write the plan, each write into the directory of its controller: dir_of returns it
 * (NULL: the host has no hierarchy for that controller -> an error naming the spec
 * field and the controller, unless the write is optional or is_default).  Core
 * writes ask dir_of for the controller NULL. */
int cgroup_plan_apply_at (const struct cgroup_plan *plan,
                          const char *(*dir_of) (const char *controller, void *arg), void *arg,
                          tong_error *err);

/* What the v1 and v2 planners share: the checks of values whose meaning
 * does not depend on the version (0, or an error naming the spec field) ... */
int cgroup_check_memory_limit (int64_t limit, tong_error *err);
int cgroup_check_memory_size (const char *name, int64_t size, tong_error *err);
int cgroup_check_swap_not_below_limit (int64_t swap, int64_t limit, tong_error *err);
int cgroup_check_cpu_shares (uint64_t shares, tong_error *err);
int cgroup_check_cpu_period (uint64_t period, tong_error *err);
int cgroup_check_cpu_idle (int64_t idle, tong_error *err);
int cgroup_check_blkio_weight (const char *field, unsigned weight, tong_error *err);

/* ... and the fields whose files differ only in name: hugetlb.SIZE.<limit>
 * and hugetlb.SIZE.<rsvd> (optional), pids.max, cpuset.cpus and .mems,
 * rdma.max. */
int cgroup_plan_hugetlb (const struct oci_resources *r, struct cgroup_plan *p, const char *limit,
                         const char *rsvd, tong_error *err);
void cgroup_plan_pids (const struct oci_resources *r, struct cgroup_plan *p);
void cgroup_plan_cpuset (const struct oci_resources *r, struct cgroup_plan *p);
int cgroup_plan_rdma (const struct oci_resources *r, struct cgroup_plan *p, tong_error *err);

/* The conversions the plan uses, exposed for the unit tests. */
unsigned long long cgroup_cpu_shares_to_weight (unsigned long long shares);
unsigned long long cgroup_blkio_weight_to_io_weight (unsigned long long weight);

#define _cleanup_cgroup_plan_ __attribute__ ((cleanup (cgroup_plan_free)))

#endif
