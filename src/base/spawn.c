/* clone3, with clone(2) to fall back on (spawn.h). */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>

#include "src/base/util.h"

int
spawn_move_to_cgroup (int cgroup, pid_t pid)
{
  char text[24];
  int fd = openat (cgroup, "cgroup.procs", O_WRONLY | O_CLOEXEC);
  int n = str_format (text, sizeof text, "%d", (int) pid), r;

  if (fd < 0)
    return -errno;
  r = write_all (fd, text, (size_t) n);
  close (fd);
  return r;
}

static pid_t
clone_fallback (const struct clone_args *args)
{
  unsigned long flags = (unsigned long) (args->flags & ~(uint64_t) CLONE_INTO_CGROUP);
  bool into_cgroup = args->flags & CLONE_INTO_CGROUP;
  /* A new cgroup namespace is rooted at the cgroup its creator is in: made
   * by the child once it is in its cgroup, as clone3 would have made it. */
  bool late_cgroupns = into_cgroup && (flags & CLONE_NEWCGROUP);
  int moved[2] = { -1, -1 };
  pid_t child;
  int r;

  if ((args->flags & ~(uint64_t) CLONE_INTO_CGROUP) >> 32 || args->exit_signal > CSIGNAL
      || args->stack || args->set_tid_size)
    {
      errno = ENOSYS;
      return -1;
    }
  if (late_cgroupns)
    {
      if (pipe2 (moved, O_CLOEXEC) < 0)
        return -1;
      flags &= ~(unsigned long) CLONE_NEWCGROUP;
    }
    /* clone (flags | exit signal, no new stack, parent_tid, child_tid, tls):
     * with CLONE_PIDFD the pidfd goes where parent_tid points.  (s390
     * swaps the first two arguments.) */
#if defined(__s390__)
  child = (pid_t) syscall (SYS_clone, 0UL, flags | (unsigned long) args->exit_signal,
                           (int *) (uintptr_t) args->pidfd, NULL, 0UL);
#else
  child = (pid_t) syscall (SYS_clone, flags | (unsigned long) args->exit_signal, 0UL,
                           (int *) (uintptr_t) args->pidfd, NULL, 0UL);
#endif
  if (child == 0 && late_cgroupns)
    {
      char byte;
      close (moved[1]);
      if (read (moved[0], &byte, 1) != 1 || unshare (CLONE_NEWCGROUP) < 0)
        _exit (127);
      close (moved[0]);
      return 0;
    }
  if (child > 0 && into_cgroup)
    {
      r = spawn_move_to_cgroup ((int) args->cgroup, child);
      if (r == 0 && late_cgroupns && write (moved[1], "", 1) != 1)
        r = -errno;
      if (r < 0)
        {
          kill (child, SIGKILL);
          while (waitpid (child, NULL, args->exit_signal == SIGCHLD ? 0 : __WALL) < 0
                 && errno == EINTR)
            ;
          if (args->flags & CLONE_PIDFD)
            close (*(int *) (uintptr_t) args->pidfd);
          errno = -r;
          child = -1;
        }
    }
  if (late_cgroupns)
    {
      int e = errno;
      close (moved[0]);
      close (moved[1]);
      errno = e;
    }
  return child;
}

pid_t
spawn_clone (struct clone_args *args)
{
  pid_t child = sys_clone3 (args);

  if (child < 0 && errno == ENOSYS)
    return clone_fallback (args);
  return child;
}
