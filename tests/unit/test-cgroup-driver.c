/* Unit tests of the choice of a cgroup driver: from --cgroup-manager for a
 * new container, from what the state records for an existing one. */
#include "src/cgroups/driver.h"
#include "tests/unit/check.h"

static void
test_for_manager (void)
{
  CHECK (cgroup_driver_for_manager ("cgroupfs") == CGROUP_DRIVER_CGROUPFS);
  CHECK (cgroup_driver_for_manager ("systemd") == CGROUP_DRIVER_SYSTEMD);
  CHECK (cgroup_driver_for_manager ("disabled") == CGROUP_DRIVER_NONE);
  /* The default, before any flag. */
  CHECK (cgroup_driver_for_manager (NULL) == CGROUP_DRIVER_CGROUPFS);
}

static void
test_for_record (void)
{
  CHECK (cgroup_driver_for_record ("/sys/fs/cgroup/tong/c1", NULL, 0) == CGROUP_DRIVER_CGROUPFS);
  CHECK (cgroup_driver_for_record ("/sys/fs/cgroup/system.slice/tong-c1.scope", "tong-c1.scope", 0)
         == CGROUP_DRIVER_SYSTEMD);
  /* create.json of a systemd container on a host without cgroup v2: the
   * scope alone, which delete stops. */
  CHECK (cgroup_driver_for_record (NULL, "tong-c1.scope", 0) == CGROUP_DRIVER_SYSTEMD);
  CHECK (cgroup_driver_for_record (NULL, NULL, 0) == CGROUP_DRIVER_NONE);
  /* A pure cgroup v1 host records no v2 directory, only the v1 ones. */
  CHECK (cgroup_driver_for_record (NULL, NULL, 3) == CGROUP_DRIVER_CGROUPFS);
}

int
main (void)
{
  RUN (test_for_manager);
  RUN (test_for_record);
  return failures ? 1 : 0;
}
