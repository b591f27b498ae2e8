/* `events` stats from cgroup v1 files, each controller in its own directory
 * (or co-mounted), with the fields runc's v1 "fs" manager fills.  The JSON
 * writer and the v2 sections (for a hybrid host's v2-bound controllers) are
 * stats.c's. */
#include "stats.h"
#include "stats-json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "src/base/util.h"
#include "src/cgroups/controllers.h"
#include "oci/json-gen.h"

bool
cgroup_oom_kills_v1 (const char *memory_dir, unsigned long long *count)
{
  return cgroup_keyed_value (memory_dir, "memory.oom_control", "oom_kill", count);
}

/* cpuacct.stat counts in USER_HZ ticks; runc reports nanoseconds.  Divided
 * first so that a long-lived cgroup does not overflow. */
static unsigned long long
ticks_to_ns (unsigned long long ticks)
{
  long hz = sysconf (_SC_CLK_TCK);
  unsigned long long tps = hz > 0 ? (unsigned long long) hz : 100;

  return ticks / tps * 1000000000ULL + ticks % tps * 1000000000ULL / tps;
}

/* One line of text into line (sscanf must not read on into the next);
 * false when it does not fit, which no line of these files does. */
static bool
copy_line (const char *l, char *line, size_t size)
{
  size_t len = strcspn (l, "\n");

  if (len >= size)
    return false;
  memcpy (line, l, len);
  line[len] = '\0';
  return true;
}

/* An array of the whitespace-separated numbers of text
 * (cpuacct.usage_percpu and its _sys and _user siblings). */
static void
gen_number_list (yajl_gen g, const char *name, const char *text)
{
  char *end;

  stats_key (g, name);
  yajl_gen_array_open (g);
  for (const char *s = text; *s; s = end)
    {
      unsigned long long v = strtoull (s, &end, 10);
      if (end == s)
        break;
      json_gen_integer (g, (long long) v);
    }
  yajl_gen_array_close (g);
}

/* An array of column col of cpuacct.usage_all ("cpu user system" header,
 * then "N USER SYSTEM" per cpu). */
