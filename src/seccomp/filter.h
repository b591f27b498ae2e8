/* linux.seccomp: the filter compiled from the spec with libseccomp (or
 * found in the cache) by the runtime, then loaded by the container process
 * right before it becomes the user's program, and the listener protocol for
 * SCMP_ACT_NOTIFY (docs/seccomp.md). */
#ifndef TONG_SECCOMP_FILTER_H
#define TONG_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* The filter as the kernel runs it (a BPF program), whether a rule
 * notifies, and the flags to load it with. */
struct seccomp_program
{
  struct sock_filter *bpf;
  size_t len;    /* instructions */
  bool notifies; /* a rule uses SCMP_ACT_NOTIFY */
  /* For seccomp(2), from linux.seccomp.flags: SECCOMP_FILTER_FLAG_* but
   * WAIT_KILLABLE_RECV, which has its own field. */
  unsigned int kernel_flags;
  bool wait_killable;
};

/* A program ready to load, and the listener connection when it notifies. */
struct seccomp_plan;

/* In the runtime, before any process of the container exists: check what
 * the spec forbids and compile s with libseccomp, or find the program in the
 * cache of the state root rootfd (-1: no cache; src/seccomp/cache.h), where a
 * compiled one is stored.  *out is the program. */
int seccomp_program_get (const struct oci_seccomp *s, int rootfd, struct seccomp_program **out,
                         tong_error *err);
void seccomp_program_free (struct seccomp_program *prog);
static inline void
seccomp_program_freep (struct seccomp_program **p)
{
  seccomp_program_free (*p);
}

/* In the container's init (or the process of `tong exec`) while it still sees
 * the host's filesystem: the plan to load prog, connected to listenerPath when
 * a rule notifies.  prog must outlive the plan. */
int seccomp_prepare (const struct oci_seccomp *s, const struct seccomp_program *prog,
                     struct seccomp_plan **out, tong_error *err);

/* Load the plan's filter into the calling process with seccomp(2) (which
 * needs no_new_privs or CAP_SYS_ADMIN) and, with a listener, send it the
 * notify fd and the container process state built around state_json.  (Not
 * seccomp_load: libseccomp has that name.) */
int seccomp_plan_load (struct seccomp_plan *plan, const char *state_json, tong_error *err);

/* Free the plan, closing the listener connection; NULL is a no-op. */
void seccomp_plan_free (struct seccomp_plan *plan);

#endif
