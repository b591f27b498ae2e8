/* Unit tests of `events` stats on cgroup v1: fake controller directories
 * with the contents a real kernel writes in, runc's JSON out (field names of
 * runc's types/events.go, values as its v1 "fs" manager reads them). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "src/cgroups/stats.h"
#include "src/base/util.h"
#include "tests/unit/check.h"

static char root[] = "/tmp/tong-test-stats-v1.XXXXXX";

/* Which directory each controller has in a test: a NULL-ended list of
 * controller, directory pairs. */
struct mounts
{
  const char *pairs[16][2];
};

static const char *
dir_of (const char *controller, void *arg)
{
  struct mounts *m = arg;

  for (size_t i = 0; m->pairs[i][0]; i++)
    if (strcmp (m->pairs[i][0], controller) == 0)
      return m->pairs[i][1];
  return NULL;
}

static char *
sub (const char *name)
{
  char *p = xasprintf ("%s/%s", root, name);
  CHECK (mkdir (p, 0755) == 0);
  return p;
}

static void
put (const char *dir, const char *file, const char *text)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", dir, file);
  tong_error err;
  CHECK (write_file_atomic_at (AT_FDCWD, p, text, strlen (text), 0644, &err) == 0);
}

static long long
num_at (yajl_val tree, const char **path)
{
  yajl_val v = yajl_tree_get (tree, path, yajl_t_number);
  return v && YAJL_IS_INTEGER (v) ? YAJL_GET_INTEGER (v) : -1;
}

static bool
has (yajl_val tree, const char **path)
{
  return yajl_tree_get (tree, path, yajl_t_any) != NULL;
}

/* Does the array at path hold exactly the n integers of want? */
static bool
array_is (yajl_val tree, const char **path, const long long *want, size_t n)
{
  yajl_val a = yajl_tree_get (tree, path, yajl_t_array);

  if (!a || YAJL_GET_ARRAY (a)->len != n)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      yajl_val v = YAJL_GET_ARRAY (a)->values[i];
      if (!YAJL_IS_INTEGER (v) || YAJL_GET_INTEGER (v) != want[i])
        return false;
    }
  return true;
}

#define P(...) ((const char *[]){ "data", __VA_ARGS__, NULL })
#define L(...)                                                                                     \
  ((const long long[]){ __VA_ARGS__ }), ARRAY_SIZE (((const long long[]){ __VA_ARGS__ }))

static yajl_val
parse (const char *line)
{
  char msg[256];
  yajl_val tree = yajl_tree_parse (line, msg, sizeof msg);

  CHECK (tree != NULL);
  return tree;
}

/* cpuacct and cpu as this kernel writes them (two cpus). */
static void
fill_cpuacct (const char *d, bool usage_all)
{
  put (d, "cpuacct.usage", "85246739561\n");
  put (d, "cpuacct.usage_percpu", "35758743224 49490320537 \n");
  put (d, "cpuacct.usage_percpu_sys", "11715356934 18750927138 \n");
  put (d, "cpuacct.usage_percpu_user", "22936074233 29526206274 \n");
  if (usage_all)
    put (d, "cpuacct.usage_all",
         "cpu user system\n0 22936074233 11715356934\n1 29526206274 18750927138\n");
  put (d, "cpuacct.stat", "user 5392\nsystem 3131\n");
}

static void
fill_cpu (const char *d)
{
  put (d, "cpu.stat",
       "nr_periods 120\nnr_throttled 7\nthrottled_time 52000000\nnr_bursts 0\n"
       "burst_time 0\n");
}

