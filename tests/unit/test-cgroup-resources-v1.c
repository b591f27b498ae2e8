/* Unit tests of the cgroup v1 plan (linux.resources in, per-subsystem file
 * writes out) and of its application to per-controller directories: plain
 * files in a temporary directory, no cgroup touched. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/config.h"
#include "src/base/files.h"
#include "src/base/util.h"
#include "src/cgroups/resources.h"
#include "tests/unit/check.h"

/* Plan the resources JSON; the writes as "controller:file=value" lines with
 * "|alt=value" and the flags (optional, default, retry), or the error. */
static char out[8192];

static void
format_plan (const struct cgroup_plan *p)
{
  size_t len = 0;

  out[0] = '\0';
  for (size_t i = 0; i < p->n && len < sizeof out; i++)
    {
      const struct cgroup_write *w = &p->writes[i];
      len += (size_t) snprintf (out + len, sizeof out - len, "%s%s:%s=%s%s%s%s%s%s%s%s",
                                i ? "\n" : "", w->controller ? w->controller : "-", w->file,
                                w->value, w->alt_file ? "|" : "", w->alt_file ? w->alt_file : "",
                                w->alt_file ? "=" : "", w->alt_value ? w->alt_value : "",
                                w->optional ? " (optional)" : "", w->is_default ? " (default)" : "",
                                w->retry_after_next ? " (retry)" : "");
    }
}

/* The plan's warning, or "" when it has none, for the last plan (). */
static char warning[1024];

static const char *
plan (const char *json)
{
  struct oci_resources *r = NULL;
  _cleanup_cgroup_plan_ struct cgroup_plan p = { 0 };
  tong_error err = { 0 };

  warning[0] = '\0';
  if (oci_resources_parse (json, strlen (json), "resources", &r, &err) < 0)
    {
      snprintf (out, sizeof out, "parse: %s", err.msg);
      return out;
    }
  if (cgroup_plan_resources_v1 (r, &p, &err) < 0)
    snprintf (out, sizeof out, "error: %s", err.msg);
  else
    {
      format_plan (&p);
      if (p.warning)
        snprintf (warning, sizeof warning, "%s", p.warning);
    }
  oci_resources_free (r);
  return out;
}

#define PLAN_IS(json, expect)                                                                      \
  do                                                                                               \
    {                                                                                              \
      const char *got_ = plan (json);                                                              \
      if (strcmp (got_, expect) != 0)                                                              \
        {                                                                                          \
          printf ("not ok - %s:%d: plan %s\n  got:  %s\n  want: %s\n", __FILE__, __LINE__, json,   \
                  got_, expect);                                                                   \
          failures++;                                                                              \
        }                                                                                          \
    }                                                                                              \
  while (0)

#define PLAN_FAILS(json, what)                                                                     \
  do                                                                                               \
    {                                                                                              \
      const char *got_ = plan (json);                                                              \
      if (strncmp (got_, "error: ", 7) != 0 || !strstr (got_, what))                               \
        {                                                                                          \
          printf ("not ok - %s:%d: plan %s should fail with \"%s\", got: %s\n", __FILE__,          \
                  __LINE__, json, what, got_);                                                     \
          failures++;                                                                              \
        }                                                                                          \
    }                                                                                              \
  while (0)

static void
test_plan_empty (void)
{
  PLAN_IS ("{}", "");
  /* device rules are the device controller's program, not writes here */
  PLAN_IS ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", "");
  PLAN_IS ("{\"memory\":{},\"cpu\":{},\"blockIO\":{},\"network\":{}}", "");
  CHECK (warning[0] == '\0');
}

