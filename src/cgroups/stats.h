/* A container's resource usage, read from its cgroup v2 files, as the JSON
 * of runc's `events` (types/events.go): cpu, memory, pids, blkio, hugetlb.
 * What the hierarchy does not offer (a controller bound to cgroup v1 on a
 * hybrid host) is left out; cpu usage is always there (cpu.stat is a core
 * file). */
#ifndef TONG_CGROUP_STATS_H
#define TONG_CGROUP_STATS_H

#include <stdbool.h>

/* The whole event line {"type":"stats","id":ID,"data":{...}} (no newline).
 * Caller frees. */
char *cgroup_stats_event (const char *path, const char *id);

/* The oom_kill counter of memory.events; false when there is none (no
 * memory controller). */
bool cgroup_oom_kills (const char *path, unsigned long long *count);

/* A value of a "key value" file (cpu.stat, memory.events, ...); false when
 * the file or the key is missing. */
bool cgroup_keyed_value (const char *path, const char *file, const char *key,
                         unsigned long long *value);

#endif