static void
fill_memory (const char *d)
{
  static const char *const files[][2] = {
    { "memory.usage_in_bytes", "15654912\n" },
    { "memory.max_usage_in_bytes", "20000768\n" },
    { "memory.limit_in_bytes", "268435456\n" },
    { "memory.failcnt", "12\n" },
    { "memory.memsw.usage_in_bytes", "15663104\n" },
    { "memory.memsw.max_usage_in_bytes", "20008960\n" },
    { "memory.memsw.limit_in_bytes", "536870912\n" },
    { "memory.memsw.failcnt", "3\n" },
    { "memory.kmem.usage_in_bytes", "1167360\n" },
    { "memory.kmem.max_usage_in_bytes", "1347584\n" },
    { "memory.kmem.limit_in_bytes", "9223372036854771712\n" },
    { "memory.kmem.failcnt", "0\n" },
    { "memory.kmem.tcp.usage_in_bytes", "4096\n" },
    { "memory.kmem.tcp.max_usage_in_bytes", "8192\n" },
    { "memory.kmem.tcp.limit_in_bytes", "9223372036854771712\n" },
    { "memory.kmem.tcp.failcnt", "0\n" },
    { "memory.use_hierarchy", "1\n" },
    { "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n" },
    { "memory.stat", "cache 10903552\nrss 4751360\nrss_huge 0\nshmem 10551296\n"
                     "mapped_file 8843264\ndirty 28672\nwriteback 0\nswap 0\npgpgin 21119\n"
                     "pgpgout 17297\npgfault 24868\npgmajfault 0\ninactive_anon 0\n"
                     "active_anon 0\ninactive_file 49152\nactive_file 303104\n"
                     "unevictable 15302656\nhierarchical_memory_limit 268435456\n"
                     "hierarchical_memsw_limit 536870912\ntotal_cache 71049216\n"
                     "total_rss 13053952\n" },
  };

  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    put (d, files[i][0], files[i][1]);
}

/* The throttle files of a cgroup that read 2 MB: the recursive ones are
 * runc's choice over the cgroup's own. */
static void
fill_blkio (const char *d)
{
  put (d, "blkio.throttle.io_service_bytes_recursive",
       "8:0 Read 2162688\n8:0 Write 4096\n8:0 Sync 2166784\n8:0 Async 0\n8:0 Discard 0\n"
       "8:0 Total 2166784\nTotal 2166784\n");
  put (d, "blkio.throttle.io_serviced_recursive",
       "8:0 Read 51\n8:0 Write 1\n8:0 Sync 52\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 52\n"
       "Total 52\n");
  put (d, "blkio.throttle.io_service_bytes", "8:0 Read 99\n8:0 Total 99\nTotal 99\n");
  put (d, "blkio.throttle.io_serviced", "8:0 Read 9\n8:0 Total 9\nTotal 9\n");
  /* cfq's files exist on an old kernel even when its scheduler is not in
   * use, and are empty then. */
  put (d, "blkio.sectors_recursive", "");
}

static void
fill_hugetlb (const char *d)
{
  put (d, "hugetlb.2MB.usage_in_bytes", "2097152\n");
  put (d, "hugetlb.2MB.max_usage_in_bytes", "4194304\n");
  put (d, "hugetlb.2MB.limit_in_bytes", "9223372036854771712\n");
  put (d, "hugetlb.2MB.failcnt", "1\n");
  put (d, "hugetlb.2MB.rsvd.usage_in_bytes", "0\n");
  put (d, "hugetlb.1GB.usage_in_bytes", "0\n");
  put (d, "hugetlb.1GB.max_usage_in_bytes", "0\n");
  put (d, "hugetlb.1GB.failcnt", "0\n");
}

static void
check_cpu_usage (yajl_val t)
{
  CHECK (num_at (t, P ("cpu", "usage", "total")) == 85246739561LL);
  CHECK (array_is (t, P ("cpu", "usage", "percpu"), L (35758743224LL, 49490320537LL)));
  CHECK (array_is (t, P ("cpu", "usage", "percpu_kernel"), L (11715356934LL, 18750927138LL)));
  CHECK (array_is (t, P ("cpu", "usage", "percpu_user"), L (22936074233LL, 29526206274LL)));
  /* USER_HZ ticks (100 a second) to nanoseconds. */
  CHECK (num_at (t, P ("cpu", "usage", "kernel")) == 31310000000LL);
  CHECK (num_at (t, P ("cpu", "usage", "user")) == 53920000000LL);
}