static void
test_plan_memory (void)
{
  PLAN_IS ("{\"memory\":{\"limit\":1048576}}", "memory:memory.limit_in_bytes=1048576");
  /* -1 is the kernel's unlimited; memsw follows where the kernel counts swap */
  PLAN_IS ("{\"memory\":{\"limit\":-1}}", "memory:memory.limit_in_bytes=-1 (retry)\n"
                                          "memory:memory.memsw.limit_in_bytes=-1 (optional)");
  /* the spec's swap is memory+swap already: memsw takes it as is */
  PLAN_IS ("{\"memory\":{\"limit\":1000,\"swap\":3000}}",
           "memory:memory.limit_in_bytes=1000 (retry)\n"
           "memory:memory.memsw.limit_in_bytes=3000");
  PLAN_IS ("{\"memory\":{\"limit\":1000,\"swap\":1000}}",
           "memory:memory.limit_in_bytes=1000 (retry)\n"
           "memory:memory.memsw.limit_in_bytes=1000 (optional)");
  PLAN_IS ("{\"memory\":{\"limit\":1000,\"swap\":-1}}",
           "memory:memory.limit_in_bytes=1000 (retry)\n"
           "memory:memory.memsw.limit_in_bytes=-1 (optional)");
  /* swap alone (an update of it): the kernel checks it against the limit set before */
  PLAN_IS ("{\"memory\":{\"swap\":3000}}", "memory:memory.memsw.limit_in_bytes=3000");
  PLAN_FAILS ("{\"memory\":{\"limit\":2000,\"swap\":1000}}",
              "linux.resources.memory.swap: 1000 is below memory.limit 2000");
  PLAN_FAILS ("{\"memory\":{\"limit\":-2}}", "linux.resources.memory.limit: -2 is not a limit");
  PLAN_FAILS ("{\"memory\":{\"swap\":-5}}", "linux.resources.memory.swap: -5 is not a size");
  PLAN_FAILS ("{\"memory\":{\"reservation\":-3}}",
              "linux.resources.memory.reservation: -3 is not a size");
  PLAN_IS ("{\"memory\":{\"reservation\":4096}}", "memory:memory.soft_limit_in_bytes=4096");
  PLAN_IS ("{\"memory\":{\"reservation\":-1}}", "memory:memory.soft_limit_in_bytes=-1");
  PLAN_IS ("{\"memory\":{\"swappiness\":0}}", "memory:memory.swappiness=0");
  PLAN_IS ("{\"memory\":{\"swappiness\":60}}", "memory:memory.swappiness=60");
  PLAN_IS ("{\"memory\":{\"disableOOMKiller\":true}}", "memory:memory.oom_control=1");
  PLAN_IS ("{\"memory\":{\"disableOOMKiller\":false}}", "");
  PLAN_IS ("{\"memory\":{\"useHierarchy\":true}}", "memory:memory.use_hierarchy=1");
  PLAN_IS ("{\"memory\":{\"useHierarchy\":false}}", "memory:memory.use_hierarchy=0");
  CHECK (warning[0] == '\0');
}

/* The parser refuses a swappiness above 100; the planner does too, for a
 * struct that did not come through it. */
static void
test_plan_swappiness_range (void)
{
  struct oci_resources r = { 0 };
  _cleanup_cgroup_plan_ struct cgroup_plan p = { 0 };
  tong_error err = { 0 };

  r.memory.present = r.memory.has_swappiness = true;
  r.memory.swappiness = 101;
  CHECK (cgroup_plan_resources_v1 (&r, &p, &err) == -EINVAL);
  CHECK (strstr (err.msg, "linux.resources.memory.swappiness: 101 is out of range 0 to 100"));
  CHECK (p.n == 0 && p.writes == NULL);
  r.memory.swappiness = 100;
  CHECK (cgroup_plan_resources_v1 (&r, &p, &err) == 0);
  format_plan (&p);
  CHECK (strcmp (out, "memory:memory.swappiness=100") == 0);
}

static void
test_plan_kernel_memory_warning (void)
{
  PLAN_IS ("{\"memory\":{\"kernel\":1000000,\"limit\":2000000}}",
           "memory:memory.limit_in_bytes=2000000");
  CHECK (strstr (warning, "linux.resources.memory.kernel is deprecated and ignored"));
  PLAN_IS ("{\"memory\":{\"kernelTCP\":1000000}}", "");
  CHECK (strstr (warning, "linux.resources.memory.kernelTCP is deprecated and ignored"));
  PLAN_IS ("{\"memory\":{\"kernel\":-1,\"kernelTCP\":1}}", "");
  CHECK (strstr (warning, "memory.kernel and linux.resources.memory.kernelTCP are deprecated"));
  CHECK (strstr (warning, "no kernel memory limit"));
  PLAN_IS ("{\"memory\":{\"limit\":5000}}", "memory:memory.limit_in_bytes=5000");
  CHECK (warning[0] == '\0');
}

