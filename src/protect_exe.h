/* Keeping the runtime's binary out of the container's reach (CVE-2019-5736). */
#pragma once

/* First step of every process tong clones into a container (the init, the
 * process of `tong exec`): until it execs the container's program it runs
 * tong's binary, visible in the container's pid namespace. */
void protect_exe_hide_runtime (void);