static void
check_cpu_throttling (yajl_val t)
{
  CHECK (num_at (t, P ("cpu", "throttling", "periods")) == 120);
  CHECK (num_at (t, P ("cpu", "throttling", "throttledPeriods")) == 7);
  CHECK (num_at (t, P ("cpu", "throttling", "throttledTime")) == 52000000);
}

static void
check_memory_entry (yajl_val t, const char *name, long long limit, long long usage, long long max,
                    long long failcnt)
{
  CHECK (num_at (t, P ("memory", name, "limit")) == limit);
  CHECK (num_at (t, P ("memory", name, "usage")) == usage);
  CHECK (num_at (t, P ("memory", name, "max")) == max);
  CHECK (num_at (t, P ("memory", name, "failcnt")) == failcnt);
}

static void
check_memory (yajl_val t)
{
  /* The cgroup's own cache, as runc, not the hierarchy's total_cache. */
  CHECK (num_at (t, P ("memory", "cache")) == 10903552);
  check_memory_entry (t, "usage", 268435456, 15654912, 20000768, 12);
  check_memory_entry (t, "swap", 536870912, 15663104, 20008960, 3);
  check_memory_entry (t, "kernel", 9223372036854771712LL, 1167360, 1347584, 0);
  check_memory_entry (t, "kernelTCP", 9223372036854771712LL, 4096, 8192, 0);
  CHECK (num_at (t, P ("memory", "raw", "rss")) == 4751360);
  CHECK (num_at (t, P ("memory", "raw", "total_cache")) == 71049216);
  CHECK (num_at (t, P ("memory", "raw", "unevictable")) == 15302656);
  CHECK (num_at (t, P ("memory", "raw", "hierarchical_memsw_limit")) == 536870912);
  CHECK (YAJL_GET_OBJECT (yajl_tree_get (t, P ("memory", "raw"), yajl_t_object))->len == 21);
}

static void
check_blkio (const char *line)
{
  CHECK (strstr (line, "\"blkio\":{\"ioServiceBytesRecursive\":["
                       "{\"major\":8,\"minor\":0,\"op\":\"Read\",\"value\":2162688},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Write\",\"value\":4096},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Sync\",\"value\":2166784},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Async\",\"value\":0},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Discard\",\"value\":0},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Total\",\"value\":2166784}],"
                       "\"ioServicedRecursive\":["
                       "{\"major\":8,\"minor\":0,\"op\":\"Read\",\"value\":51},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Write\",\"value\":1},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Sync\",\"value\":52},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Async\",\"value\":0},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Discard\",\"value\":0},"
                       "{\"major\":8,\"minor\":0,\"op\":\"Total\",\"value\":52}]}")
         != NULL);
}

static void
test_v1_separate_mounts (void)
{
  _cleanup_free_ char *cpu = sub ("cpu"), *cpuacct = sub ("cpuacct"), *memory = sub ("memory");
  _cleanup_free_ char *pids = sub ("pids"), *blkio = sub ("blkio"), *hugetlb = sub ("hugetlb");
  struct mounts m = { { { "cpu", cpu },
                        { "cpuacct", cpuacct },
                        { "memory", memory },
                        { "pids", pids },
                        { "blkio", blkio },
                        { "hugetlb", hugetlb } } };
  _cleanup_free_ char *line = NULL;
  yajl_val t;

  fill_cpu (cpu);
  fill_cpuacct (cpuacct, true);
  fill_memory (memory);
  put (pids, "pids.current", "4\n");
  put (pids, "pids.max", "max\n");
  fill_blkio (blkio);
  fill_hugetlb (hugetlb);
  line = cgroup_stats_event_v1 ("c1", dir_of, &m, NULL);
  CHECK (strncmp (line, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"cpu\":", 40) == 0);
  if (!(t = parse (line)))
    return;
  check_cpu_usage (t);
  check_cpu_throttling (t);
  check_memory (t);
  CHECK (num_at (t, P ("pids", "current")) == 4);
  /* "max" is runc's 0, which its JSON leaves out. */
  CHECK (!has (t, P ("pids", "limit")));
  check_blkio (line);
  CHECK (num_at (t, P ("hugetlb", "2MB", "usage")) == 2097152);
  CHECK (num_at (t, P ("hugetlb", "2MB", "max")) == 4194304);
  CHECK (num_at (t, P ("hugetlb", "2MB", "failcnt")) == 1);
  CHECK (strstr (line, "\"hugetlb\":{\"1GB\":{\"usage\":0,\"max\":0,\"failcnt\":0},\"2MB\":")
         != NULL);
  CHECK (!has (t, P ("hugetlb", "2MB.rsvd")));
  yajl_tree_free (t);
}