static void
test_plan_cpu (void)
{
  PLAN_IS ("{\"cpu\":{\"shares\":512}}", "cpu:cpu.shares=512");
  PLAN_IS ("{\"cpu\":{\"shares\":1024}}", "cpu:cpu.shares=1024 (default)");
  PLAN_IS ("{\"cpu\":{\"shares\":262144}}", "cpu:cpu.shares=262144");
  PLAN_FAILS ("{\"cpu\":{\"shares\":1}}",
              "linux.resources.cpu.shares: 1 is out of range 2 to 262144");
  PLAN_FAILS ("{\"cpu\":{\"shares\":262145}}", "cpu.shares: 262145 is out of range");
  /* period and burst are retried after the quota they are checked against */
  PLAN_IS ("{\"cpu\":{\"quota\":50000,\"period\":100000}}",
           "cpu:cpu.cfs_period_us=100000 (retry)\ncpu:cpu.cfs_quota_us=50000");
  PLAN_IS ("{\"cpu\":{\"quota\":50000,\"period\":100000,\"burst\":20000}}",
           "cpu:cpu.cfs_period_us=100000 (retry)\n"
           "cpu:cpu.cfs_burst_us=20000 (optional) (retry)\n"
           "cpu:cpu.cfs_quota_us=50000");
  PLAN_IS ("{\"cpu\":{\"period\":250000,\"burst\":0}}",
           "cpu:cpu.cfs_period_us=250000\ncpu:cpu.cfs_burst_us=0 (optional)");
  PLAN_IS ("{\"cpu\":{\"quota\":-1}}", "cpu:cpu.cfs_quota_us=-1");
  PLAN_IS ("{\"cpu\":{\"quota\":20000}}", "cpu:cpu.cfs_quota_us=20000");
  PLAN_FAILS ("{\"cpu\":{\"quota\":-2}}", "linux.resources.cpu.quota: -2 is not a quota");
  PLAN_FAILS ("{\"cpu\":{\"period\":999}}",
              "linux.resources.cpu.period: 999 is out of range 1000 to 1000000");
  PLAN_FAILS ("{\"cpu\":{\"period\":1000001}}", "cpu.period: 1000001 is out of range");
  PLAN_IS ("{\"cpu\":{\"idle\":1}}", "cpu:cpu.idle=1");
  PLAN_IS ("{\"cpu\":{\"idle\":0}}", "cpu:cpu.idle=0");
  PLAN_FAILS ("{\"cpu\":{\"idle\":2}}", "linux.resources.cpu.idle: 2 is not 0 or 1");
  PLAN_IS ("{\"cpu\":{\"realtimeRuntime\":30000,\"realtimePeriod\":100000}}",
           "cpu:cpu.rt_period_us=100000 (retry)\ncpu:cpu.rt_runtime_us=30000");
  PLAN_IS ("{\"cpu\":{\"realtimeRuntime\":-1}}", "cpu:cpu.rt_runtime_us=-1");
  PLAN_IS ("{\"cpu\":{\"realtimePeriod\":1000000}}", "cpu:cpu.rt_period_us=1000000");
  PLAN_FAILS ("{\"cpu\":{\"realtimeRuntime\":-7}}",
              "linux.resources.cpu.realtimeRuntime: -7 is not a runtime");
  PLAN_IS ("{\"cpu\":{\"cpus\":\"0-1\",\"mems\":\"0\"}}",
           "cpuset:cpuset.cpus=0-1\ncpuset:cpuset.mems=0");
  PLAN_IS ("{\"cpu\":{\"cpus\":\"\"}}", "");
}

static void
test_plan_pids_blkio (void)
{
  PLAN_IS ("{\"pids\":{\"limit\":10}}", "pids:pids.max=10");
  PLAN_IS ("{\"pids\":{\"limit\":-1}}", "pids:pids.max=max");
  PLAN_IS ("{\"pids\":{\"limit\":0}}", "");
  /* CFQ's blkio.weight where it exists, else bfq's, with the same value */
  PLAN_IS ("{\"blockIO\":{\"weight\":500}}", "blkio:blkio.weight=500|blkio.bfq.weight=500");
  PLAN_FAILS ("{\"blockIO\":{\"weight\":5}}",
              "linux.resources.blockIO.weight: 5 is out of range 10 to 1000");
  PLAN_IS ("{\"blockIO\":{\"leafWeight\":300}}", "blkio:blkio.leaf_weight=300");
  PLAN_FAILS ("{\"blockIO\":{\"leafWeight\":1001}}",
              "linux.resources.blockIO.leafWeight: 1001 is out of range 10 to 1000");
  PLAN_IS ("{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":10,"
           "\"leafWeight\":20},{\"major\":8,\"minor\":16,\"leafWeight\":30}]}}",
           "blkio:blkio.weight_device=8:0 10|blkio.bfq.weight_device=8:0 10\n"
           "blkio:blkio.leaf_weight_device=8:0 20\n"
           "blkio:blkio.leaf_weight_device=8:16 30");
  PLAN_FAILS ("{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":100},"
              "{\"major\":8,\"minor\":16,\"weight\":2000}]}}",
              "linux.resources.blockIO.weightDevice[1].weight: 2000 is out of range");
  PLAN_FAILS ("{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"leafWeight\":1}]}}",
              "linux.resources.blockIO.weightDevice[0].leafWeight: 1 is out of range");
  /* rate 0 removes a device's limit on v1 */
  PLAN_IS ("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1000}],"
           "\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":2000}],"
           "\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":30}],"
           "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":0}]}}",
           "blkio:blkio.throttle.read_bps_device=8:0 1000\n"
           "blkio:blkio.throttle.write_bps_device=8:0 2000\n"
           "blkio:blkio.throttle.read_iops_device=8:0 30\n"
           "blkio:blkio.throttle.write_iops_device=8:16 0");
}

