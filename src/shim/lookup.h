/* Find the command a container will run in the image's root before tong
 * starts it, so that tong-shim can exit as podman does: 127 when it does not
 * exist, 126 when it cannot be executed. */
#ifndef TONG_SHIM_LOOKUP_H
#define TONG_SHIM_LOOKUP_H

#include "src/base/error.h"
#include "src/shim/run_spec.h"

/* 0 when found (or when it may come from a volume, which tong-shim cannot
 * see), else 126 or 127 with err set. */
int command_lookup (int rootfd, const char *cmd, char *const *env, const char *cwd,
                    const struct run_spec *o, tong_error *err);

#endif