/* cpu,cpuacct in one directory, on a kernel without cpuacct.usage_all. */
static void
test_v1_comounted_cpu (void)
{
  _cleanup_free_ char *both = sub ("cpu,cpuacct"), *pids = sub ("pids2");
  struct mounts m = { { { "cpu", both }, { "cpuacct", both }, { "pids", pids } } };
  _cleanup_free_ char *line = NULL;
  yajl_val t;

  fill_cpu (both);
  fill_cpuacct (both, false);
  put (pids, "pids.current", "17\n");
  put (pids, "pids.max", "64\n");
  line = cgroup_stats_event_v1 ("c2", dir_of, &m, NULL);
  if (!(t = parse (line)))
    return;
  check_cpu_usage (t);
  check_cpu_throttling (t);
  CHECK (num_at (t, P ("pids", "current")) == 17);
  CHECK (num_at (t, P ("pids", "limit")) == 64);
  CHECK (!has (t, P ("memory")) && !has (t, P ("blkio")) && !has (t, P ("hugetlb")));
  yajl_tree_free (t);
}

/* Only memory mounted: everything else is left out, cpu too; cpuacct alone
 * gives usage without throttling. */
static void
test_v1_missing_controllers (void)
{
  _cleanup_free_ char *memory = sub ("memory3"), *cpuacct = sub ("cpuacct3");
  struct mounts only_memory = { { { "memory", memory } } };
  struct mounts only_cpuacct = { { { "cpuacct", cpuacct } } };
  _cleanup_free_ char *line = NULL, *line2 = NULL;
  yajl_val t;

  fill_memory (memory);
  /* Without swap accounting (swapaccount=0) the memsw files are not there. */
  {
    static const char *const memsw[]
        = { "usage_in_bytes", "max_usage_in_bytes", "limit_in_bytes", "failcnt" };
    for (size_t i = 0; i < ARRAY_SIZE (memsw); i++)
      {
        _cleanup_free_ char *p = xasprintf ("%s/memory.memsw.%s", memory, memsw[i]);
        CHECK (unlink (p) == 0);
      }
  }
  line = cgroup_stats_event_v1 ("c3", dir_of, &only_memory, NULL);
  CHECK (strncmp (line, "{\"type\":\"stats\",\"id\":\"c3\",\"data\":{\"memory\":", 43) == 0);
  if (!(t = parse (line)))
    return;
  CHECK (!has (t, P ("cpu")) && !has (t, P ("pids")) && !has (t, P ("blkio"))
         && !has (t, P ("hugetlb")));
  CHECK (!has (t, P ("memory", "swap")));
  check_memory_entry (t, "usage", 268435456, 15654912, 20000768, 12);
  check_memory_entry (t, "kernelTCP", 9223372036854771712LL, 4096, 8192, 0);
  yajl_tree_free (t);

  fill_cpuacct (cpuacct, true);
  line2 = cgroup_stats_event_v1 ("c3", dir_of, &only_cpuacct, NULL);
  if (!(t = parse (line2)))
    return;
  check_cpu_usage (t);
  CHECK (!has (t, P ("cpu", "throttling")) && !has (t, P ("memory")));
  yajl_tree_free (t);
}