static void
test_plan_hugetlb_network_rdma (void)
{
  PLAN_IS ("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304},"
           "{\"pageSize\":\"1GB\",\"limit\":0}]}",
           "hugetlb:hugetlb.2MB.limit_in_bytes=4194304\n"
           "hugetlb:hugetlb.2MB.rsvd.limit_in_bytes=4194304 (optional)\n"
           "hugetlb:hugetlb.1GB.limit_in_bytes=0\n"
           "hugetlb:hugetlb.1GB.rsvd.limit_in_bytes=0 (optional)");
  PLAN_FAILS ("{\"hugepageLimits\":[{\"pageSize\":\"2M/../x\",\"limit\":1}]}",
              "linux.resources.hugepageLimits[0].pageSize");
  PLAN_IS ("{\"network\":{\"classID\":1048577}}", "net_cls:net_cls.classid=1048577");
  PLAN_IS ("{\"network\":{\"classID\":0}}", "net_cls:net_cls.classid=0 (default)");
  PLAN_IS ("{\"network\":{\"priorities\":[{\"name\":\"eth0\",\"priority\":5},"
           "{\"name\":\"lo\",\"priority\":0}]}}",
           "net_prio:net_prio.ifpriomap=eth0 5\nnet_prio:net_prio.ifpriomap=lo 0");
  PLAN_FAILS ("{\"network\":{\"priorities\":[{\"name\":\"eth0 7\",\"priority\":5}]}}",
              "linux.resources.network.priorities[0].name: \"eth0 7\" is not a network "
              "interface name");
  PLAN_FAILS ("{\"network\":{\"priorities\":[{\"name\":\"\",\"priority\":5}]}}",
              "network.priorities[0].name");
  PLAN_FAILS ("{\"network\":{\"priorities\":[{\"name\":\"a-very-long-name0\",\"priority\":5}]}}",
              "network.priorities[0].name");
  PLAN_IS ("{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":100}}}",
           "rdma:rdma.max=mlx5_1 hca_handle=3 hca_object=100");
  PLAN_IS ("{\"rdma\":{\"mlx5_1\":{\"hcaObjects\":100}}}",
           "rdma:rdma.max=mlx5_1 hca_handle=max hca_object=100");
  PLAN_FAILS ("{\"rdma\":{\"a b\":{\"hcaHandles\":3}}}", "linux.resources.rdma");
}

static void
test_plan_unified_refused (void)
{
  PLAN_FAILS ("{\"unified\":{\"memory.high\":\"1000000\"}}",
              "linux.resources.unified: cgroup v1 has no unified files");
  PLAN_FAILS ("{\"pids\":{\"limit\":3},\"unified\":{\"pids.max\":\"7\"}}",
              "cgroup v1 has no unified files");
}

/* --- applying a plan to per-controller directories of plain files --- */

static char root[] = "/tmp/tong-test-res-v1.XXXXXX";

static int
rm_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  return remove (path);
}

/* A fresh root/<controller> directory per controller, each file given
 * created empty ("ctl/file"; "ctl/dir/" makes a directory). */
static void
fresh_tree (const char *const *files)
{
  char *slash;

  nftw (root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  CHECK (mkdir (root, 0700) == 0);
  for (size_t i = 0; files[i]; i++)
    {
      _cleanup_free_ char *p = xasprintf ("%s/%s", root, files[i]);
      tong_error err;
      slash = strrchr (p, '/');
      *slash = '\0';
      CHECK (mkdir_p (p, 0700, &err) == 0);
      *slash = '/';
      if (slash[1])
        CHECK (write_file_new_at (AT_FDCWD, p, "", 0, 0600, &err) == 0);
    }
}

/* The content of root/<ctl>/<file>; "(none)" when missing. */
static char content[256];

static const char *
read_back (const char *path)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", root, path), *text = NULL;
  tong_error err;

  if (read_file_at (AT_FDCWD, p, &text, NULL, &err) < 0)
    snprintf (content, sizeof content, "(none)");
  else
    snprintf (content, sizeof content, "%s", text);
  return content;
}

