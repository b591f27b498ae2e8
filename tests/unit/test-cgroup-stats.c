/* Unit tests of `events` stats: cgroup v2 files in a temporary directory in,
 * runc's JSON out (field names of runc's types/events.go). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "src/cgroups/stats.h"
#include "src/base/util.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/tong-test-stats.XXXXXX";

static void
put (const char *file, const char *text)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", dir, file);
  tong_error err;
  CHECK (write_file_atomic_at (AT_FDCWD, p, text, strlen (text), 0644, &err) == 0);
}

static long long
num_at (yajl_val root, const char **path)
{
  yajl_val v = yajl_tree_get (root, path, yajl_t_number);
  return v ? YAJL_GET_INTEGER (v) : -1;
}

static void
test_stats_json (void)
{
  _cleanup_free_ char *line = NULL;
  char msg[256];
  yajl_val root;

  put ("cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\n"
                   "nr_throttled 4\nthrottled_usec 30\n");
  put ("memory.current", "4096\n");
  put ("memory.max", "max\n");
  put ("memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
  put ("memory.stat", "anon 1024\nfile 2048\n");
  put ("pids.current", "3\n");
  put ("pids.max", "20\n");
  put ("io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n");
  put ("hugetlb.2MB.current", "0\n");
  put ("hugetlb.2MB.max", "4194304\n");
  line = cgroup_stats_event (dir, "c1");
  root = yajl_tree_parse (line, msg, sizeof msg);
  CHECK (root != NULL);
  if (!root)
    return;
  CHECK (strncmp (line, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{", 34) == 0);
  CHECK (num_at (root, (const char *[]){ "data", "cpu", "usage", "total", NULL }) == 1500000);
  CHECK (num_at (root, (const char *[]){ "data", "cpu", "usage", "kernel", NULL }) == 500000);
  CHECK (num_at (root, (const char *[]){ "data", "cpu", "usage", "user", NULL }) == 1000000);
  CHECK (num_at (root, (const char *[]){ "data", "cpu", "throttling", "throttledPeriods", NULL })
         == 4);
  CHECK (num_at (root, (const char *[]){ "data", "cpu", "throttling", "throttledTime", NULL })
         == 30000);
  CHECK (num_at (root, (const char *[]){ "data", "memory", "usage", "usage", NULL }) == 4096);
  CHECK (num_at (root, (const char *[]){ "data", "memory", "usage", "failcnt", NULL }) == 2);
  CHECK (num_at (root, (const char *[]){ "data", "memory", "cache", NULL }) == 2048);
  CHECK (num_at (root, (const char *[]){ "data", "memory", "raw", "anon", NULL }) == 1024);
  CHECK (strstr (line, "\"limit\":18446744073709551615") != NULL);
  CHECK (num_at (root, (const char *[]){ "data", "pids", "current", NULL }) == 3);
  CHECK (num_at (root, (const char *[]){ "data", "pids", "limit", NULL }) == 20);
  CHECK (strstr (line, "\"ioServiceBytesRecursive\":[{\"major\":8,\"minor\":0,\"op\":\"Read\","
                       "\"value\":100},{\"major\":8,\"minor\":0,\"op\":\"Write\",\"value\":200}]")
         != NULL);
  CHECK (num_at (root, (const char *[]){ "data", "hugetlb", "2MB", "max", NULL }) == 4194304);
  yajl_tree_free (root);
  {
    unsigned long long n = 0;
    CHECK (cgroup_oom_kills (dir, &n) && n == 1);
  }
}

static void
test_stats_without_controllers (void)
{
  _cleanup_free_ char *line = NULL;
  const char *gone[]
      = { "memory.current", "memory.max", "memory.events",       "memory.stat",    "pids.current",
          "pids.max",       "io.stat",    "hugetlb.2MB.current", "hugetlb.2MB.max" };
  unsigned long long n;

  for (size_t i = 0; i < ARRAY_SIZE (gone); i++)
    {
      _cleanup_free_ char *p = xasprintf ("%s/%s", dir, gone[i]);
      unlink (p);
    }
  line = cgroup_stats_event (dir, "c1");
  CHECK (strstr (line, "\"memory\"") == NULL && strstr (line, "\"pids\"") == NULL);
  CHECK (strstr (line, "\"blkio\":{}") != NULL && strstr (line, "\"hugetlb\":{}") != NULL);
  CHECK (strstr (line, "\"total\":1500000") != NULL);
  CHECK (!cgroup_oom_kills (dir, &n));
}

int
main (void)
{
  if (!mkdtemp (dir))
    return 1;
  RUN (test_stats_json);
  RUN (test_stats_without_controllers);
  {
    _cleanup_free_ char *cmd = xasprintf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      return 1;
  }
  return failures ? 1 : 0;
}