/* A hybrid host: hugetlb bound to the v2 hierarchy, read with the v2
 * readers; memory files in the v2 directory but the controller not there
 * (not in cgroup.controllers) are not read. */
static void
test_v1_hybrid_hugetlb (void)
{
  _cleanup_free_ char *cpu = sub ("cpu4"), *v2 = sub ("unified");
  struct mounts m = { { { "cpu", cpu }, { "cpuacct", cpu } } };
  _cleanup_free_ char *line = NULL, *none = NULL;
  yajl_val t;

  fill_cpu (cpu);
  fill_cpuacct (cpu, true);
  put (v2, "cgroup.controllers", "hugetlb\n");
  put (v2, "cpu.stat", "usage_usec 1\nuser_usec 1\nsystem_usec 0\n");
  put (v2, "memory.current", "4096\n");
  put (v2, "hugetlb.2MB.current", "2097152\n");
  put (v2, "hugetlb.2MB.max", "4194304\n");
  put (v2, "hugetlb.2MB.events", "max 3\n");
  put (v2, "hugetlb.2MB.rsvd.current", "0\n");
  line = cgroup_stats_event_v1 ("c4", dir_of, &m, v2);
  if (!(t = parse (line)))
    return;
  check_cpu_usage (t);
  CHECK (num_at (t, P ("hugetlb", "2MB", "usage")) == 2097152);
  CHECK (num_at (t, P ("hugetlb", "2MB", "max")) == 4194304);
  CHECK (num_at (t, P ("hugetlb", "2MB", "failcnt")) == 3);
  CHECK (YAJL_GET_OBJECT (yajl_tree_get (t, P ("hugetlb"), yajl_t_object))->len == 1);
  CHECK (!has (t, P ("memory")) && !has (t, P ("pids")) && !has (t, P ("blkio")));
  yajl_tree_free (t);

  /* Without a v2 path the same mounts give no hugetlb. */
  none = cgroup_stats_event_v1 ("c4", dir_of, &m, NULL);
  CHECK (strstr (none, "hugetlb") == NULL);
}

/* cfq's recursive files (sectors without an op) win over the throttle
 * files; bfq's, present but empty, are passed over. */
static void
test_v1_blkio_choice (void)
{
  _cleanup_free_ char *blkio = sub ("blkio5");
  struct mounts m = { { { "blkio", blkio } } };
  static const char *const cfq[][2] = {
    { "blkio.sectors_recursive", "8:0 4232\n8:16 8\n" },
    { "blkio.io_service_time_recursive", "8:0 Read 1000\n8:0 Total 1000\nTotal 1000\n" },
    { "blkio.io_wait_time_recursive", "8:0 Read 200\n8:0 Total 200\nTotal 200\n" },
    { "blkio.io_merged_recursive", "8:0 Read 3\n8:0 Total 3\nTotal 3\n" },
    { "blkio.io_queued_recursive", "8:0 Read 0\n8:0 Total 0\nTotal 0\n" },
    { "blkio.time_recursive", "8:0 77\n" },
    { "blkio.io_serviced_recursive", "8:0 Read 51\n8:0 Total 51\nTotal 51\n" },
    { "blkio.io_service_bytes_recursive", "8:0 Read 2166784\n8:0 Total 2166784\n"
                                          "Total 2166784\n" },
  };
  _cleanup_free_ char *line = NULL;
  yajl_val t;

  put (blkio, "blkio.bfq.io_serviced_recursive", "Total 0\n");
  put (blkio, "blkio.bfq.io_service_bytes_recursive", "Total 0\n");
  for (size_t i = 0; i < ARRAY_SIZE (cfq); i++)
    put (blkio, cfq[i][0], cfq[i][1]);
  put (blkio, "blkio.throttle.io_service_bytes_recursive", "8:0 Read 5\nTotal 5\n");
  put (blkio, "blkio.throttle.io_serviced_recursive", "8:0 Read 1\nTotal 1\n");
  line = cgroup_stats_event_v1 ("c5", dir_of, &m, NULL);
  if (!(t = parse (line)))
    return;
  CHECK (strstr (line, "\"sectorsRecursive\":[{\"major\":8,\"minor\":0,\"value\":4232},"
                       "{\"major\":8,\"minor\":16,\"value\":8}]")
         != NULL);
  CHECK (strstr (line, "\"ioTimeRecursive\":[{\"major\":8,\"minor\":0,\"value\":77}]") != NULL);
  CHECK (strstr (line, "\"ioServiceBytesRecursive\":[{\"major\":8,\"minor\":0,\"op\":\"Read\","
                       "\"value\":2166784},{\"major\":8,\"minor\":0,\"op\":\"Total\","
                       "\"value\":2166784}]")
         != NULL);
  CHECK (strstr (line, "\"ioServiceTimeRecursive\":[{\"major\":8,\"minor\":0,\"op\":\"Read\","
                       "\"value\":1000}")
         != NULL);
  CHECK (strstr (line, "\"ioWaitTimeRecursive\":[{\"major\":8,\"minor\":0,\"op\":\"Read\","
                       "\"value\":200}")
         != NULL);
  CHECK (strstr (line, "\"ioMergedRecursive\":[{\"major\":8,\"minor\":0,\"op\":\"Read\","
                       "\"value\":3}")
         != NULL);
  CHECK (strstr (line, "\"ioQueueRecursive\":[{\"major\":8,\"minor\":0,\"op\":\"Read\","
                       "\"value\":0}")
         != NULL);
  CHECK (strstr (line, "\"ioServicedRecursive\":[{\"major\":8,\"minor\":0,\"op\":\"Read\","
                       "\"value\":51}")
         != NULL);
  CHECK (YAJL_GET_OBJECT (yajl_tree_get (t, P ("blkio"), yajl_t_object))->len == 8);
  yajl_tree_free (t);
}

