/* A container's resource usage, read from its cgroup v2 or v1 files, as the
 * JSON of runc's `events` (types/events.go): cpu, memory, pids, blkio,
 * hugetlb.  What the hierarchy does not offer (a controller bound to the
 * other hierarchy on a hybrid host) is left out; on v2 cpu usage is always
 * there (cpu.stat is a core file). */
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

/* The same event line from cgroup v1 files: dir_of gives the directory of
 * each v1 controller ("cpu", "cpuacct", "memory", "pids", "blkio",
 * "hugetlb"; NULL: not mounted, its part is left out).  On a hybrid host a
 * controller bound to the v2 hierarchy instead (hugetlb, here) is read from
 * the v2 files of v2_path (NULL: none), with the v2 code's own readers.
 * Caller frees. */
char *cgroup_stats_event_v1 (const char *id,
                             const char *(*dir_of) (const char *controller, void *arg), void *arg,
                             const char *v2_path);

/* The OOM kill count of a v1 memory cgroup: the oom_kill line of
 * memory.oom_control (kernel 4.13+); false when there is none. */
bool cgroup_oom_kills_v1 (const char *memory_dir, unsigned long long *count);

#endif
