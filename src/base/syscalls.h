/* Syscalls that glibc 2.36 or musl 1.2.3 does not wrap, behind one small header. */
#ifndef TONG_SYSCALLS_H
#define TONG_SYSCALLS_H

#include <fcntl.h>
#ifndef __GLIBC__
/* musl's <sys/mount.h> spells four MS_* constants other than the kernel's
 * header (same values): the kernel's win, and a later <sys/mount.h> is a
 * no-op behind its include guard. */
#include <sys/mount.h>
#undef MS_NOUSER
#undef MS_RMT_MASK
#undef MS_MGC_VAL
#undef MS_MGC_MSK
#endif
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static inline pid_t
sys_clone3 (struct clone_args *args)
{
  return (pid_t) syscall (SYS_clone3, args, sizeof *args);
}

static inline int
sys_openat2 (int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
  struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
  return (int) syscall (SYS_openat2, dirfd, path, &how, sizeof how);
}

static inline int
sys_pivot_root (const char *new_root, const char *put_old)
{
  return (int) syscall (SYS_pivot_root, new_root, put_old);
}

static inline int
sys_mount_setattr (int dirfd, const char *path, unsigned int flags, struct mount_attr *attr)
{
  return (int) syscall (SYS_mount_setattr, dirfd, path, flags, attr, sizeof *attr);
}

static inline int
sys_open_tree (int dirfd, const char *path, unsigned int flags)
{
  return (int) syscall (SYS_open_tree, dirfd, path, flags);
}

static inline int
sys_move_mount (int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
                unsigned int flags)
{
  return (int) syscall (SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

static inline int
sys_fsopen (const char *fsname, unsigned int flags)
{
  return (int) syscall (SYS_fsopen, fsname, flags);
}

static inline int
sys_fsconfig (int fd, unsigned int cmd, const char *key, const void *value, int aux)
{
  return (int) syscall (SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int
sys_fsmount (int fd, unsigned int flags, unsigned int attr_flags)
{
  return (int) syscall (SYS_fsmount, fd, flags, attr_flags);
}

static inline int
sys_pidfd_open (pid_t pid, unsigned int flags)
{
  return (int) syscall (SYS_pidfd_open, pid, flags);
}

static inline int
sys_pidfd_send_signal (int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
  return (int) syscall (SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int
sys_close_range (unsigned int first, unsigned int last, unsigned int flags)
{
  return (int) syscall (SYS_close_range, first, last, flags);
}

static inline int
sys_execveat (int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
  return (int) syscall (SYS_execveat, dirfd, path, argv, envp, flags);
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* bpf(2): attr is a union bpf_attr (linux/bpf.h). */
static inline int
sys_bpf (int cmd, void *attr, unsigned int size)
{
  return (int) syscall (SYS_bpf, cmd, attr, size);
}

#endif