/* root/<controller> where that directory exists, NULL (no hierarchy)
 * otherwise; the core files' directory is root/core. */
static char dir_buf[512];
static char calls[1024];

static const char *
dir_of_tree (const char *controller, void *arg)
{
  struct stat st;

  (void) arg;
  snprintf (dir_buf, sizeof dir_buf, "%s/%s", root, controller ? controller : "core");
  strncat (calls, controller ? controller : "core", sizeof calls - strlen (calls) - 2);
  strcat (calls, " ");
  return stat (dir_buf, &st) == 0 ? dir_buf : NULL;
}

static int
apply (const char *json, tong_error *err)
{
  struct oci_resources *r = NULL;
  _cleanup_cgroup_plan_ struct cgroup_plan p = { 0 };
  int rc;

  calls[0] = '\0';
  rc = oci_resources_parse (json, strlen (json), "resources", &r, err);
  if (rc == 0)
    rc = cgroup_plan_resources_v1 (r, &p, err);
  if (rc == 0)
    rc = cgroup_plan_apply_at (&p, dir_of_tree, NULL, err);
  oci_resources_free (r);
  return rc;
}

static void
test_apply_routes_per_controller (void)
{
  tong_error err = { 0 };

  fresh_tree ((const char *const[]){ "memory/memory.limit_in_bytes",
                                     "memory/memory.memsw.limit_in_bytes", "cpu/cpu.shares",
                                     "cpuset/cpuset.cpus", "pids/pids.max", NULL });
  CHECK (apply ("{\"memory\":{\"limit\":4096,\"swap\":8192},\"cpu\":{\"shares\":512,"
                "\"cpus\":\"0\"},\"pids\":{\"limit\":9}}",
                &err)
         == 0);
  CHECK (strcmp (read_back ("memory/memory.limit_in_bytes"), "4096") == 0);
  CHECK (strcmp (read_back ("memory/memory.memsw.limit_in_bytes"), "8192") == 0);
  CHECK (strcmp (read_back ("cpu/cpu.shares"), "512") == 0);
  CHECK (strcmp (read_back ("cpuset/cpuset.cpus"), "0") == 0);
  CHECK (strcmp (read_back ("pids/pids.max"), "9") == 0);
  CHECK (strcmp (calls, "memory memory cpu cpuset pids ") == 0);
}

static void
test_apply_missing_hierarchy (void)
{
  tong_error err = { 0 };

  fresh_tree ((const char *const[]){ "memory/memory.limit_in_bytes", NULL });
  CHECK (apply ("{\"memory\":{\"limit\":4096},\"pids\":{\"limit\":9}}", &err) == -ENOENT);
  CHECK (strstr (err.msg, "linux.resources.pids.limit: needs the cgroup controller `pids`, "
                          "which this host does not mount"));
  /* an optional write, or the kernel's default, needs no hierarchy */
  fresh_tree ((const char *const[]){ "memory/memory.limit_in_bytes", NULL });
  CHECK (apply ("{\"memory\":{\"limit\":-1},\"cpu\":{\"shares\":1024},"
                "\"network\":{\"classID\":0}}",
                &err)
         == 0);
  CHECK (strcmp (read_back ("memory/memory.limit_in_bytes"), "-1") == 0);
  CHECK (strcmp (calls, "memory memory cpu net_cls ") == 0);
  CHECK (strcmp (read_back ("cpu/cpu.shares"), "(none)") == 0);
  /* the same write, not the default, is refused */
  CHECK (apply ("{\"network\":{\"classID\":7}}", &err) == -ENOENT);
  CHECK (strstr (err.msg, "linux.resources.network.classID: needs the cgroup controller "
                          "`net_cls`"));
}

