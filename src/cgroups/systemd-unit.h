/* The systemd cgroup driver's plain data: linux.cgroupsPath in systemd's
 * form "slice:prefix:name" turned into a scope unit, and linux.resources
 * turned into that unit's properties.  No system calls: unit-tested. */
#ifndef TONG_CGROUP_SYSTEMD_UNIT_H
#define TONG_CGROUP_SYSTEMD_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"
#include "src/base/error.h"

struct systemd_unit
{
  char *slice;      /* "system.slice", "machine-foo.slice" */
  char *slice_path; /* the slice's cgroup below the root: "machine.slice/machine-foo.slice" */
  char *unit;       /* "prefix-name.scope" */
};

/* Is cgroupsPath in systemd's form (no leading "/", two ":")? */
bool systemd_path_is_systemd (const char *cgroups_path);

/* The scope for cgroupsPath (NULL or "" means "system.slice:tong:<id>"), as
 * runc reads it: an empty slice is system.slice, an empty prefix leaves the
 * unit "name.scope".  Names that systemd would refuse are errors here. */
int systemd_unit_parse (const char *cgroups_path, const char *id, struct systemd_unit *u,
                        tong_error *err);
void systemd_unit_free (struct systemd_unit *u);

/* A slice's cgroup path below the root: "a-b.slice" -> "a.slice/a-b.slice",
 * "-.slice" -> "".  NULL when the name is not a valid slice. */
char *systemd_slice_path (const char *slice);

enum systemd_prop_type
{
  SD_PROP_U64,   /* "t" */
  SD_PROP_BOOL,  /* "b" */
  SD_PROP_STR,   /* "s" */
  SD_PROP_BYTES, /* "ay": a CPU or NUMA node bitmask */
};

struct systemd_prop
{
  const char *name; /* "MemoryMax" */
  enum systemd_prop_type type;
  unsigned min_version; /* the systemd version that knows it (0: all we support) */
  uint64_t u64;         /* U64 (UINT64_MAX is "infinity"), BOOL */
  char *str;
  uint8_t *bytes;
  size_t n_bytes;
};

struct systemd_props
{
  struct systemd_prop *p;
  size_t n;
};

/* The resource properties systemd knows, from resources already checked by
 * cgroup_plan_resources (limits.h): memory limit, reservation and swap,
 * cpu shares, quota, period, cpus and mems, pids limit, blockIO weight, and
 * the unified keys of files systemd manages itself (memory.min, low, high,
 * max, swap.max, pids.max, cpu.weight, cpuset.cpus, cpuset.mems), which
 * override them as in the cgroup.  Everything (these too) is also written
 * to the delegated cgroup. */
int systemd_props_from_resources (const struct oci_resources *r, struct systemd_props *props,
                                  tong_error *err);
void systemd_props_free (struct systemd_props *props);
const struct systemd_prop *systemd_props_find (const struct systemd_props *props, const char *name);

/* A cpuset list ("0-3,8") as systemd's bitmask: byte i bit j is number
 * 8 * i + j.  Returns the byte count, or -EINVAL for a malformed list. */
int systemd_cpuset_mask (const char *list, uint8_t **mask, size_t *n);

#define _cleanup_systemd_unit_ __attribute__ ((cleanup (systemd_unit_free)))
#define _cleanup_systemd_props_ __attribute__ ((cleanup (systemd_props_free)))

#endif