static void
gen_usage_all_column (yajl_gen g, const char *name, const char *text, int col)
{
  const char *l = strchr (text, '\n');

  stats_key (g, name);
  yajl_gen_array_open (g);
  for (l = l ? l + 1 : NULL; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    {
      unsigned long long v[3];
      char line[128];
      if (copy_line (l, line, sizeof line)
          && sscanf (line, "%llu %llu %llu", &v[0], &v[1], &v[2]) == 3)
        json_gen_integer (g, (long long) v[col]);
    }
  yajl_gen_array_close (g);
}

static void
gen_file_list (yajl_gen g, const char *name, const char *dir, const char *file)
{
  _cleanup_free_ char *text = stats_read (dir, file);

  if (text)
    gen_number_list (g, name, text);
}

/* Per-cpu kernel and user time: cpuacct.usage_all as runc reads it, else
 * the usage_percpu_sys/_user pair (the same numbers, from the same kernel
 * release on). */
static void
gen_percpu_modes (yajl_gen g, const char *cpuacct)
{
  _cleanup_free_ char *all = stats_read (cpuacct, "cpuacct.usage_all");

  if (all)
    {
      gen_usage_all_column (g, "percpu_kernel", all, 2);
      gen_usage_all_column (g, "percpu_user", all, 1);
      return;
    }
  gen_file_list (g, "percpu_kernel", cpuacct, "cpuacct.usage_percpu_sys");
  gen_file_list (g, "percpu_user", cpuacct, "cpuacct.usage_percpu_user");
}

static void
v1_cpu_usage (yajl_gen g, const char *cpuacct)
{
  unsigned long long v;

  stats_key (g, "usage");
  yajl_gen_map_open (g);
  if (stats_single_value (cpuacct, "cpuacct.usage", &v))
    stats_num (g, "total", v);
  gen_file_list (g, "percpu", cpuacct, "cpuacct.usage_percpu");
  gen_percpu_modes (g, cpuacct);
  if (cgroup_keyed_value (cpuacct, "cpuacct.stat", "system", &v))
    stats_num (g, "kernel", ticks_to_ns (v));
  if (cgroup_keyed_value (cpuacct, "cpuacct.stat", "user", &v))
    stats_num (g, "user", ticks_to_ns (v));
  yajl_gen_map_close (g);
}

/* usage from cpuacct, throttling from cpu: either may be missing (or both
 * one co-mounted directory). */
static void
v1_cpu (yajl_gen g, const char *cpu, const char *cpuacct)
{
  stats_key (g, "cpu");
  yajl_gen_map_open (g);
  if (cpuacct)
    v1_cpu_usage (g, cpuacct);
  if (cpu)
    stats_gen_throttling (g, cpu, "throttled_time", 1);
  yajl_gen_map_close (g);
}

/* memory.PREFIX.{usage_in_bytes,max_usage_in_bytes,limit_in_bytes,failcnt}
 * ("memory" alone for the first); false without the usage file (swap and
 * kernel accounting are optional in the kernel). */
static bool
v1_memory_entry (const char *dir, const char *prefix, struct stats_memory_entry *e)
{
  _cleanup_free_ char *usage = xasprintf ("%s.usage_in_bytes", prefix);
  _cleanup_free_ char *max = xasprintf ("%s.max_usage_in_bytes", prefix);
  _cleanup_free_ char *limit = xasprintf ("%s.limit_in_bytes", prefix);
  _cleanup_free_ char *failcnt = xasprintf ("%s.failcnt", prefix);

  *e = (struct stats_memory_entry){ 0 };
  if (!stats_single_value (dir, usage, &e->usage))
    return false;
  e->has_max = stats_single_value (dir, max, &e->max);
  if (!stats_single_value (dir, limit, &e->limit))
    e->limit = 0;
  if (!stats_single_value (dir, failcnt, &e->failcnt))
    e->failcnt = 0;
  return true;
}

static void
v1_memory (yajl_gen g, const char *dir)
{
  static const char *const entries[][2] = { { "usage", "memory" },
                                            { "swap", "memory.memsw" },
                                            { "kernel", "memory.kmem" },
                                            { "kernelTCP", "memory.kmem.tcp" } };
  _cleanup_free_ char *stat = stats_read (dir, "memory.stat");
  struct stats_memory_entry e;
  unsigned long long v;

  if (!v1_memory_entry (dir, "memory", &e))
    return;
  stats_key (g, "memory");
  yajl_gen_map_open (g);
  /* runc's cache is the cgroup's own "cache" line, not total_cache. */
  if (cgroup_keyed_value (dir, "memory.stat", "cache", &v))
    stats_num (g, "cache", v);
  for (size_t i = 0; i < ARRAY_SIZE (entries); i++)
    if (v1_memory_entry (dir, entries[i][1], &e))
      stats_gen_memory_entry (g, entries[i][0], &e);
  if (stat)
    stats_gen_raw (g, stat);
  yajl_gen_map_close (g);
}

/* The arrays of runc's Blkio, in its JSON order. */
enum
{
  BLKIO_SERVICE_BYTES,
  BLKIO_SERVICED,
  BLKIO_QUEUED,
  BLKIO_SERVICE_TIME,
  BLKIO_WAIT_TIME,
  BLKIO_MERGED,
  BLKIO_TIME,
  BLKIO_SECTORS,
  BLKIO_FIELDS
};

static const char *const blkio_names[BLKIO_FIELDS]
    = { "ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive",
        "ioServiceTimeRecursive",  "ioWaitTimeRecursive", "ioMergedRecursive",
        "ioTimeRecursive",         "sectorsRecursive" };

struct blkio_source
{
  const char *file;
  int field;
};

/* runc's order of choice: bfq's debug files, bfq, cfq, the throttle
 * recursive files, the throttle files of the cgroup alone.  The first group
 * whose first file has entries is read; a later empty file ends it. */
static const struct blkio_source blkio_bfq_debug[]
    = { { "blkio.bfq.sectors_recursive", BLKIO_SECTORS },
        { "blkio.bfq.io_service_time_recursive", BLKIO_SERVICE_TIME },
        { "blkio.bfq.io_wait_time_recursive", BLKIO_WAIT_TIME },
        { "blkio.bfq.io_merged_recursive", BLKIO_MERGED },
        { "blkio.bfq.io_queued_recursive", BLKIO_QUEUED },
        { "blkio.bfq.time_recursive", BLKIO_TIME },
        { "blkio.bfq.io_serviced_recursive", BLKIO_SERVICED },
        { "blkio.bfq.io_service_bytes_recursive", BLKIO_SERVICE_BYTES },
        { NULL, 0 } };
static const struct blkio_source blkio_bfq[]
    = { { "blkio.bfq.io_serviced_recursive", BLKIO_SERVICED },
        { "blkio.bfq.io_service_bytes_recursive", BLKIO_SERVICE_BYTES },
        { NULL, 0 } };
static const struct blkio_source blkio_cfq[]
    = { { "blkio.sectors_recursive", BLKIO_SECTORS },
        { "blkio.io_service_time_recursive", BLKIO_SERVICE_TIME },
        { "blkio.io_wait_time_recursive", BLKIO_WAIT_TIME },
        { "blkio.io_merged_recursive", BLKIO_MERGED },
        { "blkio.io_queued_recursive", BLKIO_QUEUED },
        { "blkio.time_recursive", BLKIO_TIME },
        { "blkio.io_serviced_recursive", BLKIO_SERVICED },
        { "blkio.io_service_bytes_recursive", BLKIO_SERVICE_BYTES },
        { NULL, 0 } };
static const struct blkio_source blkio_throttle_recursive[]
    = { { "blkio.throttle.io_serviced_recursive", BLKIO_SERVICED },
        { "blkio.throttle.io_service_bytes_recursive", BLKIO_SERVICE_BYTES },
        { NULL, 0 } };
static const struct blkio_source blkio_throttle[]
    = { { "blkio.throttle.io_serviced", BLKIO_SERVICED },
        { "blkio.throttle.io_service_bytes", BLKIO_SERVICE_BYTES },
        { NULL, 0 } };
static const struct blkio_source *const blkio_groups[]
    = { blkio_bfq_debug, blkio_bfq, blkio_cfq, blkio_throttle_recursive, blkio_throttle };

/* One line "MAJ:MIN OP VALUE" or "MAJ:MIN VALUE" (sectors, time); false for
 * anything else, such as the closing "Total N". */
static bool
blkio_line (const char *l, unsigned *major, unsigned *minor, char op[static 16],
            unsigned long long *value)
{
  char line[128], *end;

  if (!copy_line (l, line, sizeof line))
    return false;
  switch (sscanf (line, "%u:%u %15s %llu", major, minor, op, value))
    {
    case 4:
      return true;
    case 3:
      *value = strtoull (op, &end, 10);
      op[0] = '\0';
      return *end == '\0';
    default:
      return false;
    }
}

static bool
blkio_has_entries (const char *text)
{
  for (const char *l = text; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    {
      unsigned major, minor;
      unsigned long long value;
      char op[16];
      if (blkio_line (l, &major, &minor, op, &value))
        return true;
    }
  return false;
}

static void
gen_blkio_array (yajl_gen g, const char *name, const char *text)
{
  stats_key (g, name);
  yajl_gen_array_open (g);
  for (const char *l = text; *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : "")
    {
      unsigned major, minor;
      unsigned long long value;
      char op[16];
      if (blkio_line (l, &major, &minor, op, &value))
        stats_gen_blkio_entry (g, major, minor, op[0] ? op : NULL, value);
    }
  yajl_gen_array_close (g);
}

/* The files of the first group that has entries, by field. */
static void
blkio_choose (const char *dir, char *texts[BLKIO_FIELDS])
{
  for (size_t i = 0; i < ARRAY_SIZE (blkio_groups); i++)
    {
      for (const struct blkio_source *s = blkio_groups[i]; s->file; s++)
        {
          char *text = stats_read (dir, s->file);
          if (!text || !blkio_has_entries (text))
            {
              free (text);
              break;
            }
          texts[s->field] = text;
        }
      for (int f = 0; f < BLKIO_FIELDS; f++)
        if (texts[f])
          return;
    }
}

static void
v1_blkio (yajl_gen g, const char *dir)
{
  char *texts[BLKIO_FIELDS] = { NULL };

  blkio_choose (dir, texts);
  stats_key (g, "blkio");
  yajl_gen_map_open (g);
  for (int f = 0; f < BLKIO_FIELDS; f++)
    if (texts[f])
      {
        gen_blkio_array (g, blkio_names[f], texts[f]);
        free (texts[f]);
      }
  yajl_gen_map_close (g);
}

static void
v1_hugetlb_size (yajl_gen g, const char *dir, const char *size)
{
  _cleanup_free_ char *usage = xasprintf ("hugetlb.%s.usage_in_bytes", size);
  _cleanup_free_ char *max = xasprintf ("hugetlb.%s.max_usage_in_bytes", size);
  _cleanup_free_ char *failcnt = xasprintf ("hugetlb.%s.failcnt", size);
  unsigned long long v;

  if (stats_single_value (dir, usage, &v))
    stats_num (g, "usage", v);
  if (stats_single_value (dir, max, &v))
    stats_num (g, "max", v);
  stats_num (g, "failcnt", stats_single_value (dir, failcnt, &v) ? v : 0);
}

static void
v1_hugetlb (yajl_gen g, const char *dir)
{
  stats_gen_hugetlb (g, dir, "usage_in_bytes", v1_hugetlb_size);
}

/* Is the controller bound to the v2 hierarchy and there for the
 * container's v2 cgroup? */
static bool
v2_offers (const char *v2_path, const char *controller)
{
  _cleanup_free_ char *list = v2_path ? stats_read (v2_path, "cgroup.controllers") : NULL;

  return list && cgroup_word_in (list, controller);
}

/* Each section but cpu: its v1 controller, else its v2 one. */
static const struct
{
  const char *v1, *v2;
  void (*gen_v1) (yajl_gen g, const char *dir);
  void (*gen_v2) (yajl_gen g, const char *path);
} sections[] = {
  { "memory", "memory", v1_memory, stats_v2_memory },
  { "pids", "pids", stats_gen_pids, stats_gen_pids },
  { "blkio", "io", v1_blkio, stats_v2_blkio },
  { "hugetlb", "hugetlb", v1_hugetlb, stats_v2_hugetlb },
};

char *
cgroup_stats_event_v1 (const char *id, const char *(*dir_of) (const char *controller, void *arg),
                       void *arg, const char *v2_path)
{
  yajl_gen g = stats_event_begin (id);
  const char *cpu = dir_of ("cpu", arg), *cpuacct = dir_of ("cpuacct", arg);

  if (cpu || cpuacct)
    v1_cpu (g, cpu, cpuacct);
  else if (v2_offers (v2_path, "cpu"))
    stats_v2_cpu (g, v2_path);
  for (size_t i = 0; i < ARRAY_SIZE (sections); i++)
    {
      const char *dir = dir_of (sections[i].v1, arg);
      if (dir)
        sections[i].gen_v1 (g, dir);
      else if (v2_offers (v2_path, sections[i].v2))
        sections[i].gen_v2 (g, v2_path);
    }
  return stats_event_end (g);
}
