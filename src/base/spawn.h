/* clone3, with clone(2) to fall back on. */
#ifndef TONG_SPAWN_H
#define TONG_SPAWN_H

#include <sys/types.h>

#include "src/base/syscalls.h"

/* clone3 (args), fork-like (no new stack): 0 in the child, the child's pid
 * in the parent, -1 with errno.  Where clone3 is missing (ENOSYS: kernels
 * before 5.3, and seccomp profiles that refuse it, as Docker's default one
 * does, so that callers fall back), clone(2) with the same flags and exit
 * signal: CLONE_PIDFD through clone's parent_tid, and CLONE_INTO_CGROUP by
 * writing the child's pid into the cgroup's cgroup.procs before returning
 * (a new cgroup namespace is then unshared by the child once it is there,
 * so that it is rooted at that cgroup, as clone3 would root it).
 * The callers' children wait for SYNC_GO before anything of theirs runs, so
 * that the move precedes all they do; only the instant between the clone
 * and the write is spent outside the cgroup.  Other flags above 32 bits
 * have no fallback (ENOSYS stays). */
pid_t spawn_clone (struct clone_args *args);

/* Move pid into the cgroup v2 directory fd cgroup (its cgroup.procs): the
 * one way tong moves a process into a cgroup, for clone's fallback and the
 * cgroup drivers.  Returns 0 or -errno. */
int spawn_move_to_cgroup (int cgroup, pid_t pid);

#endif
