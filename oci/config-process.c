/* The "process" object of config.json (also process.json for exec). */
#include "oci/json.h"

#include <string.h>
#include <sys/resource.h>

#include "src/base/util.h"

static const struct jenum_item rlimit_items[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};
static const struct jenum rlimit_enum = { "rlimit", rlimit_items, ARRAY_SIZE (rlimit_items) };

/* Kernel values of include/uapi/linux/ioprio.h. */
static const struct jenum_item ioprio_items[] = {
  { "IOPRIO_CLASS_RT", 1 },
  { "IOPRIO_CLASS_BE", 2 },
  { "IOPRIO_CLASS_IDLE", 3 },
};
static const struct jenum ioprio_enum
    = { "I/O priority class", ioprio_items, ARRAY_SIZE (ioprio_items) };

/* Kernel values of include/uapi/linux/sched.h (glibc lacks some). */
static const struct jenum_item sched_items[] = {
  { "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },       { "SCHED_BATCH", 3 },
  { "SCHED_ISO", 4 },   { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
};
static const struct jenum sched_enum
    = { "scheduler policy", sched_items, ARRAY_SIZE (sched_items) };

static const struct jenum_item sched_flag_items[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};
static const struct jenum sched_flag_enum
    = { "scheduler flag", sched_flag_items, ARRAY_SIZE (sched_flag_items) };

static const struct jfield rlimit_fields[] = {
  F_ENUM ("type", struct oci_rlimit, type, resource, rlimit_enum, J_REQUIRED),
  F_NUM ("hard", J_U64, struct oci_rlimit, hard, uint64_t, J_REQUIRED),
  F_NUM ("soft", J_U64, struct oci_rlimit, soft, uint64_t, J_REQUIRED),
};
static const struct jtype rlimit_type = JTYPE (rlimit_fields, NULL);

static const struct jfield caps_fields[] = {
  F_STRV ("bounding", struct oci_capabilities, bounding, J_OPTIONAL),
  F_STRV ("effective", struct oci_capabilities, effective, J_OPTIONAL),
  F_STRV ("inheritable", struct oci_capabilities, inheritable, J_OPTIONAL),
  F_STRV ("permitted", struct oci_capabilities, permitted, J_OPTIONAL),
  F_STRV ("ambient", struct oci_capabilities, ambient, J_OPTIONAL),
};
static const struct jtype caps_type = JTYPE (caps_fields, NULL);

static const struct jfield user_fields[] = {
  /* Required by the schema, but runc and crun take a missing id as 0. */
  F_NUM ("uid", J_U32, struct oci_user, uid, uint32_t, J_OPTIONAL),
  F_NUM ("gid", J_U32, struct oci_user, gid, uint32_t, J_OPTIONAL),
  F_NUMH ("umask", J_U32, struct oci_user, umask, uint32_t, has_umask),
  F_U32S ("additionalGids", struct oci_user, additional_gids, additional_gids_len),
  F_STR ("username", struct oci_user, username, J_OPTIONAL),
};
static const struct jtype user_type = JTYPE (user_fields, NULL);

static const struct jfield console_fields[] = {
  F_NUM ("height", J_U32, struct oci_process, console_height, unsigned int, J_REQUIRED),
  F_NUM ("width", J_U32, struct oci_process, console_width, unsigned int, J_REQUIRED),
};
static const struct jtype console_type = JTYPE (console_fields, NULL);

static int
check_io_priority (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_io_priority *p = obj;

  if (p->priority < 0 || p->priority > 7)
    {
      jpath_push_key (c, "priority");
      return jerr (c, "%d is out of range: the priority within a class is 0 to 7", p->priority);
    }
  return 0;
}

static const struct jfield io_priority_fields[] = {
  F_ENUM ("class", struct oci_io_priority, class, class_num, ioprio_enum, J_REQUIRED),
  F_NUM ("priority", J_I32, struct oci_io_priority, priority, int, J_REQUIRED),
};
static const struct jtype io_priority_type = JTYPE (io_priority_fields, check_io_priority);

static int
check_scheduler (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_scheduler *s = obj;
  int num;

  jpath_push_key (c, "flags");
  for (size_t i = 0; s->flags && s->flags[i]; i++)
    if (!jenum_lookup (&sched_flag_enum, s->flags[i], &num))
      {
        jpath_push_index (c, i);
        return jerr (c, "unknown scheduler flag \"%.100s\"", s->flags[i]);
      }
  return 0;
}

static const struct jfield scheduler_fields[] = {
  F_ENUM ("policy", struct oci_scheduler, policy, policy_num, sched_enum, J_REQUIRED),
  F_NUMH ("nice", J_I32, struct oci_scheduler, nice, int32_t, has_nice),
  F_NUMH ("priority", J_I32, struct oci_scheduler, priority, int32_t, has_priority),
  F_STRV ("flags", struct oci_scheduler, flags, J_OPTIONAL),
  F_NUMH ("runtime", J_U64, struct oci_scheduler, runtime, uint64_t, has_runtime),
  F_NUMH ("deadline", J_U64, struct oci_scheduler, deadline, uint64_t, has_deadline),
  F_NUMH ("period", J_U64, struct oci_scheduler, period, uint64_t, has_period),
};
static const struct jtype scheduler_type = JTYPE (scheduler_fields, check_scheduler);

static int
check_process (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_process *p = obj;

  if (c->mode == OCI_PARSE_FOR_CREATE && (p->args == NULL || p->args[0] == NULL))
    {
      jpath_push_key (c, "args");
      return jerr (c, "must name at least the program to run");
    }
  if (p->cwd && p->cwd[0] != '/')
    {
      jpath_push_key (c, "cwd");
      return jerr (c, "\"%.200s\" is not an absolute path", p->cwd);
    }
  for (size_t i = 0; p->env && p->env[i]; i++)
    {
      const char *eq = strchr (p->env[i], '=');
      if (eq == NULL || eq == p->env[i])
        {
          jpath_push_key (c, "env");
          jpath_push_index (c, i);
          return jerr (c, "\"%.200s\" is not of the form NAME=VALUE", p->env[i]);
        }
    }
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    {
      jpath_push_key (c, "oomScoreAdj");
      return jerr (c, "%d is out of range -1000 to 1000", p->oom_score_adj);
    }
  return 0;
}

static const struct jfield process_fields[] = {
  F_BOOL ("terminal", struct oci_process, terminal),
  F_SAME ("consoleSize", struct oci_process, console_type, has_console_size),
  F_INLINE ("user", struct oci_process, user, struct oci_user, user_type, J_OPTIONAL),
  F_STRV ("args", struct oci_process, args, J_REQUIRED_CREATE),
  F_STR ("commandLine", struct oci_process, command_line, J_OPTIONAL),
  F_STRV ("env", struct oci_process, env, J_OPTIONAL),
  F_STR ("cwd", struct oci_process, cwd, J_REQUIRED_CREATE),
  F_OBJ ("capabilities", struct oci_process, capabilities, struct oci_capabilities, caps_type,
         J_OPTIONAL),
  F_ARRAY ("rlimits", struct oci_process, rlimits, rlimits_len, struct oci_rlimit, rlimit_type,
           J_OPTIONAL),
  F_BOOL ("noNewPrivileges", struct oci_process, no_new_privileges),
  F_STR ("apparmorProfile", struct oci_process, apparmor_profile, J_OPTIONAL),
  F_NUMH ("oomScoreAdj", J_I32, struct oci_process, oom_score_adj, int, has_oom_score_adj),
  F_STR ("selinuxLabel", struct oci_process, selinux_label, J_OPTIONAL),
  F_OBJ ("ioPriority", struct oci_process, io_priority, struct oci_io_priority, io_priority_type,
         J_OPTIONAL),
  F_OBJ ("scheduler", struct oci_process, scheduler, struct oci_scheduler, scheduler_type,
         J_OPTIONAL),
};
const struct jtype oci_process_type = JTYPE (process_fields, check_process);