/* A blkio cgroup that has done no I/O: every file "Total 0", no arrays. */
static void
test_v1_blkio_idle (void)
{
  _cleanup_free_ char *blkio = sub ("blkio6");
  struct mounts m = { { { "blkio", blkio } } };
  _cleanup_free_ char *line = NULL;

  put (blkio, "blkio.throttle.io_service_bytes_recursive", "Total 0\n");
  put (blkio, "blkio.throttle.io_serviced_recursive", "Total 0\n");
  put (blkio, "blkio.throttle.io_service_bytes", "Total 0\n");
  put (blkio, "blkio.throttle.io_serviced", "Total 0\n");
  line = cgroup_stats_event_v1 ("c6", dir_of, &m, NULL);
  CHECK (strcmp (line, "{\"type\":\"stats\",\"id\":\"c6\",\"data\":{\"blkio\":{}}}") == 0);
}

static void
test_oom_kills_v1 (void)
{
  _cleanup_free_ char *d = sub ("memory7");
  unsigned long long n = 0;

  CHECK (!cgroup_oom_kills_v1 (d, &n));
  /* Before 4.13 the file has no oom_kill line; oom_kill_disable is not it. */
  put (d, "memory.oom_control", "oom_kill_disable 1\nunder_oom 0\n");
  CHECK (!cgroup_oom_kills_v1 (d, &n));
  put (d, "memory.oom_control", "oom_kill_disable 0\nunder_oom 1\noom_kill 5\n");
  CHECK (cgroup_oom_kills_v1 (d, &n) && n == 5);
}

int
main (void)
{
  if (!mkdtemp (root))
    return 1;
  RUN (test_v1_separate_mounts);
  RUN (test_v1_comounted_cpu);
  RUN (test_v1_missing_controllers);
  RUN (test_v1_hybrid_hugetlb);
  RUN (test_v1_blkio_choice);
  RUN (test_v1_blkio_idle);
  RUN (test_oom_kills_v1);
  {
    _cleanup_free_ char *cmd = xasprintf ("rm -rf '%s'", root);
    if (system (cmd) != 0)
      return 1;
  }
  return failures ? 1 : 0;
}
