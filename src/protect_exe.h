/* Keeping the runtime's binary out of the container's reach (CVE-2019-5736). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "oci/config.h"
#include "src/error.h"

/* First step of every process tong clones into a container (the init, the
 * process of `tong exec`): until it execs the container's program it runs
 * tong's binary, visible in the container's pid namespace. */
void protect_exe_hide_runtime (void);

/* Called first thing in main: keeps the arguments and the signal mask tong
 * started with, for protect_exe_reexec_if_needed. */
void protect_exe_remember_start (char **argv);

/* For a container without a new user namespace of its own, whose processes
 * may hold CAP_SYS_PTRACE in tong's user namespace (the only case where
 * PR_SET_DUMPABLE does not keep them away from the binary): may_ptrace says
 * whether a bounding set tong gave (the spec's, an earlier or this exec's)
 * holds it; a pid namespace the container does not own counts too.  Unless
 * tong already runs from a sealed copy of itself, copy the binary into a
 * sealed memfd and re-exec from it with the same arguments, environment and
 * inheritable fds.  Returns 0 when nothing was needed; on success of the
 * re-exec it does not return.  Call it after parsing the spec, before any
 * state or process exists. */
int protect_exe_reexec_if_needed (const struct oci_spec *spec, bool may_ptrace, tong_error *err);

/* Exec path (another build of tong: src/twin.h) with the arguments,
 * environment and signal mask tong started with.  Returns -errno on failure,
 * -EINVAL when protect_exe_remember_start was not called. */
int protect_exe_exec_as_started (const char *path);

/* Does p's bounding set hold CAP_SYS_PTRACE? */
bool protect_exe_grants_ptrace (const struct oci_process *p);

/* Before `tong exec` starts p in a container without a user namespace of its
 * own: refuse to give CAP_SYS_PTRACE to a process while the container's init
 * (pid init) still runs tong's binary from the file rather than from a sealed
 * copy.  Call it before protect_exe_reexec_if_needed. */
int protect_exe_check_exec (const struct oci_spec *spec, const struct oci_process *p, pid_t init,
                            tong_error *err);

/* Does pid run the same binary as this process (a container init that has
 * not exec'd yet, not from a sealed copy)? */
bool protect_exe_pid_runs_runtime (pid_t pid);
