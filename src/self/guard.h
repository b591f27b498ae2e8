/* Keeping the runtime's binary out of the container's reach (CVE-2019-5736). */
#pragma once

#include <stdbool.h>

#include "src/base/error.h"

/* First step of every process tong clones into a container (the init, the
 * process of `tong exec`): until it execs the container's program it runs
 * tong's binary, visible in the container's pid namespace. */
void protect_exe_hide_runtime (void);

/* Called first thing in main: keeps the arguments and the signal mask tong
 * started with, for the re-execs below. */
void protect_exe_remember_start (char **argv);

/* Does this process run from a binary that no open can write (a sealed
 * memfd, or a file on a read-only mount)? */
bool protect_exe_running_protected (void);

/* Before create, run or exec makes anything: unless tong already runs from a
 * binary no open can write, re-exec it, with the same arguments, environment,
 * inheritable fds and starting signal mask, from a read-only clone of the
 * mount that holds its binary (from a sealed memfd copy where a mount cannot
 * be cloned).  Returns 0 when nothing was needed; on success of the re-exec
 * it does not return. */
int protect_exe_ensure (tong_error *err);

/* Exec path (another build of tong: src/self/twin.h) with the arguments,
 * environment and signal mask tong started with, from a read-only clone of
 * its mount where one can be made (else by path; it then protects itself).
 * Returns -errno on failure, -EINVAL when protect_exe_remember_start was not
 * called. */
int protect_exe_exec_as_started (const char *path);
