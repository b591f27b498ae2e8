#include "stats.h"
#include "stats-json.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "src/base/util.h"
#include "oci/json-gen.h"

char *
stats_read (const char *dir, const char *file)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", dir, file);
  tong_error ignored;
  char *text = NULL;

  if (read_file_at (AT_FDCWD, p, &text, NULL, &ignored) < 0)
    return NULL;
  return text;
}

bool
stats_single_value (const char *dir, const char *file, unsigned long long *v)
{
  _cleanup_free_ char *text = stats_read (dir, file);

  if (!text)
    return false;
  *v = strncmp (text, "max", 3) == 0 ? UINT64_MAX : strtoull (text, NULL, 10);
  return true;
}

bool
cgroup_keyed_value (const char *path, const char *file, const char *key, unsigned long long *value)
{
  _cleanup_free_ char *text = stats_read (path, file);
  size_t klen = strlen (key);

  for (char *l = text; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    if (strncmp (l, key, klen) == 0 && l[klen] == ' ')
      {
        *value = strtoull (l + klen + 1, NULL, 10);
        return true;
      }
  return false;
}

bool
cgroup_oom_kills (const char *path, unsigned long long *count)
{
  return cgroup_keyed_value (path, "memory.events", "oom_kill", count);
}

void
stats_key (yajl_gen g, const char *k)
{
  yajl_gen_string (g, (const unsigned char *) k, strlen (k));
}

void
stats_num (yajl_gen g, const char *k, unsigned long long v)
{
  stats_key (g, k);
  json_gen_integer (g, (long long) v);
}

/* yajl has no unsigned integers: UINT64_MAX is written as its digits. */
void
stats_unum (yajl_gen g, const char *k, unsigned long long v)
{
  char buf[32];
  int n = str_format (buf, sizeof buf, "%llu", v);
  stats_key (g, k);
  yajl_gen_number (g, buf, (size_t) n);
}

yajl_gen
stats_event_begin (const char *id)
{
  yajl_gen g = yajl_gen_alloc (NULL);

  yajl_gen_map_open (g);
  stats_key (g, "type");
  yajl_gen_string (g, (const unsigned char *) "stats", 5);
  stats_key (g, "id");
  yajl_gen_string (g, (const unsigned char *) id, strlen (id));
  stats_key (g, "data");
  yajl_gen_map_open (g);
  return g;
}

char *
stats_event_end (yajl_gen g)
{
  const unsigned char *buf;
  size_t len;
  char *out;

  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  yajl_gen_get_buf (g, &buf, &len);
  out = xasprintf ("%.*s", (int) len, (const char *) buf);
  yajl_gen_free (g);
  return out;
}

void
stats_gen_throttling (yajl_gen g, const char *dir, const char *time_key, unsigned long long scale)
{
  unsigned long long v;

  stats_key (g, "throttling");
  yajl_gen_map_open (g);
  if (cgroup_keyed_value (dir, "cpu.stat", "nr_periods", &v))
    stats_num (g, "periods", v);
  if (cgroup_keyed_value (dir, "cpu.stat", "nr_throttled", &v))
    stats_num (g, "throttledPeriods", v);
  if (cgroup_keyed_value (dir, "cpu.stat", time_key, &v))
    stats_num (g, "throttledTime", v * scale);
  yajl_gen_map_close (g);
}

void
stats_v2_cpu (yajl_gen g, const char *path)
{
  unsigned long long v;

  stats_key (g, "cpu");
  yajl_gen_map_open (g);
  stats_key (g, "usage");
  yajl_gen_map_open (g);
  if (cgroup_keyed_value (path, "cpu.stat", "usage_usec", &v))
    stats_num (g, "total", v * 1000);
  if (cgroup_keyed_value (path, "cpu.stat", "system_usec", &v))
    stats_num (g, "kernel", v * 1000);
  if (cgroup_keyed_value (path, "cpu.stat", "user_usec", &v))
    stats_num (g, "user", v * 1000);
  yajl_gen_map_close (g);
  stats_gen_throttling (g, path, "throttled_usec", 1000);
  yajl_gen_map_close (g);
}

void
stats_gen_memory_entry (yajl_gen g, const char *name, const struct stats_memory_entry *e)
{
  stats_key (g, name);
  yajl_gen_map_open (g);
  stats_unum (g, "limit", e->limit);
  stats_num (g, "usage", e->usage);
  if (e->has_max)
    stats_num (g, "max", e->max);
  stats_num (g, "failcnt", e->failcnt);
  yajl_gen_map_close (g);
}

void
stats_gen_raw (yajl_gen g, const char *text)
{
  stats_key (g, "raw");
  yajl_gen_map_open (g);
  for (const char *l = text; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    {
      const char *sp = strchr (l, ' '), *nl = strchr (l, '\n');
      if (!sp || (nl && sp > nl))
        continue;
      yajl_gen_string (g, (const unsigned char *) l, (size_t) (sp - l));
      json_gen_integer (g, strtoll (sp + 1, NULL, 10));
    }
  yajl_gen_map_close (g);
}

/* As runc reports swap on cgroup v2: memory plus swap, like v1's memsw. */
static void
v2_swap (yajl_gen g, const char *path, const struct stats_memory_entry *usage)
{
  struct stats_memory_entry swap = { 0 };
  unsigned long long current, limit, v;

  if (!stats_single_value (path, "memory.swap.current", &current))
    return;
  if (!stats_single_value (path, "memory.swap.max", &limit))
    limit = UINT64_MAX;
  swap.limit
      = limit == UINT64_MAX || usage->limit == UINT64_MAX ? UINT64_MAX : limit + usage->limit;
  swap.usage = current + usage->usage;
  swap.failcnt = cgroup_keyed_value (path, "memory.swap.events", "fail", &v) ? v : 0;
  stats_gen_memory_entry (g, "swap", &swap);
}

void
stats_v2_memory (yajl_gen g, const char *path)
{
  _cleanup_free_ char *stat = stats_read (path, "memory.stat");
  struct stats_memory_entry usage = { 0 };
  unsigned long long v;

  if (!stats_single_value (path, "memory.current", &usage.usage))
    return;
  stats_key (g, "memory");
  yajl_gen_map_open (g);
  if (cgroup_keyed_value (path, "memory.stat", "file", &v))
    stats_num (g, "cache", v);
  if (!stats_single_value (path, "memory.max", &usage.limit))
    usage.limit = UINT64_MAX;
  usage.has_max = stats_single_value (path, "memory.peak", &usage.max);
  usage.failcnt = cgroup_keyed_value (path, "memory.events", "max", &v) ? v : 0;
  stats_gen_memory_entry (g, "usage", &usage);
  v2_swap (g, path, &usage);
  if (stat)
    stats_gen_raw (g, stat);
  yajl_gen_map_close (g);
}

void
stats_gen_pids (yajl_gen g, const char *dir)
{
  unsigned long long current, limit;

  if (!stats_single_value (dir, "pids.current", &current))
    return;
  stats_key (g, "pids");
  yajl_gen_map_open (g);
  stats_num (g, "current", current);
  if (stats_single_value (dir, "pids.max", &limit) && limit != UINT64_MAX)
    stats_num (g, "limit", limit);
  yajl_gen_map_close (g);
}

void
stats_gen_blkio_entry (yajl_gen g, unsigned major, unsigned minor, const char *op,
                       unsigned long long value)
{
  yajl_gen_map_open (g);
  stats_num (g, "major", major);
  stats_num (g, "minor", minor);
  if (op)
    {
      stats_key (g, "op");
      yajl_gen_string (g, (const unsigned char *) op, strlen (op));
    }
  stats_num (g, "value", value);
  yajl_gen_map_close (g);
}

/* io.stat lines: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
static void
v2_blkio_entries (yajl_gen g, const char *text, const char *name, const char *rkey,
                  const char *wkey)
{
  stats_key (g, name);
  yajl_gen_array_open (g);
  for (const char *l = text; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    {
      unsigned maj, min;
      if (sscanf (l, "%u:%u", &maj, &min) != 2)
        continue;
      for (int w = 0; w < 2; w++)
        {
          const char *k = w ? wkey : rkey, *end = strchr (l, '\n'), *at = strstr (l, k);
          if (!at || (end && at > end))
            continue;
          stats_gen_blkio_entry (g, maj, min, w ? "Write" : "Read",
                                 strtoull (at + strlen (k), NULL, 10));
        }
    }
  yajl_gen_array_close (g);
}

void
stats_v2_blkio (yajl_gen g, const char *path)
{
  _cleanup_free_ char *text = stats_read (path, "io.stat");

  stats_key (g, "blkio");
  yajl_gen_map_open (g);
  if (text && *text)
    {
      v2_blkio_entries (g, text, "ioServiceBytesRecursive", "rbytes=", "wbytes=");
      v2_blkio_entries (g, text, "ioServicedRecursive", "rios=", "wios=");
    }
  yajl_gen_map_close (g);
}

static int
name_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The SIZE of "hugetlb.SIZE.SUFFIX", or NULL for any other name (also the
 * reservation files hugetlb.SIZE.rsvd.SUFFIX). */
static char *
hugetlb_size_of (const char *name, const char *suffix)
{
  size_t len = strlen (name), slen = strlen (suffix);
  const char *size = name + 8;
  size_t size_len;

  if (strncmp (name, "hugetlb.", 8) != 0 || len <= 8 + 1 + slen
      || strcmp (name + len - slen, suffix) != 0 || name[len - slen - 1] != '.')
    return NULL;
  size_len = len - 8 - 1 - slen;
  if (memchr (size, '.', size_len))
    return NULL;
  return xasprintf ("%.*s", (int) size_len, size);
}

void
stats_gen_hugetlb (yajl_gen g, const char *dir, const char *suffix,
                   void (*entry) (yajl_gen g, const char *dir, const char *size))
{
  DIR *d = opendir (dir);
  struct dirent *e;
  char **sizes = NULL, *size;
  size_t n = 0;

  stats_key (g, "hugetlb");
  yajl_gen_map_open (g);
  while (d && (e = readdir (d)))
    if ((size = hugetlb_size_of (e->d_name, suffix)))
      {
        sizes = xrealloc (sizes, (n + 1) * sizeof *sizes);
        sizes[n++] = size;
      }
  if (d)
    closedir (d);
  if (n)
    qsort (sizes, n, sizeof *sizes, name_cmp);
  for (size_t i = 0; i < n; i++)
    {
      stats_key (g, sizes[i]);
      yajl_gen_map_open (g);
      entry (g, dir, sizes[i]);
      yajl_gen_map_close (g);
      free (sizes[i]);
    }
  free (sizes);
  yajl_gen_map_close (g);
}

static void
v2_hugetlb_size (yajl_gen g, const char *path, const char *size)
{
  _cleanup_free_ char *cur = xasprintf ("hugetlb.%s.current", size);
  _cleanup_free_ char *max = xasprintf ("hugetlb.%s.max", size);
  _cleanup_free_ char *events = xasprintf ("hugetlb.%s.events", size);
  unsigned long long v;

  if (stats_single_value (path, cur, &v))
    stats_num (g, "usage", v);
  if (stats_single_value (path, max, &v))
    stats_unum (g, "max", v);
  stats_num (g, "failcnt", cgroup_keyed_value (path, events, "max", &v) ? v : 0);
}

void
stats_v2_hugetlb (yajl_gen g, const char *path)
{
  stats_gen_hugetlb (g, path, "current", v2_hugetlb_size);
}

char *
cgroup_stats_event (const char *path, const char *id)
{
  yajl_gen g = stats_event_begin (id);

  stats_v2_cpu (g, path);
  stats_v2_memory (g, path);
  stats_gen_pids (g, path);
  stats_v2_blkio (g, path);
  stats_v2_hugetlb (g, path);
  return stats_event_end (g);
}
