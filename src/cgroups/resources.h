/* linux.resources on cgroup v2, in two steps: a plan (the spec turned into
 * a list of cgroup file writes, each with the controller it needs: plain
 * data, no system calls) and its application to a cgroup directory.
 * Device rules are not file writes: see devices-bpf.h. */
#ifndef TONG_CGROUP_RESOURCES_H
#define TONG_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

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
};

struct cgroup_plan
{
  struct cgroup_write *writes;
  size_t n;
  bool check_before_update; /* memory.checkBeforeUpdate: refuse memory.max below usage */
};

/* Turn linux.resources into writes.  A field cgroup v2 cannot honour
 * (memory.kernel, cpu.realtimeRuntime, network, ...) is an error naming it. */
int cgroup_plan_resources (const struct oci_resources *r, struct cgroup_plan *plan,
                           tong_error *err);
void cgroup_plan_free (struct cgroup_plan *plan);

/* Append a write of value (printf-style) to file; the planners' one way in. */
struct cgroup_write *cgroup_plan_add (struct cgroup_plan *p, const char *controller,
                                      const char *field, const char *file, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

/* Does the plan need any controller (or write anything at all)? */
bool cgroup_plan_empty (const struct cgroup_plan *plan);

/* Write the plan into the cgroup directory `path`. */
int cgroup_plan_apply (const char *path, const struct cgroup_plan *plan, tong_error *err);

/* The conversions the plan uses, exposed for the unit tests. */
unsigned long long cgroup_cpu_shares_to_weight (unsigned long long shares);
unsigned long long cgroup_blkio_weight_to_io_weight (unsigned long long weight);

#define _cleanup_cgroup_plan_ __attribute__ ((cleanup (cgroup_plan_free)))

#endif
