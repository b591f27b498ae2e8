/* linux.seccomp: the filter built from the spec with libseccomp, then loaded
 * by the container process right before it becomes the user's program, and
 * the listener protocol for SCMP_ACT_NOTIFY (docs/seccomp.md). */
#ifndef TONG_SECCOMP_FILTER_H
#define TONG_SECCOMP_FILTER_H

#include "oci/spec.h"
#include "src/error.h"

/* A filter ready to load, and the listener connection when the spec uses
 * SCMP_ACT_NOTIFY. */
struct seccomp_plan;

/* In the container's init while it still sees the host's filesystem (before
 * pivot_root): build the filter for s, checking the combinations the spec
 * forbids, and connect to listenerPath when a rule notifies; *out is the plan. */
int seccomp_prepare (const struct oci_seccomp *s, struct seccomp_plan **out, tong_error *err);

/* Load the plan's filter into the calling process (which needs no_new_privs
 * or CAP_SYS_ADMIN for it) and, with a listener, send it the notify fd and the
 * container process state built around state_json.  (Not seccomp_load:
 * libseccomp has that name.) */
int seccomp_plan_load (struct seccomp_plan *plan, const char *state_json, tong_error *err);

/* Free the plan, closing the listener connection; NULL is a no-op. */
void seccomp_plan_free (struct seccomp_plan *plan);

#endif
