/* The container's init, from its clone to the execve of the container's
 * process: its side of the lock-step with the runtime over the sync socket
 * (create.c is the other), its setup in the order the spec asks, the wait
 * for `start`, the startContainer hooks. */
#ifndef TONG_INIT_H
#define TONG_INIT_H

#include "oci/spec.h"
#include "src/container/container.h"
#include "src/cgroups/hierarchy.h"
#include "src/container/create-plan.h"
#include "src/container/state.h"
#include "src/namespaces/rootfs.h"
#include "src/process/lsm.h"
#include "src/seccomp/filter.h"

/* Everything the init needs, prepared by the runtime before clone3. */
struct init_ctx
{
  const struct oci_spec *spec;
  const struct create_options *opts;
  struct rootfs_ctx rootfs;
  int sync_fd;
  int fifo_fd;
  int *ns_fds;
  struct create_plan plan; /* the namespaces, what is deferred, the fds kept */
  /* The cgroup v1 directories the init moves itself into at SYNC_GO (its
   * copy of the runtime's: it closes the files once it is in) */
  struct cgroup_v1_join *cgroup_join;
  struct container_state state; /* for the hooks the init runs; pid set at SYNC_GO */
  /* linux.seccomp (NULL: none): compiled by the runtime, the plan made by
   * the init before pivot_root */
  const struct seccomp_program *seccomp_program;
  struct seccomp_plan *seccomp;
  struct lsm_attrs lsm; /* opened by the init before it joins anything */
  /* The runtime's state fds and its end of the sync socket: the init
   * closes its copies, so that the flock on the state dir goes with the
   * runtime, and so that the runtime's death closes the socket, which the
   * init reads before it has PR_SET_PDEATHSIG. */
  int runtime_fds[3];
};

/* In the child of clone3: set up, report ready, wait for `start` (exec.fifo,
 * or SYNC_START for `run`), exec.  Never returns. */
void init_main (struct init_ctx *c) __attribute__ ((noreturn));

#endif
