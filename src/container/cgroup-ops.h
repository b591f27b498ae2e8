/* What the commands do to a container through its cgroup driver
 * (src/cgroups/driver.h): pause and resume, ps, events, update.  The
 * commands in src/cli/ parse their flags and call these; each checks the
 * container's status against the table of status.h first. */
#ifndef TONG_CONTAINER_CGROUP_OPS_H
#define TONG_CONTAINER_CGROUP_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "src/base/error.h"
#include "src/container/globals.h"

/* Freeze (pause) or thaw (resume) every process of the container. */
int container_pause (struct tong_globals *g, const char *id, bool freeze, tong_error *err);

/* The pids of the container's processes; the caller frees *pids. */
int container_ps (struct tong_globals *g, const char *id, pid_t **pids, size_t *n, tong_error *err);

/* The `events` JSON lines, each handed to emit (without its newline): with
 * once, one stats line; otherwise a stats line every interval_ms and an
 * {"type":"oom","id":ID} line for every new OOM kill, until the container
 * stops. */
int container_events (struct tong_globals *g, const char *id, bool once, long long interval_ms,
                      void (*emit) (const char *line), tong_error *err);

/* Merge the resources of resources_arg (a file, "-" for stdin, or NULL)
 * and then flags_json (a LinuxResources object from update's flags) into
 * those the container has, apply the whole, and record it. */
int container_update (struct tong_globals *g, const char *id, const char *resources_arg,
                      const char *flags_json, tong_error *err);

#endif
