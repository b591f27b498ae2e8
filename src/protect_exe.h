/* Keeping the runtime's binary out of the container's reach (CVE-2019-5736). */
#pragma once

#include "oci/config.h"
#include "src/error.h"

/* First step of every process tong clones into a container (the init, the
 * process of `tong exec`): until it execs the container's program it runs
 * tong's binary, visible in the container's pid namespace. */
void protect_exe_hide_runtime (void);

/* Called first thing in main: keeps the arguments and the signal mask tong
 * started with, for protect_exe_reexec_if_needed. */
void protect_exe_remember_start (char **argv);

/* For a container without a new user namespace of its own (the only case
 * where PR_SET_DUMPABLE does not keep its processes away from the binary):
 * unless tong already runs from a sealed copy of itself, copy the binary into
 * a sealed memfd and re-exec from it with the same arguments, environment
 * and inheritable fds.  Returns 0 when nothing was needed; on success of the
 * re-exec it does not return.  Call it after parsing the spec, before any
 * state or process exists. */
int protect_exe_reexec_if_needed (const struct oci_spec *spec, tong_error *err);
