/* Unit tests of the host's cgroup hierarchies (hierarchy.h): the mode and
 * the v1 hierarchies from mountinfo and /proc/self/cgroup texts as real
 * hosts have them, the container's directories in them, and
 * linux.resources split between a hybrid host's v1 and v2 halves. */
#include <string.h>

#include "src/base/util.h"
#include "src/cgroups/hierarchy.h"
#include "src/cgroups/limits.h"
#include "tests/unit/check.h"

/* This machine's kind: every controller in its own v1 hierarchy, cgroup2
 * at unified/ with what no v1 hierarchy took, the caller in a memory
 * cgroup of its own. */
static const char hybrid_mountinfo[]
    = "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
      "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
      "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "42 31 0:39 / /sys/fs/cgroup/other rw,relatime - cgroup cgroup rw,name=other\n";
static const char hybrid_cgroup[] = "9:name=systemd:/\n"
                                    "10:name=other:/x\n"
                                    "4:memory:/jobs/42\n"
                                    "2:cpuacct:/\n"
                                    "1:cpu:/\n"
                                    "0::/\n";

static void
test_hybrid (void)
{
  struct cgroup_host h;
  const struct cgroup_v1_hierarchy *mem;

  cgroup_host_parse (hybrid_mountinfo, hybrid_cgroup, &h);
  CHECK (h.mode == CGROUP_MODE_HYBRID);
  CHECK (h.v2_mount && strcmp (h.v2_mount, "/sys/fs/cgroup/unified") == 0);
  CHECK (h.v2_own && strcmp (h.v2_own, "") == 0);
  /* cpu, cpuacct, memory, name=systemd; not name=other (runc joins only
   * systemd's named hierarchy). */
  CHECK (h.n_v1 == 4);
  mem = cgroup_host_v1_find (&h, "memory");
  CHECK (mem && strcmp (mem->mount, "/sys/fs/cgroup/memory") == 0);
  CHECK (mem && strcmp (mem->own, "/jobs/42") == 0);
  CHECK (cgroup_host_v1_find (&h, "name=systemd") != NULL);
  CHECK (cgroup_host_v1_find (&h, "name=other") == NULL);
  CHECK (cgroup_host_v1_find (&h, "pids") == NULL);
  cgroup_host_clear (&h);
}

/* A RHEL 8 / Ubuntu 20.04 host: co-mounted hierarchies, no cgroup2. */
static void
test_pure_v1_comounted (void)
{
  static const char mi[]
      = "25 24 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
        "28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        "29 25 0:26 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
        "30 25 0:27 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
        /* the same hierarchy bound a second time: kept once */
        "31 25 0:27 / /mnt/pids\\040again rw - cgroup cgroup rw,pids\n";
  static const char pc[] = "5:pids:/user.slice/user-0.slice\n"
                           "3:net_cls,net_prio:/\n"
                           "2:cpu,cpuacct:/user.slice\n";
  struct cgroup_host h;
  const struct cgroup_v1_hierarchy *cpu;

  cgroup_host_parse (mi, pc, &h);
  CHECK (h.mode == CGROUP_MODE_V1);
  CHECK (h.v2_mount == NULL);
  CHECK (h.n_v1 == 3);
  cpu = cgroup_host_v1_find (&h, "cpuacct");
  CHECK (cpu && cpu == cgroup_host_v1_find (&h, "cpu"));
  CHECK (cpu && strcmp (cpu->controllers, "cpu,cpuacct") == 0);
  CHECK (cpu && strcmp (cpu->mount, "/sys/fs/cgroup/cpu,cpuacct") == 0);
  CHECK (cgroup_host_v1_find (&h, "net_prio") == cgroup_host_v1_find (&h, "net_cls,net_prio"));
  cgroup_host_clear (&h);
}

static void
test_pure_v2_and_none (void)
{
  static const char mi[] = "30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
  struct cgroup_host h;

  cgroup_host_parse (mi, "0::/user.slice/session-1.scope\n", &h);
  CHECK (h.mode == CGROUP_MODE_V2);
  CHECK (h.v2_own && strcmp (h.v2_own, "/user.slice/session-1.scope") == 0);
  cgroup_host_clear (&h);
  /* A named hierarchy alone holds no controller. */
  cgroup_host_parse ("40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n",
                     "1:name=systemd:/\n", &h);
  CHECK (h.mode == CGROUP_MODE_NONE);
  cgroup_host_clear (&h);
}

static void
check_join (const char *mount, const char *root, const char *own, const char *cp, const char *want)
{
  _cleanup_free_ char *got = cgroup_dir_join (mount, root, own, cp, "c1");
  _cleanup_free_ char *name
      = xasprintf ("dir_join %s root %s own %s path %s", mount, root, own, cp ? cp : "(none)");
  report (name, strcmp (got, want) == 0, "got %s, want %s", got, want);
}

