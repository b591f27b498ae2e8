#include "launch.h"

#include <stdbool.h>

#include "src/process/process.h"

int
launch_process (const struct oci_process *p, struct lsm_attrs *lsm, struct seccomp_plan *plan,
                const char *state_json, const struct launch_step *last, tong_error *err)
{
  bool early = plan && !p->no_new_privileges;
  int r;

  r = lsm_apply_process (lsm, p, err);
  if (r < 0)
    return r;
  if (early)
    {
      r = seccomp_plan_load (plan, state_json, err);
      if (r < 0)
        return r;
    }
  r = process_apply_identity (p, err);
  if (r < 0)
    return r;
  if (plan && !early)
    {
      r = seccomp_plan_load (plan, state_json, err);
      if (r < 0)
        return r;
    }
  if (last && last->run)
    {
      r = last->run (last->arg, err);
      if (r < 0)
        return r;
    }
  return process_execve (p, err);
}
