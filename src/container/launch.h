/* The last steps of a container process, in the order runc and crun take
 * them: security module labels, the identity, the seccomp filter, a last
 * step of the caller's, execve.  Here rather than in src/process because
 * the filter is src/seccomp's. */
#ifndef TONG_LAUNCH_H
#define TONG_LAUNCH_H

#include "oci/spec.h"
#include "src/base/error.h"
#include "src/process/lsm.h"
#include "src/seccomp/filter.h"

/* What runs last before the execve, with everything of the container's
 * process in place: its user and groups, capabilities, noNewPrivileges,
 * rlimits and seccomp filter (the init's startContainer hooks). */
struct launch_step
{
  int (*run) (void *arg, tong_error *err);
  void *arg;
};

/* Write the labels of lsm (opened before the child entered the container;
 * they take effect at execve, and are written before the identity change
 * and noNewPrivileges, which could forbid the transition), apply p's
 * identity and the seccomp filter (plan may be NULL), run last (may be
 * NULL) and execve.  Without noNewPrivileges, loading a filter needs
 * CAP_SYS_ADMIN, which the identity may drop: then the filter goes first
 * (as runc does); with it, the filter goes after the identity, so that the
 * fewest of tong's own system calls run under it.  state_json goes to a
 * seccomp listener with the notify fd.  Returns only on failure. */
int launch_process (const struct oci_process *p, struct lsm_attrs *lsm, struct seccomp_plan *plan,
                    const char *state_json, const struct launch_step *last, tong_error *err);

#endif
