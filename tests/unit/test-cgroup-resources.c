/* Unit tests of the cgroup v2 plan: linux.resources in, (file, value) writes
 * out, with the controller each needs; no root, no cgroup touched. */
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "src/cgroups/controllers.h"
#include "src/cgroups/resources-merge.h"
#include "src/cgroups/resources.h"
#include "tests/unit/check.h"

/* Plan the resources JSON; the writes as "file=value" lines (alternatives
 * as "file=value|alt=value"), or the error message. */
static char out[8192];

static const char *
plan (const char *json)
{
  struct oci_resources *r = NULL;
  struct cgroup_plan p;
  tong_error err = { 0 };
  size_t len = 0;

  out[0] = '\0';
  if (oci_resources_parse (json, strlen (json), "resources", &r, &err) < 0)
    {
      snprintf (out, sizeof out, "parse: %s", err.msg);
      return out;
    }
  if (cgroup_plan_resources (r, &p, &err) < 0)
    snprintf (out, sizeof out, "error: %s", err.msg);
  else
    for (size_t i = 0; i < p.n; i++)
      {
        const struct cgroup_write *w = &p.writes[i];
        len += (size_t) snprintf (
            out + len, sizeof out - len, "%s%s=%s%s%s%s%s%s", i ? "\n" : "", w->file, w->value,
            w->alt_file ? "|" : "", w->alt_file ? w->alt_file : "", w->alt_file ? "=" : "",
            w->alt_value ? w->alt_value : "", w->optional ? " (optional)" : "");
      }
  if (r)
    {
      if (out[0] != 'e')
        cgroup_plan_free (&p);
      oci_resources_free (r);
    }
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
  PLAN_IS ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", "");
  PLAN_IS ("{\"memory\":{}}", "");
}

static void
test_plan_memory (void)
{
  PLAN_IS ("{\"memory\":{\"limit\":1048576}}", "memory.max=1048576");
  PLAN_IS ("{\"memory\":{\"limit\":-1}}", "memory.max=max\nmemory.swap.max=max (optional)");
  PLAN_IS ("{\"memory\":{\"reservation\":4096}}", "memory.low=4096");
  /* swap is memory+swap: swap.max gets the difference */
  PLAN_IS ("{\"memory\":{\"limit\":1000,\"swap\":3000}}", "memory.max=1000\nmemory.swap.max=2000");
  PLAN_IS ("{\"memory\":{\"limit\":1000,\"swap\":1000}}", "memory.max=1000\nmemory.swap.max=0");
  PLAN_IS ("{\"memory\":{\"limit\":1000,\"swap\":-1}}", "memory.max=1000\nmemory.swap.max=max");
  PLAN_FAILS ("{\"memory\":{\"swap\":3000}}", "memory.swap: a swap limit needs memory.limit");
  PLAN_FAILS ("{\"memory\":{\"limit\":2000,\"swap\":1000}}", "is below memory.limit");
  PLAN_FAILS ("{\"memory\":{\"limit\":-2}}", "linux.resources.memory.limit");
  PLAN_FAILS ("{\"memory\":{\"kernel\":1000}}", "memory.kernel");
  PLAN_FAILS ("{\"memory\":{\"swappiness\":10}}", "memory.swappiness");
  PLAN_FAILS ("{\"memory\":{\"disableOOMKiller\":true}}", "disableOOMKiller");
  PLAN_IS ("{\"memory\":{\"disableOOMKiller\":false,\"useHierarchy\":true}}", "");
}

static void
test_plan_cpu (void)
{
  PLAN_IS ("{\"cpu\":{\"shares\":1024}}", "cpu.weight=100");
  PLAN_IS ("{\"cpu\":{\"shares\":2000}}", "cpu.weight=170");
  PLAN_IS ("{\"cpu\":{\"shares\":512}}", "cpu.weight=59");
  PLAN_IS ("{\"cpu\":{\"shares\":2}}", "cpu.weight=1");
  PLAN_IS ("{\"cpu\":{\"shares\":262144}}", "cpu.weight=10000");
  PLAN_FAILS ("{\"cpu\":{\"shares\":1}}", "cpu.shares: 1 is out of range");
  PLAN_IS ("{\"cpu\":{\"quota\":50000,\"period\":100000}}", "cpu.max=50000 100000");
  PLAN_IS ("{\"cpu\":{\"quota\":20000}}", "cpu.max=20000");
  PLAN_IS ("{\"cpu\":{\"quota\":-1,\"period\":250000}}", "cpu.max=max 250000");
  PLAN_IS ("{\"cpu\":{\"period\":250000}}", "cpu.max=max 250000");
  PLAN_FAILS ("{\"cpu\":{\"period\":10}}", "cpu.period");
  PLAN_IS ("{\"cpu\":{\"burst\":1000,\"idle\":1}}", "cpu.max.burst=1000\ncpu.idle=1");
  PLAN_FAILS ("{\"cpu\":{\"idle\":2}}", "cpu.idle");
  PLAN_IS ("{\"cpu\":{\"cpus\":\"0-1\",\"mems\":\"0\"}}", "cpuset.cpus=0-1\ncpuset.mems=0");
  PLAN_FAILS ("{\"cpu\":{\"realtimeRuntime\":1000}}", "cpu.realtimeRuntime");
  CHECK (cgroup_cpu_shares_to_weight (0) == 1);
  CHECK (cgroup_cpu_shares_to_weight (500000) == 10000);
}

