/* A process that still runs tong's binary inside a container's pid namespace
 * must not let the container reach that binary through /proc/PID/exe (nor its
 * fds through /proc/PID/fd): see "Hardening" in docs/design.md. */
#include "protect_exe.h"

#include <sys/prctl.h>

void
protect_exe_hide_runtime (void)
{
  /* Non-dumpable: /proc/PID/{exe,fd,cwd,root,mem,environ} need
   * CAP_SYS_PTRACE in the user namespace tong was started in.  execve of the
   * container's program makes the process dumpable again.  It cannot fail
   * for the value 0. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
}
