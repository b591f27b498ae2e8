/* Scheduling-related attributes of the container process: personality,
 * I/O priority and CPU scheduler.  Set in the child before exec. */
#include "process.h"

#include <errno.h>
#include <linux/sched/types.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "src/base/util.h"

int
process_set_personality (const struct oci_personality *pers, tong_error *err)
{
  unsigned long persona;

  if (!pers || !pers->domain)
    return 0;
  if (strcmp (pers->domain, "LINUX") == 0)
    persona = PER_LINUX;
  else if (strcmp (pers->domain, "LINUX32") == 0)
    persona = PER_LINUX32;
  else
    return tong_err (err, 0, "linux.personality.domain: unknown domain \"%s\" (LINUX or LINUX32)",
                     pers->domain);
  if (personality (persona) < 0)
    return tong_err (err, errno, "set personality %s", pers->domain);
  return 0;
}

/* The uapi header with these is not in every distribution's linux-libc-dev. */
enum
{
  IOPRIO_WHO_PROCESS_ = 1,
  IOPRIO_CLASS_SHIFT_ = 13,
};

static int
io_class_from_name (const char *name)
{
  if (strcmp (name, "IOPRIO_CLASS_RT") == 0)
    return 1;
  if (strcmp (name, "IOPRIO_CLASS_BE") == 0)
    return 2;
  if (strcmp (name, "IOPRIO_CLASS_IDLE") == 0)
    return 3;
  return -EINVAL;
}

int
process_set_io_priority (const struct oci_io_priority *io, tong_error *err)
{
  int cls;

  if (!io)
    return 0;
  cls = io->class ? io_class_from_name (io->class) : io->class_num;
  if (cls < 0)
    return tong_err (err, 0,
                     "process.ioPriority.class: unknown class \"%s\" "
                     "(IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)",
                     io->class);
  if (io->priority < 0 || io->priority > 7)
    return tong_err (err, 0, "process.ioPriority.priority: %d is out of range 0-7", io->priority);
  if (syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS_, 0, (cls << IOPRIO_CLASS_SHIFT_) | io->priority)
      < 0)
    return tong_err (err, errno, "set I/O priority %s/%d%s", io->class ? io->class : "?",
                     io->priority,
                     errno == EPERM ? " (the realtime class needs CAP_SYS_ADMIN)" : "");
  return 0;
}

static const struct
{
  const char *name;
  int value;
} sched_policies[] = {
  { "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },       { "SCHED_BATCH", 3 },
  { "SCHED_ISO", 4 },   { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
};

static const struct
{
  const char *name;
  uint64_t value;
} sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

int
process_set_scheduler (const struct oci_scheduler *s, tong_error *err)
{
  struct sched_attr attr;
  int policy = -1;

  if (!s)
    return 0;
  memset (&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  if (s->policy)
    {
      for (size_t i = 0; i < ARRAY_SIZE (sched_policies); i++)
        if (strcmp (s->policy, sched_policies[i].name) == 0)
          policy = sched_policies[i].value;
      if (policy < 0)
        return tong_err (err, 0, "process.scheduler.policy: unknown policy \"%s\"", s->policy);
    }
  else
    policy = s->policy_num;
  attr.sched_policy = (uint32_t) policy;
  for (size_t i = 0; s->flags && s->flags[i]; i++)
    {
      bool found = false;
      for (size_t j = 0; j < ARRAY_SIZE (sched_flags); j++)
        if (strcmp (s->flags[i], sched_flags[j].name) == 0)
          {
            attr.sched_flags |= sched_flags[j].value;
            found = true;
          }
      if (!found)
        return tong_err (err, 0, "process.scheduler.flags: unknown flag \"%s\"", s->flags[i]);
    }
  if (s->has_nice)
    attr.sched_nice = s->nice;
  if (s->has_priority)
    attr.sched_priority = (uint32_t) s->priority;
  if (s->has_runtime)
    attr.sched_runtime = s->runtime;
  if (s->has_deadline)
    attr.sched_deadline = s->deadline;
  if (s->has_period)
    attr.sched_period = s->period;
  if (syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
    return tong_err (err, errno, "set scheduler %s (process.scheduler)%s",
                     s->policy ? s->policy : "?",
                     errno == EINVAL ? ": the kernel rejects these parameters" : "");
  return 0;
}

int
process_prepare (struct oci_process *p, const struct oci_personality *pers, tong_error *err)
{
  int r;

  process_set_default_home (p);
  r = process_set_personality (pers, err);
  if (r == 0)
    r = process_set_io_priority (p->io_priority, err);
  if (r == 0)
    r = process_set_scheduler (p->scheduler, err);
  if (r == 0)
    r = process_check_executable (p, err);
  return r;
}
