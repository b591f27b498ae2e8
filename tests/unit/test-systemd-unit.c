/* The systemd driver's plain data: cgroupsPath to scope and slice, and
 * linux.resources to unit properties. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "src/cgroups/systemd-unit.h"
#include "src/base/util.h"

static void
unit_is (const char *cp, const char *id, const char *slice, const char *slice_path,
         const char *unit)
{
  struct systemd_unit u;
  tong_error err;
  int r = systemd_unit_parse (cp, id, &u, &err);
  char name[256];

  snprintf (name, sizeof name, "cgroupsPath \"%s\"", cp ? cp : "(null)");
  report (name,
          r == 0 && strcmp (u.slice, slice) == 0 && strcmp (u.slice_path, slice_path) == 0
              && strcmp (u.unit, unit) == 0,
          "r=%d %s | got %s %s %s", r, r < 0 ? err.msg : "", r == 0 ? u.slice : "-",
          r == 0 ? u.slice_path : "-", r == 0 ? u.unit : "-");
  if (r == 0)
    systemd_unit_free (&u);
}

static void
unit_refused (const char *cp, const char *needle)
{
  struct systemd_unit u;
  tong_error err;
  int r = systemd_unit_parse (cp, "c1", &u, &err);
  char name[256];

  snprintf (name, sizeof name, "refused %s", cp);
  report (name, r < 0 && strstr (err.msg, needle), "r=%d msg=%s", r, r < 0 ? err.msg : "");
  if (r == 0)
    systemd_unit_free (&u);
}

static void
test_paths (void)
{
  unit_is ("system.slice:tong:abc", "x", "system.slice", "system.slice", "tong-abc.scope");
  unit_is (NULL, "c1", "system.slice", "system.slice", "tong-c1.scope");
  unit_is ("", "c2", "system.slice", "system.slice", "tong-c2.scope");
  unit_is (":crio:abc", "x", "system.slice", "system.slice", "crio-abc.scope");
  unit_is ("machine-foo.slice:tong:n1", "x", "machine-foo.slice", "machine.slice/machine-foo.slice",
           "tong-n1.scope");
  unit_is ("a-b-c.slice::n", "x", "a-b-c.slice", "a.slice/a-b.slice/a-b-c.slice", "n.scope");
  unit_is ("-.slice:p:n", "x", "-.slice", "", "p-n.scope");

  report ("is_systemd",
          systemd_path_is_systemd ("s.slice:p:n") && systemd_path_is_systemd ("::n")
              && !systemd_path_is_systemd ("/a:b:c") && !systemd_path_is_systemd ("a/b")
              && !systemd_path_is_systemd ("a:b") && !systemd_path_is_systemd (NULL),
          "wrong classification");
  unit_refused ("/abs/path", "slice:prefix:name");
  unit_refused ("system.slice:tong:", "empty");
  unit_refused ("nope:tong:n", "not a valid systemd slice");
  unit_refused ("a--b.slice:tong:n", "not a valid systemd slice");
  unit_refused ("-a.slice:tong:n", "not a valid systemd slice");
  unit_refused ("system.slice:tong:a+b", "not a valid systemd unit name");
  unit_refused ("system.slice:tong:x/y", "not a valid systemd unit name");
  unit_refused ("system.slice:tong:pod.slice", "slice as the container's own unit");
}

static void
test_cpuset_mask (void)
{
  uint8_t *m;
  size_t n;

  CHECK (systemd_cpuset_mask ("0-3,8", &m, &n) == 2);
  CHECK (n == 2 && m[0] == 0x0f && m[1] == 0x01);
  free (m);
  CHECK (systemd_cpuset_mask ("1", &m, &n) == 1 && m[0] == 0x02);
  free (m);
  CHECK (systemd_cpuset_mask ("7,9-10", &m, &n) == 2 && m[0] == 0x80 && m[1] == 0x06);
  free (m);
  CHECK (systemd_cpuset_mask ("", &m, &n) == 0 && m == NULL);
  CHECK (systemd_cpuset_mask ("3-1", &m, &n) == -EINVAL);
  CHECK (systemd_cpuset_mask ("a", &m, &n) == -EINVAL);
  CHECK (systemd_cpuset_mask ("1;2", &m, &n) == -EINVAL);
}

static uint64_t
u64_of (const struct systemd_props *p, const char *name)
{
  const struct systemd_prop *x = systemd_props_find (p, name);
  return x ? x->u64 : 0xdead;
}

static void
test_props (void)
{
  struct oci_resources r;
  struct systemd_props p;
  tong_error err;

  memset (&r, 0, sizeof r);
  r.memory.present = r.memory.has_limit = r.memory.has_reservation = r.memory.has_swap = true;
  r.memory.limit = 64 << 20;
  r.memory.reservation = 32 << 20;
  r.memory.swap = 96 << 20;
  r.cpu.present = r.cpu.has_shares = r.cpu.has_quota = r.cpu.has_period = true;
  r.cpu.shares = 1024;
  r.cpu.quota = 50000;
  r.cpu.period = 100000;
  r.cpu.cpus = (char *) "0-1";
  r.cpu.mems = (char *) "0";
  r.pids.present = true;
  r.pids.limit = 42;
  r.block_io.present = r.block_io.has_weight = true;
  r.block_io.weight = 500;
  CHECK (systemd_props_from_resources (&r, &p, &err) == 0);
  CHECK (u64_of (&p, "MemoryMax") == 64 << 20);
  CHECK (u64_of (&p, "MemoryLow") == 32 << 20);
  CHECK (u64_of (&p, "MemorySwapMax") == 32 << 20);
  CHECK (u64_of (&p, "CPUWeight") == 100);
  CHECK (u64_of (&p, "CPUQuotaPerSecUSec") == 500000);
  CHECK (u64_of (&p, "CPUQuotaPeriodUSec") == 100000);
  CHECK (systemd_props_find (&p, "CPUQuotaPeriodUSec")->min_version == 242);
  CHECK (systemd_props_find (&p, "AllowedCPUs")->n_bytes == 1
         && systemd_props_find (&p, "AllowedCPUs")->bytes[0] == 0x03);
  CHECK (systemd_props_find (&p, "AllowedMemoryNodes")->bytes[0] == 0x01);
  CHECK (u64_of (&p, "TasksMax") == 42);
  CHECK (u64_of (&p, "IOWeight") == 4950);
  CHECK (p.n == 10);
  systemd_props_free (&p);

  /* Unlimited values are systemd's infinity; a fractional percent of a CPU
   * rounds up to whole 10 ms a second. */
  memset (&r, 0, sizeof r);
  r.memory.has_limit = r.memory.has_swap = true;
  r.memory.limit = -1;
  r.memory.swap = -1;
  r.cpu.has_quota = true;
  r.cpu.quota = 12345;
  r.pids.present = true;
  r.pids.limit = -1;
  CHECK (systemd_props_from_resources (&r, &p, &err) == 0);
  CHECK (u64_of (&p, "MemoryMax") == UINT64_MAX);
  CHECK (u64_of (&p, "MemorySwapMax") == UINT64_MAX);
  CHECK (u64_of (&p, "CPUQuotaPerSecUSec") == 130000);
  CHECK (systemd_props_find (&p, "CPUQuotaPeriodUSec") == NULL);
  CHECK (u64_of (&p, "TasksMax") == UINT64_MAX);
  systemd_props_free (&p);

  /* A period alone: no quota (infinity) with that period. */
  memset (&r, 0, sizeof r);
  r.cpu.has_period = true;
  r.cpu.period = 50000;
  CHECK (systemd_props_from_resources (&r, &p, &err) == 0);
  CHECK (u64_of (&p, "CPUQuotaPerSecUSec") == UINT64_MAX
         && u64_of (&p, "CPUQuotaPeriodUSec") == 50000);
  systemd_props_free (&p);

  /* Nothing asked: no properties; hugetlb and unified are cgroupfs only. */
  memset (&r, 0, sizeof r);
  r.pids.present = true; /* limit 0: no limit */
  CHECK (systemd_props_from_resources (&r, &p, &err) == 0 && p.n == 0);
  CHECK (systemd_props_from_resources (NULL, &p, &err) == 0 && p.n == 0);

  /* unified: the files systemd manages become properties too (last wins);
   * the others stay cgroup writes only. */
  {
    struct oci_kv kv[] = { { (char *) "memory.high", (char *) "50331648" },
                           { (char *) "memory.max", (char *) "max" },
                           { (char *) "cpuset.cpus", (char *) "1" },
                           { (char *) "memory.oom.group", (char *) "1" },
                           { (char *) "io.max", (char *) "8:0 rbps=1" } };
    memset (&r, 0, sizeof r);
    r.memory.has_limit = true;
    r.memory.limit = 1 << 20;
    r.cpu.cpus = (char *) "0";
    r.unified.items = kv;
    r.unified.len = ARRAY_SIZE (kv);
    CHECK (systemd_props_from_resources (&r, &p, &err) == 0);
    CHECK (u64_of (&p, "MemoryHigh") == 50331648);
    CHECK (u64_of (&p, "MemoryMax") == UINT64_MAX);
    CHECK (systemd_props_find (&p, "AllowedCPUs")->bytes[0] == 0x02);
    CHECK (p.n == 3);
    systemd_props_free (&p);
    kv[0].value = (char *) "lots";
    CHECK (systemd_props_from_resources (&r, &p, &err) < 0 && strstr (err.msg, "memory.high"));
  }

  memset (&r, 0, sizeof r);
  r.cpu.cpus = (char *) "0-x";
  CHECK (systemd_props_from_resources (&r, &p, &err) < 0 && strstr (err.msg, "cpu.cpus"));
}

int
main (void)
{
  test_paths ();
  RUN (test_cpuset_mask);
  RUN (test_props);
  return failures ? 1 : 0;
}