static void
test_apply_optional_and_alt_files (void)
{
  tong_error err = { 0 };

  /* no swap accounting: memsw -1 and rsvd hugetlb are skipped */
  fresh_tree ((const char *const[]){ "memory/memory.limit_in_bytes",
                                     "hugetlb/hugetlb.2MB.limit_in_bytes", "blkio/blkio.bfq.weight",
                                     "cpu/cpu.cfs_quota_us", NULL });
  CHECK (apply ("{\"memory\":{\"limit\":-1},\"hugepageLimits\":[{\"pageSize\":\"2MB\","
                "\"limit\":2097152}],\"blockIO\":{\"weight\":300},\"cpu\":{\"quota\":1000,"
                "\"burst\":100}}",
                &err)
         == 0);
  CHECK (strcmp (read_back ("memory/memory.limit_in_bytes"), "-1") == 0);
  CHECK (strcmp (read_back ("memory/memory.memsw.limit_in_bytes"), "(none)") == 0);
  CHECK (strcmp (read_back ("hugetlb/hugetlb.2MB.limit_in_bytes"), "2097152") == 0);
  CHECK (strcmp (read_back ("hugetlb/hugetlb.2MB.rsvd.limit_in_bytes"), "(none)") == 0);
  /* bfq's file, since the kernel has no CFQ blkio.weight */
  CHECK (strcmp (read_back ("blkio/blkio.bfq.weight"), "300") == 0);
  CHECK (strcmp (read_back ("cpu/cpu.cfs_quota_us"), "1000") == 0);
  CHECK (strcmp (read_back ("cpu/cpu.cfs_burst_us"), "(none)") == 0);
  /* where both are there, CFQ's */
  fresh_tree ((const char *const[]){ "blkio/blkio.bfq.weight", "blkio/blkio.weight", NULL });
  CHECK (apply ("{\"blockIO\":{\"weight\":300}}", &err) == 0);
  CHECK (strcmp (read_back ("blkio/blkio.weight"), "300") == 0);
  CHECK (strcmp (read_back ("blkio/blkio.bfq.weight"), "") == 0);
  /* a swap limit the kernel cannot keep is refused, with what to do */
  fresh_tree ((const char *const[]){ "memory/memory.limit_in_bytes", NULL });
  CHECK (apply ("{\"memory\":{\"limit\":4096,\"swap\":8192}}", &err) == -ENOENT);
  CHECK (strstr (err.msg, "linux.resources.memory.swap: cgroup `"));
  CHECK (strstr (err.msg, "has no file `memory.memsw.limit_in_bytes` (the kernel does not "
                          "account swap: boot it with swapaccount=1"));
  /* other missing files name the controller */
  CHECK (apply ("{\"memory\":{\"swappiness\":10}}", &err) == -ENOENT);
  CHECK (strstr (err.msg, "linux.resources.memory.swappiness: cgroup `"));
  CHECK (strstr (err.msg, "has no file `memory.swappiness` (is the controller `memory` enabled?)"));
}

static void
test_apply_check_before_update (void)
{
  tong_error err = { 0 };
  _cleanup_free_ char *usage = NULL;

  fresh_tree ((const char *const[]){ "memory/memory.limit_in_bytes", NULL });
  usage = xasprintf ("%s/memory/memory.usage_in_bytes", root);
  CHECK (write_file_at (AT_FDCWD, usage, "5000\n", 5, &err) < 0); /* not there yet */
  CHECK (write_file_new_at (AT_FDCWD, usage, "5000\n", 5, 0600, &err) == 0);
  CHECK (apply ("{\"memory\":{\"limit\":4096,\"checkBeforeUpdate\":true}}", &err) == -EINVAL);
  CHECK (strstr (err.msg, "linux.resources.memory.limit: 4096 bytes is below the container's "
                          "memory usage (5000 bytes) and memory.checkBeforeUpdate is set"));
  CHECK (strcmp (read_back ("memory/memory.limit_in_bytes"), "") == 0);
  /* without the flag, or above the usage, or unlimited: written */
  CHECK (apply ("{\"memory\":{\"limit\":8192,\"checkBeforeUpdate\":true}}", &err) == 0);
  CHECK (strcmp (read_back ("memory/memory.limit_in_bytes"), "8192") == 0);
  CHECK (apply ("{\"memory\":{\"limit\":-1,\"checkBeforeUpdate\":true}}", &err) == 0);
  CHECK (apply ("{\"memory\":{\"limit\":1024}}", &err) == 0);
}

/* A file the kernel refuses a value with EINVAL: a link to the test's own
 * /proc/self/oom_score_adj, which takes -1000 to 1000 only (every value the
 * tests write through it is above). */
static void
refusing_file (const char *path)
{
  _cleanup_free_ char *p = xasprintf ("%s/%s", root, path);
  unlink (p);
  CHECK (symlink ("/proc/self/oom_score_adj", p) == 0);
}

