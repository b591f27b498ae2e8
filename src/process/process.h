/* The container process: identity, privileges and exec.  Shared by create
 * (the container's init) and exec. */
#ifndef TONG_PROCESS_H
#define TONG_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* From the runtime (parent), on the child: rlimits with prlimit(2) and
 * oom_score_adj, which need privileges the child may have lost in a new user namespace. */
int process_set_rlimits (pid_t pid, const struct oci_process *p, tong_error *err);
int process_set_oom_score_adj (pid_t pid, const struct oci_process *p, tong_error *err);

/* In the child, the last steps, with whatever must come in between (the
 * seccomp filter, startContainer hooks: src/container/launch.h):
 * process_apply_identity does chdir(cwd), drops the bounding set,
 * setgroups(additionalGids), setresgid/setresuid, umask, capabilities
 * (effective, permitted, inheritable, ambient) with libcap and
 * noNewPrivileges; process_execve looks args[0] up in the PATH of
 * process.env and execs it, returning only on failure, with err naming the
 * step ("exec `foo`: executable file not found in $PATH"). */
int process_apply_identity (const struct oci_process *p, tong_error *err);
int process_execve (const struct oci_process *p, tong_error *err);

/* At create time, in the container after pivot_root: fail early, with the
 * message process_execve would give, when args[0] is not an executable file
 * (runc checks this before `create` returns). */
int process_check_executable (const struct oci_process *p, tong_error *err);

/* At create time: fail early on capability names that process_apply_identity would
 * reject ("process.capabilities.bounding: unknown capability \"CAP_FOO\""). */
int process_check_capabilities (const struct oci_process *p, tong_error *err);

/* In the child, before the last steps: linux.personality (domain LINUX or
 * LINUX32), process.ioPriority (ioprio_set) and process.scheduler
 * (sched_setattr).  Each is a no-op for NULL. */
int process_set_personality (const struct oci_personality *pers, tong_error *err);
int process_set_io_priority (const struct oci_io_priority *io, tong_error *err);
int process_set_scheduler (const struct oci_scheduler *s, tong_error *err);

/* Set KEY=VALUE in process.env, replacing an earlier value of KEY. */
void process_env_set (struct oci_process *p, const char *kv);

/* In the container, after pivot_root: when process.env has no HOME, add the
 * home directory of process.user.uid from the container's /etc/passwd, or
 * "/" (as runc does). */
void process_set_default_home (struct oci_process *p);

/* In the child, the last checks before it reports ready: HOME, personality,
 * I/O priority, scheduler, and that args[0] can be found. */
int process_prepare (struct oci_process *p, const struct oci_personality *pers, tong_error *err);

/* Validate a capability name ("CAP_SYS_ADMIN"); returns its number or -EINVAL. */
int process_cap_from_name (const char *name);
/* Highest capability number the running kernel knows. */
int process_cap_last (void);

#endif