static void
test_plan_pids_io_hugetlb_rdma (void)
{
  PLAN_IS ("{\"pids\":{\"limit\":10}}", "pids.max=10");
  PLAN_IS ("{\"pids\":{\"limit\":-1}}", "pids.max=max");
  PLAN_IS ("{\"pids\":{\"limit\":0}}", "");
  PLAN_IS ("{\"blockIO\":{\"weight\":500}}", "io.bfq.weight=500|io.weight=default 4950");
  PLAN_IS ("{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":10}]}}",
           "io.bfq.weight=8:0 10|io.weight=8:0 1");
  PLAN_FAILS ("{\"blockIO\":{\"weight\":5}}", "blockIO.weight: 5 is out of range");
  PLAN_FAILS ("{\"blockIO\":{\"leafWeight\":50}}", "leafWeight");
  PLAN_IS ("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1000}],"
           "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":0}]}}",
           "io.max=8:0 rbps=1000\nio.max=8:16 wiops=max");
  PLAN_IS ("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}",
           "hugetlb.2MB.max=4194304\nhugetlb.2MB.rsvd.max=4194304 (optional)");
  PLAN_FAILS ("{\"hugepageLimits\":[{\"pageSize\":\"2M/../x\",\"limit\":1}]}",
              "hugepageLimits[0].pageSize");
  PLAN_IS ("{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}}}",
           "rdma.max=mlx5_1 hca_handle=3 hca_object=max");
  PLAN_FAILS ("{\"network\":{\"classID\":1}}", "linux.resources.network");
}

static void
test_plan_unified (void)
{
  PLAN_IS ("{\"unified\":{\"memory.high\":\"1000000\",\"cgroup.max.depth\":\"3\"}}",
           "memory.high=1000000\ncgroup.max.depth=3");
  /* unified comes last: it overrides the fields */
  PLAN_IS ("{\"pids\":{\"limit\":5},\"unified\":{\"pids.max\":\"7\"}}", "pids.max=5\npids.max=7");
  PLAN_FAILS ("{\"unified\":{\"../memory.max\":\"1\"}}", "not the name of a cgroup v2 file");
  PLAN_FAILS ("{\"unified\":{\"a/memory.max\":\"1\"}}", "not the name of a cgroup v2 file");
  PLAN_FAILS ("{\"unified\":{\"memorymax\":\"1\"}}", "not the name of a cgroup v2 file");
  PLAN_FAILS ("{\"unified\":{\"foo.max\":\"1\"}}", "`foo` is not a cgroup v2 controller");
  PLAN_FAILS ("{\"unified\":{\"cgroup.procs\":\"1\"}}", "tong manages this file itself");
}

static void
test_controllers_check (void)
{
  struct oci_resources *r = NULL;
  struct cgroup_plan p;
  tong_error err = { 0 };
  const char *json = "{\"memory\":{\"limit\":1000000},\"unified\":{\"cgroup.max.depth\":\"3\"}}";

  CHECK (cgroup_word_in ("cpuset cpu io memory", "cpu"));
  CHECK (cgroup_word_in ("cpuset cpu io memory\n", "memory"));
  CHECK (!cgroup_word_in ("cpuset io memory", "cpu"));
  CHECK (!cgroup_word_in ("", "cpu"));
  CHECK (oci_resources_parse (json, strlen (json), "r", &r, &err) == 0);
  CHECK (cgroup_plan_resources (r, &p, &err) == 0);
  CHECK (p.n == 2 && strcmp (p.writes[0].controller, "memory") == 0
         && p.writes[1].controller == NULL);
  cgroup_plan_free (&p);
  oci_resources_free (r);
}

static void
test_update_merge (void)
{
  tong_error err = { 0 };
  char *m;

  /* objects merge key by key; numbers and arrays are replaced */
  m = resources_json_merge (
      "{\"memory\":{\"limit\":100,\"swap\":200},\"devices\":[{\"allow\":false}]}",
      "{\"memory\":{\"swap\":300},\"pids\":{\"limit\":5},\"devices\":[]}", "--resources", &err);
  CHECK (m
         && strcmp (m, "{\"memory\":{\"limit\":100,\"swap\":300},\"devices\":[],"
                       "\"pids\":{\"limit\":5}}")
                == 0);
  free (m);
  m = resources_json_merge (NULL, "{\"unified\":{\"a.b\":\"1\"}}", "x", &err);
  CHECK (m && strcmp (m, "{\"unified\":{\"a.b\":\"1\"}}") == 0);
  free (m);
  CHECK (resources_json_merge ("{}", "[1]", "--resources", &err) == NULL);
  CHECK (strstr (err.msg, "--resources: must be a JSON object") != NULL);
  CHECK (resources_json_merge ("{}", "{", "--resources", &err) == NULL);
  CHECK (strstr (err.msg, "--resources: not valid JSON") != NULL);
  m = resources_json_from_config ("{\"linux\":{\"resources\":{\"pids\":{\"limit\":3}}}}", &err);
  CHECK (m && strcmp (m, "{\"pids\":{\"limit\":3}}") == 0);
  free (m);
  m = resources_json_from_config ("{\"linux\":{}}", &err);
  CHECK (m && strcmp (m, "{}") == 0);
  free (m);
}

int
main (void)
{
  RUN (test_plan_empty);
  RUN (test_plan_memory);
  RUN (test_plan_cpu);
  RUN (test_plan_pids_io_hugetlb_rdma);
  RUN (test_plan_unified);
  RUN (test_controllers_check);
  RUN (test_update_merge);
  return failures ? 1 : 0;
}