/* Play the kernel of cgroup v1: the memory controller refuses its limit
 * until memsw has been raised, the cpu controller its period and burst
 * until the quota has been written.  Called before every write. */
static bool kernel_relents = true;

static void
relent_after (const char *partner, const char *const *refused)
{
  struct stat st;
  _cleanup_free_ char *p = xasprintf ("%s/%s", root, partner);

  if (!kernel_relents || stat (p, &st) < 0 || st.st_size == 0)
    return;
  for (size_t i = 0; refused[i]; i++)
    {
      _cleanup_free_ char *r = xasprintf ("%s/%s", root, refused[i]);
      tong_error err;
      if (lstat (r, &st) == 0 && S_ISLNK (st.st_mode))
        {
          CHECK (unlink (r) == 0);
          CHECK (write_file_new_at (AT_FDCWD, r, "", 0, 0600, &err) == 0);
        }
    }
}

static const char *
dir_of_kernel (const char *controller, void *arg)
{
  relent_after ("memory/memory.memsw.limit_in_bytes",
                (const char *const[]){ "memory/memory.limit_in_bytes", NULL });
  relent_after ("cpu/cpu.cfs_quota_us",
                (const char *const[]){ "cpu/cpu.cfs_period_us", "cpu/cpu.cfs_burst_us", NULL });
  relent_after ("cpu/cpu.rt_runtime_us", (const char *const[]){ "cpu/cpu.rt_period_us", NULL });
  return dir_of_tree (controller, arg);
}

static int
apply_to_kernel (const char *json, tong_error *err)
{
  struct oci_resources *r = NULL;
  _cleanup_cgroup_plan_ struct cgroup_plan p = { 0 };
  int rc;

  calls[0] = '\0';
  rc = oci_resources_parse (json, strlen (json), "resources", &r, err);
  if (rc == 0)
    rc = cgroup_plan_resources_v1 (r, &p, err);
  if (rc == 0)
    rc = cgroup_plan_apply_at (&p, dir_of_kernel, NULL, err);
  oci_resources_free (r);
  return rc;
}

static void
test_apply_retry_after_next (void)
{
  const char *const memory[]
      = { "memory/memory.limit_in_bytes", "memory/memory.memsw.limit_in_bytes", NULL };
  tong_error err = { 0 };

  /* raising both: the limit is refused, memsw goes first, the limit after */
  fresh_tree (memory);
  refusing_file ("memory/memory.limit_in_bytes");
  kernel_relents = true;
  CHECK (apply_to_kernel ("{\"memory\":{\"limit\":2000,\"swap\":4000}}", &err) == 0);
  CHECK (strcmp (read_back ("memory/memory.limit_in_bytes"), "2000") == 0);
  CHECK (strcmp (read_back ("memory/memory.memsw.limit_in_bytes"), "4000") == 0);
  CHECK (strcmp (calls, "memory memory memory ") == 0);
  /* lowering both: the limit goes first and nothing is retried */
  fresh_tree (memory);
  CHECK (apply_to_kernel ("{\"memory\":{\"limit\":2000,\"swap\":4000}}", &err) == 0);
  CHECK (strcmp (calls, "memory memory ") == 0);
  /* refused again after memsw: the error is the retry's */
  fresh_tree (memory);
  refusing_file ("memory/memory.limit_in_bytes");
  kernel_relents = false;
  CHECK (apply_to_kernel ("{\"memory\":{\"limit\":2000,\"swap\":4000}}", &err) == -EINVAL);
  CHECK (strstr (err.msg, "linux.resources.memory.limit: write \"2000\" to `"));
  CHECK (strcmp (read_back ("memory/memory.memsw.limit_in_bytes"), "4000") == 0);
  CHECK (strcmp (calls, "memory memory memory ") == 0);
  /* a write without the flag is not retried */
  fresh_tree (memory);
  refusing_file ("memory/memory.limit_in_bytes");
  CHECK (apply_to_kernel ("{\"memory\":{\"limit\":2000}}", &err) == -EINVAL);
  CHECK (strcmp (calls, "memory ") == 0);
  /* nor is a failure other than the kernel's refusal: EISDIR stops at once */
  fresh_tree ((const char *const[]){ "memory/memory.limit_in_bytes/",
                                     "memory/memory.memsw.limit_in_bytes", NULL });
  kernel_relents = true;
  CHECK (apply_to_kernel ("{\"memory\":{\"limit\":2000,\"swap\":4000}}", &err) == -EISDIR);
  CHECK (strcmp (read_back ("memory/memory.memsw.limit_in_bytes"), "") == 0);
}

