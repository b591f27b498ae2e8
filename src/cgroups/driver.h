/* A container's cgroup behind one interface: a driver is a table of the
 * operations a cgroup manager must implement, and the layers above call only
 * these (never cgroup.h, limits.h's apply or systemd.h directly).  Two
 * drivers exist: "cgroupfs", tong's own cgroup v2 directories (v2.h), and
 * "systemd", a transient scope that systemd makes over D-Bus and delegates
 * to tong, which then holds a cgroup v2 directory too (it reuses the v2
 * file operations and adds the scope's start, stop and properties).  On a
 * cgroup v1 or hybrid host, "cgroupfs" is the v1 table (v1.h): a directory
 * in every v1 hierarchy, and on a hybrid host the v2 one besides. */
#ifndef TONG_CGROUP_DRIVER_H
#define TONG_CGROUP_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "src/base/error.h"
#include "src/cgroups/hierarchy.h"
#include "src/cgroups/limits.h"

/* One container's cgroup, as its state records it. */
struct cgroup_handle
{
  const struct cgroup_driver *driver;
  const char *id; /* the container's (borrowed): messages, the stats event */
  char *path;     /* the cgroup v2 directory, or NULL */
  /* v1, hybrid: the directory of every v1 controller ("memory",
   * "name=systemd"; co-mounted ones share one), as runc's cgroup_paths. */
  struct oci_map v1_paths;
  char *unit;   /* systemd: the scope holding path, or NULL */
  pid_t helper; /* systemd, during create: the process standing in for the init */
};

/* What create knows when it plans and makes the cgroup. */
struct cgroup_config
{
  const struct oci_spec *spec;
  const char *id;
  bool rootless;
};

struct cgroup_driver
{
  const char *name; /* "cgroupfs", "systemd": what --cgroup-manager says */
  /* Why the musl build of tong hands the container to tong-full (the
   * words of twin_hand_over), or NULL when it can drive it itself. */
  const char *hand_over;

  /* create, before anything is made: where the cgroup will be (cg->path,
   * cg->unit), so that it can be recorded first.  A directory that holds
   * processes already is refused. */
  int (*plan) (const struct cgroup_config *c, struct cgroup_handle *cg, tong_error *err);
  /* Make it; *birth_fd gets an fd of the v2 directory (for clone3's
   * CLONE_INTO_CGROUP), or -1 on a pure v1 host.  On failure nothing is
   * left and the handle holds no cgroup. */
  int (*create) (const struct cgroup_config *c, struct cgroup_handle *cg, int *birth_fd,
                 tong_error *err);
  /* The rest of the cgroup, where clone3 does not place the init (cgroup
   * v1's hierarchies): the files the init writes itself into before it
   * runs anything of its own (hierarchy.h).  NULL: clone3 places it. */
  int (*join_open) (const struct cgroup_handle *cg, struct cgroup_v1_join *j, tong_error *err);
  /* The init lives in the cgroup now (or create failed): whatever stood in
   * for it goes. */
  void (*settle) (struct cgroup_handle *cg);
  /* The limits at create, before the init is born. */
  int (*apply) (const struct cgroup_handle *cg, const struct cgroup_limits *l, tong_error *err);
  /* `update`: res as given in full (the merged resources), l planned from
   * it; the device filter is replaced when l lists device rules. */
  int (*update) (const struct cgroup_handle *cg, const struct oci_resources *res,
                 const struct cgroup_limits *l, tong_error *err);
  /* Freeze or thaw every process, and wait until it is so. */
  int (*freeze) (const struct cgroup_handle *cg, bool freeze, tong_error *err);
  bool (*is_frozen) (const struct cgroup_handle *cg);
  /* Send sig to every process. */
  int (*kill) (const struct cgroup_handle *cg, int sig, tong_error *err);
  /* Every process's pid; the caller frees *pids. */
  int (*pids) (const struct cgroup_handle *cg, pid_t **pids, size_t *n, tong_error *err);
  /* The `events` line {"type":"stats","id":ID,"data":{...}}; caller frees. */
  char *(*stats) (const struct cgroup_handle *cg);
  /* The OOM kill count; false when there is none to read. */
  bool (*oom_kills) (const struct cgroup_handle *cg, unsigned long long *count);
  /* Kill what is left, wait until it is empty, remove it (and end what
   * holds it).  A cgroup that is gone already is not an error. */
  int (*destroy) (struct cgroup_handle *cg, tong_error *err);
};

enum cgroup_driver_id
{
  CGROUP_DRIVER_NONE, /* --cgroup-manager disabled, or nothing recorded */
  CGROUP_DRIVER_CGROUPFS,
  CGROUP_DRIVER_SYSTEMD,
};

/* The driver a new container gets from --cgroup-manager (cgroupfs,
 * systemd, disabled; --systemd-cgroup is systemd). */
enum cgroup_driver_id cgroup_driver_for_manager (const char *manager);

/* The driver of an existing container, from what its state records: a
 * systemd scope is systemd's, cgroup directories cgroupfs's (n_v1_paths:
 * how many v1 directories are recorded). */
enum cgroup_driver_id cgroup_driver_for_record (const char *path, const char *unit,
                                                size_t n_v1_paths);

/* The table of a driver; NULL for CGROUP_DRIVER_NONE. */
const struct cgroup_driver *cgroup_driver_get (enum cgroup_driver_id id);

/* A handle on a recorded cgroup (path, unit and v1_paths copied), its
 * driver chosen from them; false (and no driver) when nothing is recorded. */
bool cgroup_handle_open (const char *id, const char *path, const char *unit,
                         const struct oci_map *v1_paths, struct cgroup_handle *cg);
void cgroup_handle_clear (struct cgroup_handle *cg);

#define _cleanup_cgroup_handle_ __attribute__ ((cleanup (cgroup_handle_clear)))

#endif
