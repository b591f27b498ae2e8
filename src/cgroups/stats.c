#include "stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "src/base/util.h"
#include "oci/json-gen.h"

static char *
read_cg (const char *path, const char *file)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", path, file);
  tong_error ignored;
  char *text = NULL;

  if (read_file_at (AT_FDCWD, p, &text, NULL, &ignored) < 0)
    return NULL;
  return text;
}

/* A single-value file: a number, or "max" (UINT64_MAX, as runc reports it). */
static bool
single_value (const char *path, const char *file, unsigned long long *v)
{
  _cleanup_free_ char *text = read_cg (path, file);

  if (!text)
    return false;
  *v = strncmp (text, "max", 3) == 0 ? UINT64_MAX : strtoull (text, NULL, 10);
  return true;
}

bool
cgroup_keyed_value (const char *path, const char *file, const char *key, unsigned long long *value)
{
  _cleanup_free_ char *text = read_cg (path, file);
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

static void
key (yajl_gen g, const char *k)
{
  yajl_gen_string (g, (const unsigned char *) k, strlen (k));
}

static void
num (yajl_gen g, const char *k, unsigned long long v)
{
  key (g, k);
  json_gen_integer (g, (long long) v);
}

/* yajl has no unsigned integers: UINT64_MAX is written as its digits. */
static void
unum (yajl_gen g, const char *k, unsigned long long v)
{
  char buf[32];
  int n = str_format (buf, sizeof buf, "%llu", v);
  key (g, k);
  yajl_gen_number (g, buf, (size_t) n);
}

static void
gen_cpu (yajl_gen g, const char *path)
{
  unsigned long long v;

  key (g, "cpu");
  yajl_gen_map_open (g);
  key (g, "usage");
  yajl_gen_map_open (g);
  if (cgroup_keyed_value (path, "cpu.stat", "usage_usec", &v))
    num (g, "total", v * 1000);
  if (cgroup_keyed_value (path, "cpu.stat", "system_usec", &v))
    num (g, "kernel", v * 1000);
  if (cgroup_keyed_value (path, "cpu.stat", "user_usec", &v))
    num (g, "user", v * 1000);
  yajl_gen_map_close (g);
  key (g, "throttling");
  yajl_gen_map_open (g);
  if (cgroup_keyed_value (path, "cpu.stat", "nr_periods", &v))
    num (g, "periods", v);
  if (cgroup_keyed_value (path, "cpu.stat", "nr_throttled", &v))
    num (g, "throttledPeriods", v);
  if (cgroup_keyed_value (path, "cpu.stat", "throttled_usec", &v))
    num (g, "throttledTime", v * 1000);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
}

static void
gen_raw (yajl_gen g, const char *text)
{
  key (g, "raw");
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

static void
gen_memory (yajl_gen g, const char *path)
{
  _cleanup_free_ char *stat = read_cg (path, "memory.stat");
  unsigned long long usage, limit, v, swap, swap_limit;

  if (!single_value (path, "memory.current", &usage))
    return;
  key (g, "memory");
  yajl_gen_map_open (g);
  if (cgroup_keyed_value (path, "memory.stat", "file", &v))
    num (g, "cache", v);
  key (g, "usage");
  yajl_gen_map_open (g);
  if (!single_value (path, "memory.max", &limit))
    limit = UINT64_MAX;
  unum (g, "limit", limit);
  num (g, "usage", usage);
  if (single_value (path, "memory.peak", &v))
    num (g, "max", v);
  num (g, "failcnt", cgroup_keyed_value (path, "memory.events", "max", &v) ? v : 0);
  yajl_gen_map_close (g);
  /* As runc reports swap on cgroup v2: memory plus swap, like v1's memsw. */
  if (single_value (path, "memory.swap.current", &swap))
    {
      key (g, "swap");
      yajl_gen_map_open (g);
      if (!single_value (path, "memory.swap.max", &swap_limit))
        swap_limit = UINT64_MAX;
      unum (g, "limit",
            swap_limit == UINT64_MAX || limit == UINT64_MAX ? UINT64_MAX : swap_limit + limit);
      num (g, "usage", swap + usage);
      num (g, "failcnt", cgroup_keyed_value (path, "memory.swap.events", "fail", &v) ? v : 0);
      yajl_gen_map_close (g);
    }
  if (stat)
    gen_raw (g, stat);
  yajl_gen_map_close (g);
}

static void
gen_pids (yajl_gen g, const char *path)
{
  unsigned long long current, limit;

  if (!single_value (path, "pids.current", &current))
    return;
  key (g, "pids");
  yajl_gen_map_open (g);
  num (g, "current", current);
  if (single_value (path, "pids.max", &limit) && limit != UINT64_MAX)
    num (g, "limit", limit);
  yajl_gen_map_close (g);
}

/* io.stat lines: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
static void
gen_blkio_entries (yajl_gen g, const char *text, const char *name, const char *rkey,
                   const char *wkey)
{
  key (g, name);
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
          yajl_gen_map_open (g);
          num (g, "major", maj);
          num (g, "minor", min);
          key (g, "op");
          yajl_gen_string (g, (const unsigned char *) (w ? "Write" : "Read"), w ? 5 : 4);
          num (g, "value", strtoull (at + strlen (k), NULL, 10));
          yajl_gen_map_close (g);
        }
    }
  yajl_gen_array_close (g);
}

static void
gen_blkio (yajl_gen g, const char *path)
{
  _cleanup_free_ char *text = read_cg (path, "io.stat");

  key (g, "blkio");
  yajl_gen_map_open (g);
  if (text && *text)
    {
      gen_blkio_entries (g, text, "ioServiceBytesRecursive", "rbytes=", "wbytes=");
      gen_blkio_entries (g, text, "ioServicedRecursive", "rios=", "wios=");
    }
  yajl_gen_map_close (g);
}

static int
name_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
gen_hugetlb (yajl_gen g, const char *path)
{
  DIR *d = opendir (path);
  struct dirent *e;
  char **sizes = NULL;
  size_t n = 0;

  key (g, "hugetlb");
  yajl_gen_map_open (g);
  while (d && (e = readdir (d)))
    {
      size_t len = strlen (e->d_name);
      if (strncmp (e->d_name, "hugetlb.", 8) == 0 && len > 16
          && strcmp (e->d_name + len - 8, ".current") == 0 && !strstr (e->d_name, ".rsvd."))
        {
          sizes = xrealloc (sizes, (n + 1) * sizeof *sizes);
          sizes[n++] = xasprintf ("%.*s", (int) (len - 16), e->d_name + 8);
        }
    }
  if (d)
    closedir (d);
  if (n)
    qsort (sizes, n, sizeof *sizes, name_cmp);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *cur = xasprintf ("hugetlb.%s.current", sizes[i]);
      _cleanup_free_ char *max = xasprintf ("hugetlb.%s.max", sizes[i]);
      _cleanup_free_ char *events = xasprintf ("hugetlb.%s.events", sizes[i]);
      unsigned long long v;
      key (g, sizes[i]);
      yajl_gen_map_open (g);
      if (single_value (path, cur, &v))
        num (g, "usage", v);
      if (single_value (path, max, &v))
        unum (g, "max", v);
      num (g, "failcnt", cgroup_keyed_value (path, events, "max", &v) ? v : 0);
      yajl_gen_map_close (g);
      free (sizes[i]);
    }
  free (sizes);
  yajl_gen_map_close (g);
}

char *
cgroup_stats_event (const char *path, const char *id)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t len;
  char *out;

  yajl_gen_map_open (g);
  key (g, "type");
  yajl_gen_string (g, (const unsigned char *) "stats", 5);
  key (g, "id");
  yajl_gen_string (g, (const unsigned char *) id, strlen (id));
  key (g, "data");
  yajl_gen_map_open (g);
  gen_cpu (g, path);
  gen_memory (g, path);
  gen_pids (g, path);
  gen_blkio (g, path);
  gen_hugetlb (g, path);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  yajl_gen_get_buf (g, &buf, &len);
  out = xasprintf ("%.*s", (int) len, (const char *) buf);
  yajl_gen_free (g);
  return out;
}