static void
test_apply_retry_cfs_group (void)
{
  tong_error err = { 0 };

  /* period and burst both refused until the quota is written */
  fresh_tree ((const char *const[]){ "cpu/cpu.cfs_period_us", "cpu/cpu.cfs_burst_us",
                                     "cpu/cpu.cfs_quota_us", "cpu/cpu.shares", NULL });
  refusing_file ("cpu/cpu.cfs_period_us");
  refusing_file ("cpu/cpu.cfs_burst_us");
  kernel_relents = true;
  CHECK (apply_to_kernel ("{\"cpu\":{\"period\":2000,\"burst\":3000,\"quota\":4000,"
                          "\"shares\":100}}",
                          &err)
         == 0);
  CHECK (strcmp (read_back ("cpu/cpu.cfs_period_us"), "2000") == 0);
  CHECK (strcmp (read_back ("cpu/cpu.cfs_burst_us"), "3000") == 0);
  CHECK (strcmp (read_back ("cpu/cpu.cfs_quota_us"), "4000") == 0);
  CHECK (strcmp (read_back ("cpu/cpu.shares"), "100") == 0);
  /* shares, period, burst, quota, then the two retries */
  CHECK (strcmp (calls, "cpu cpu cpu cpu cpu cpu ") == 0);
  /* only burst refused: period stays written once */
  fresh_tree ((const char *const[]){ "cpu/cpu.cfs_period_us", "cpu/cpu.cfs_burst_us",
                                     "cpu/cpu.cfs_quota_us", NULL });
  refusing_file ("cpu/cpu.cfs_burst_us");
  CHECK (apply_to_kernel ("{\"cpu\":{\"period\":2000,\"burst\":3000,\"quota\":4000}}", &err) == 0);
  CHECK (strcmp (read_back ("cpu/cpu.cfs_burst_us"), "3000") == 0);
  CHECK (strcmp (calls, "cpu cpu cpu cpu ") == 0);
  /* the real-time period after the runtime */
  fresh_tree ((const char *const[]){ "cpu/cpu.rt_period_us", "cpu/cpu.rt_runtime_us", NULL });
  refusing_file ("cpu/cpu.rt_period_us");
  CHECK (apply_to_kernel ("{\"cpu\":{\"realtimePeriod\":5000,\"realtimeRuntime\":4000}}", &err)
         == 0);
  CHECK (strcmp (read_back ("cpu/cpu.rt_period_us"), "5000") == 0);
  CHECK (strcmp (read_back ("cpu/cpu.rt_runtime_us"), "4000") == 0);
}

/* cgroup v2's entry point: every write, core files too, in one directory. */
static void
test_apply_one_directory (void)
{
  struct oci_resources *r = NULL;
  _cleanup_cgroup_plan_ struct cgroup_plan p = { 0 };
  _cleanup_free_ char *dir = xasprintf ("%s/v2", root);
  tong_error err = { 0 };
  const char *json = "{\"pids\":{\"limit\":5},\"unified\":{\"cgroup.max.depth\":\"3\"}}";

  fresh_tree ((const char *const[]){ "v2/pids.max", "v2/cgroup.max.depth", NULL });
  CHECK (oci_resources_parse (json, strlen (json), "r", &r, &err) == 0);
  CHECK (cgroup_plan_resources (r, &p, &err) == 0);
  CHECK (cgroup_plan_apply (dir, &p, &err) == 0);
  CHECK (strcmp (read_back ("v2/pids.max"), "5") == 0);
  CHECK (strcmp (read_back ("v2/cgroup.max.depth"), "3") == 0);
  oci_resources_free (r);
}

int
main (void)
{
  RUN (test_plan_empty);
  RUN (test_plan_memory);
  RUN (test_plan_swappiness_range);
  RUN (test_plan_kernel_memory_warning);
  RUN (test_plan_cpu);
  RUN (test_plan_pids_blkio);
  RUN (test_plan_hugetlb_network_rdma);
  RUN (test_plan_unified_refused);
  if (!mkdtemp (root))
    return 1;
  RUN (test_apply_routes_per_controller);
  RUN (test_apply_missing_hierarchy);
  RUN (test_apply_optional_and_alt_files);
  RUN (test_apply_check_before_update);
  RUN (test_apply_retry_after_next);
  RUN (test_apply_retry_cfs_group);
  RUN (test_apply_one_directory);
  nftw (root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  return failures ? 1 : 0;
}
