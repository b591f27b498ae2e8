/* linux.resources split between a hybrid host's v1 and v2 hierarchies:
 * plain data, unit-tested. */
#include "limits.h"

#include <string.h>

void
cgroup_resources_split (const struct oci_resources *r,
                        bool (*on_v1) (const char *controller, const void *arg), const void *arg,
                        struct oci_resources *v1, struct oci_resources *v2)
{
  struct oci_resources *cpu_to, *cpuset_to;

  memset (v1, 0, sizeof *v1);
  memset (v2, 0, sizeof *v2);
  if (!r)
    return;
  if (r->devices_len)
    {
      struct oci_resources *to = on_v1 ("devices", arg) ? v1 : v2;
      to->devices = r->devices;
      to->devices_len = r->devices_len;
    }
  if (r->memory.present)
    (on_v1 ("memory", arg) ? v1 : v2)->memory = r->memory;
  /* cpu.cpus and cpu.mems are cpuset's; the rest of cpu is the cpu
   * controller's. */
  if (r->cpu.present)
    {
      cpu_to = on_v1 ("cpu", arg) ? v1 : v2;
      cpuset_to = on_v1 ("cpuset", arg) ? v1 : v2;
      cpu_to->cpu = r->cpu;
      cpu_to->cpu.cpus = cpu_to->cpu.mems = NULL;
      cpuset_to->cpu.present = true;
      cpuset_to->cpu.cpus = r->cpu.cpus;
      cpuset_to->cpu.mems = r->cpu.mems;
    }
  if (r->pids.present)
    (on_v1 ("pids", arg) ? v1 : v2)->pids = r->pids;
  if (r->block_io.present)
    (on_v1 ("blkio", arg) ? v1 : v2)->block_io = r->block_io;
  if (r->hugepage_limits_len)
    {
      struct oci_resources *to = on_v1 ("hugetlb", arg) ? v1 : v2;
      to->hugepage_limits = r->hugepage_limits;
      to->hugepage_limits_len = r->hugepage_limits_len;
    }
  /* classID and priorities have no v2 controller: v1 refuses them if it
   * lacks net_cls/net_prio, with the v1 planner's words. */
  if (r->network.present)
    v1->network = r->network;
  if (r->rdma_len)
    {
      struct oci_resources *to = on_v1 ("rdma", arg) ? v1 : v2;
      to->rdma = r->rdma;
      to->rdma_len = r->rdma_len;
    }
  v2->unified = r->unified;
}