static void
test_dir_join (void)
{
  check_join ("/sys/fs/cgroup/memory", "/", "/jobs/42", NULL,
              "/sys/fs/cgroup/memory/jobs/42/tong/c1");
  check_join ("/sys/fs/cgroup/memory", "/", "/jobs/42", "",
              "/sys/fs/cgroup/memory/jobs/42/tong/c1");
  check_join ("/sys/fs/cgroup/memory", "/", "/jobs/42", "a/b", "/sys/fs/cgroup/memory/jobs/42/a/b");
  check_join ("/sys/fs/cgroup/memory", "/", "/jobs/42", "/k8s.io/abc",
              "/sys/fs/cgroup/memory/k8s.io/abc");
  check_join ("/sys/fs/cgroup/cpu", "/", "", NULL, "/sys/fs/cgroup/cpu/tong/c1");
  /* In a container whose mount shows its own cgroup as the root. */
  check_join ("/sys/fs/cgroup/pids", "/docker/x", "/docker/x/inner", "r",
              "/sys/fs/cgroup/pids/inner/r");
}

static void
test_v1_dir_of (void)
{
  struct cgroup_v1_hierarchy hier = { "memory", "/sys/fs/cgroup/memory", "/", "" };
  struct cgroup_v1_hierarchy inner = { "pids", "/sys/fs/cgroup/pids", "/docker/x", "" };
  _cleanup_free_ char *a = cgroup_v1_dir_of (&hier, "/a/b");
  _cleanup_free_ char *root = cgroup_v1_dir_of (&hier, "/");
  _cleanup_free_ char *b = cgroup_v1_dir_of (&inner, "/docker/x/c");
  _cleanup_free_ char *outside = cgroup_v1_dir_of (&inner, "/elsewhere");

  CHECK (strcmp (a, "/sys/fs/cgroup/memory/a/b") == 0);
  CHECK (strcmp (root, "/sys/fs/cgroup/memory") == 0);
  CHECK (strcmp (b, "/sys/fs/cgroup/pids/c") == 0);
  CHECK (outside == NULL);
}

static void
test_path_check (void)
{
  tong_error err;

  CHECK (cgroup_path_check ("/k8s.io/abc", &err) == 0);
  CHECK (cgroup_path_check (NULL, &err) == 0);
  CHECK (cgroup_path_check ("a/../../b", &err) < 0 && strstr (err.msg, "\"..\""));
  CHECK (cgroup_path_check ("system.slice:tong:c1", &err) < 0 && strstr (err.msg, "systemd"));
}

static bool
only_memory_and_cpu (const char *controller, const void *arg)
{
  (void) arg;
  return strcmp (controller, "memory") == 0 || strcmp (controller, "cpu") == 0;
}

static void
test_split (void)
{
  struct oci_hugepage_limit huge = { .page_size = (char *) "2MB", .limit = 1 };
  struct oci_kv kv = { (char *) "memory.high", (char *) "1000000" };
  struct oci_resources r = { 0 }, v1, v2;

  r.memory.present = r.memory.has_limit = true;
  r.memory.limit = 1 << 20;
  r.cpu.present = r.cpu.has_shares = true;
  r.cpu.shares = 2;
  r.cpu.cpus = (char *) "0";
  r.pids.present = true;
  r.pids.limit = 10;
  r.hugepage_limits = &huge;
  r.hugepage_limits_len = 1;
  r.unified = (struct oci_map){ &kv, 1 };
  cgroup_resources_split (&r, only_memory_and_cpu, NULL, &v1, &v2);
  CHECK (v1.memory.present && v1.memory.limit == 1 << 20 && !v2.memory.present);
  /* shares to v1's cpu, the cpuset half to v2 */
  CHECK (v1.cpu.present && v1.cpu.shares == 2 && v1.cpu.cpus == NULL);
  CHECK (v2.cpu.present && !v2.cpu.has_shares && v2.cpu.cpus && strcmp (v2.cpu.cpus, "0") == 0);
  CHECK (!v1.pids.present && v2.pids.present && v2.pids.limit == 10);
  CHECK (v1.hugepage_limits_len == 0 && v2.hugepage_limits_len == 1);
  CHECK (v1.unified.len == 0 && v2.unified.len == 1);
}

int
main (void)
{
  RUN (test_hybrid);
  RUN (test_pure_v1_comounted);
  RUN (test_pure_v2_and_none);
  RUN (test_dir_join);
  RUN (test_v1_dir_of);
  RUN (test_path_check);
  RUN (test_split);
  return failures ? 1 : 0;
}
