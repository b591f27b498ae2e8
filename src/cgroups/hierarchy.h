/* The host's cgroup hierarchies, read from what is mounted (never
 * configured): a pure cgroup v2 host, a pure v1 host (every controller in a
 * v1 hierarchy of its own or co-mounted with others, as RHEL 7 and 8,
 * Ubuntu 20.04 or Amazon Linux 2 boot), or a hybrid one (v1 controllers
 * under /sys/fs/cgroup/<name> and a cgroup2 at /sys/fs/cgroup/unified, which
 * holds whatever controller no v1 hierarchy took).  Parsing is plain data,
 * unit-tested; cgroup_host_get reads /proc once per process. */
#ifndef TONG_CGROUP_HIERARCHY_H
#define TONG_CGROUP_HIERARCHY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "src/base/error.h"

enum cgroup_mode
{
  CGROUP_MODE_NONE,   /* no cgroup hierarchy with a controller is mounted */
  CGROUP_MODE_V2,     /* the controllers are cgroup v2's */
  CGROUP_MODE_V1,     /* only v1 hierarchies */
  CGROUP_MODE_HYBRID, /* v1 hierarchies and a cgroup2 beside them */
};

/* One v1 hierarchy. */
struct cgroup_v1_hierarchy
{
  char *controllers; /* as /proc/self/cgroup names it: "cpu,cpuacct", "memory", "name=systemd" */
  char *mount;       /* where it is mounted: "/sys/fs/cgroup/cpu,cpuacct" */
  char *root;        /* the cgroup mounted there (mountinfo's root): "/" on a host */
  char *own;         /* the caller's cgroup in it: "/user.slice" ("" for the root) */
};

struct cgroup_host
{
  enum cgroup_mode mode;
  char *v2_mount; /* the cgroup2 mount, or NULL */
  char *v2_own;   /* the caller's cgroup v2 path ("" for the root), or NULL */
  struct cgroup_v1_hierarchy *v1;
  size_t n_v1;
};

/* Parse /proc/self/mountinfo's and /proc/self/cgroup's texts.  Only the v1
 * hierarchies tong places containers in are kept: those with a controller,
 * and name=systemd (as runc); a hierarchy mounted twice is kept once. */
void cgroup_host_parse (const char *mountinfo, const char *proc_cgroup, struct cgroup_host *h);
void cgroup_host_clear (struct cgroup_host *h);

/* The host tong runs on (read once; NULL members when /proc cannot be read). */
const struct cgroup_host *cgroup_host_get (void);

const char *cgroup_mode_name (enum cgroup_mode mode);

/* Are the host's controllers (some of them) cgroup v1's: a v1 or hybrid host? */
bool cgroup_host_is_v1 (const struct cgroup_host *h);

/* The v1 hierarchy holding controller ("memory", "name=systemd"), or NULL. */
const struct cgroup_v1_hierarchy *cgroup_host_v1_find (const struct cgroup_host *h,
                                                       const char *controller);

/* Is `name` one of the comma-separated `list`? */
bool cgroup_list_has (const char *list, const char *name);

/* The directory of the cgroup that linux.cgroupsPath names in a hierarchy
 * mounted at mount whose mount shows the cgroup root, the caller being in
 * own, as runc reads it: absolute (below the hierarchy's root), relative
 * (below the caller's own cgroup), or empty (tong/<id> below it).  The
 * path's checks (no "..", not systemd's slice:prefix:name) are
 * cgroup_path_check's. */
char *cgroup_dir_join (const char *mount, const char *root, const char *own,
                       const char *cgroups_path, const char *id);

/* linux.cgroupsPath as the cgroupfs drivers can take it. */
int cgroup_path_check (const char *cgroups_path, tong_error *err);

/* The directory of a v1 hierarchy's cgroup path ("/a/b" as /proc/PID/cgroup
 * shows it); NULL when the mount does not show it. */
char *cgroup_v1_dir_of (const struct cgroup_v1_hierarchy *hier, const char *path);

/* A new process (a container's init, an exec'd process) moves itself into
 * its cgroup v1 directories: the runtime opens their `tasks` files (the
 * kernel checks the opener's credentials, so a process in a user namespace
 * can use them), the process writes "0" into each before it runs anything
 * of its own.  A thread that moves itself skips the lock a move of another
 * process takes for a whole RCU grace period (milliseconds per create on an
 * idle host). */
struct cgroup_v1_join
{
  int *fds;
  char **dirs; /* for errors */
  size_t n;
};

/* Open dir/tasks of each of dirs. */
int cgroup_v1_join_open (char *const *dirs, size_t n, struct cgroup_v1_join *j, tong_error *err);

/* The same for every v1 cgroup that `like` is in and the caller is not (an
 * exec'd process joins its container's init). */
int cgroup_v1_join_open_like (pid_t like, struct cgroup_v1_join *j, tong_error *err);

/* In the new process: "0" into each file; the error names the directory. */
int cgroup_v1_join_self (const struct cgroup_v1_join *j, tong_error *err);

void cgroup_v1_join_close (struct cgroup_v1_join *j);

#define _cleanup_cgroup_v1_join_ __attribute__ ((cleanup (cgroup_v1_join_close)))

#endif
