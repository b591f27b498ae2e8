/* Capabilities of the container process: names, sets parsed from the spec,
 * and applying them to the calling process with libcap. */
#ifndef TONG_CAPS_H
#define TONG_CAPS_H

#include <stdint.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* The five sets of process.capabilities as bit masks (bit n = capability n). */
struct caps_sets
{
  uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* Name to number with the "CAP_" prefix, exactly as the spec spells it; -EINVAL if unknown. */
int caps_from_name (const char *name);
/* Number to name ("CAP_CHOWN"), or NULL past the table. */
const char *caps_name (int cap);
/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int caps_last (void);

/* Parse a strv of names into a mask; unknown names fail with
 * "process.capabilities.<field>: unknown capability \"CAP_FOO\"".  Names the
 * running kernel does not know (above last_cap) are left out, as runc does. */
int caps_parse_list (char *const *names, const char *field, int last_cap, uint64_t *mask,
                     tong_error *err);
/* All five sets; a NULL spec gives all-empty sets (every capability dropped). */
int caps_parse (const struct oci_capabilities *c, int last_cap, struct caps_sets *out,
                tong_error *err);

/* Drop from the bounding set every capability not in sets->bounding
 * (needs CAP_SETPCAP, so before changing uid). */
int caps_apply_bounding (const struct caps_sets *sets, int last_cap, tong_error *err);
/* Set effective, permitted and inheritable, then the ambient set. */
int caps_apply (const struct caps_sets *sets, int last_cap, tong_error *err);

#endif
