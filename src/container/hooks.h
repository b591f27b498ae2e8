/* OCI hooks: run each hook with the container state on stdin. */
#ifndef TONG_HOOKS_H
#define TONG_HOOKS_H

#include "oci/spec.h"
#include "src/base/error.h"

/* Run hooks in order; the first failure (non-zero exit, signal, or its timeout)
 * stops the list and is returned with err naming the phase, the index and the path:
 * "createRuntime hook 0 (`/usr/bin/foo`): exited with status 2".
 * state_json is written to each hook's stdin. */
int hooks_run (const struct oci_hook_list *hooks, const char *phase, const char *state_json,
               tong_error *err);

/* Run every hook of a phase whose failures the spec makes warnings
 * (poststart, poststop): each failure is logged, the rest still run. */
void hooks_run_warn (const struct oci_hook_list *hooks, const char *phase, const char *state_json);

#endif
