/* The container's cgroup v2 directory: where its processes are tracked,
 * frozen, listed and killed.  Its limits: limits.h.  The drivers (v2.c,
 * systemd-driver.c) are made of these; the layers above call driver.h. */
#ifndef TONG_CGROUP_H
#define TONG_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* Where the cgroup v2 hierarchy is mounted: /sys/fs/cgroup on a pure v2 host,
 * /sys/fs/cgroup/unified on a hybrid one; NULL when there is none. */
const char *cgroup_v2_mount (void);

/* The container's cgroup as an absolute path in the filesystem, from
 * linux.cgroupsPath as runc reads it: absolute (below the hierarchy's root),
 * relative (below tong's own cgroup), or empty (tong/<id> below tong's own
 * cgroup).  *out is NULL when the host has no cgroup v2 hierarchy. */
int cgroup_resolve (const struct oci_spec *spec, const char *id, char **out, tong_error *err);

/* Refuse a directory that already holds processes (another container's). */
int cgroup_check_unused (const char *path, tong_error *err);

/* Create the directory (and its parents); returns an fd of it for
 * clone3's CLONE_INTO_CGROUP. */
int cgroup_create (const char *path, tong_error *err);

/* The pids of every process in the cgroup.  Caller frees *pids. */
int cgroup_pids (const char *path, pid_t **pids, size_t *n, tong_error *err);

/* Freeze or thaw every process, waiting until cgroup.events says so. */
int cgroup_freeze (const char *path, bool freeze, tong_error *err);
bool cgroup_frozen (const char *path);

/* Send sig to every process (SIGKILL through cgroup.kill). */
int cgroup_signal_all (const char *path, int sig, tong_error *err);

/* Kill what is left, wait until the cgroup is empty, remove it.  A cgroup
 * that is already gone is not an error. */
int cgroup_destroy (const char *path, tong_error *err);

/* After path is removed: its parent too, if it is the default tong/ and
 * empty (another create may be using it: then it stays). */
void cgroup_remove_default_parent (const char *path);

#endif
