/* The create plan: which namespaces the init gets new from clone3, which it
 * unshares or joins itself, what is deferred and what the runtime may
 * release early, the fds passed on: decided from the spec and a few facts
 * gathered first, as plain data, with no system call.  The spec stays as
 * parsed. */
#ifndef TONG_CREATE_PLAN_H
#define TONG_CREATE_PLAN_H

#include <stdbool.h>

#include "oci/spec.h"
#include "src/namespaces/namespaces.h"
#include "src/namespaces/subid.h"

/* What create finds out before it plans. */
struct create_facts
{
  bool joined[OCI_NS_COUNT]; /* the spec names the namespace by path */
  bool in_userns;            /* tong runs as root of a user namespace */
  /* A user other than root, and a spec without a user namespace: the
   * container gets one with these maps (rootless.h). */
  bool rootless_userns;
  struct subid_maps rootless_maps;
  int preserve_fds; /* --preserve-fds */
  int listen_fds;   /* LISTEN_FDS passed to tong (socket activation) */
  /* The cgroup driver moves the init into (part of) its cgroup after the
   * clone: cgroup v1's hierarchies. */
  bool cgroup_after_clone;
};

struct create_plan
{
  unsigned long clone_flags; /* CLONE_NEW* for clone3 */
  unsigned long
      unshare_flags;    /* the init unshares these after joining (a user namespace by path) */
  unsigned int ns_skip; /* joined by the runtime for the init, not by it (pid) */
  bool new_userns;
  /* The runtime writes the id maps (and oom_score_adj) of the init through
   * /proc: as a user other than root it can only while the process is
   * dumpable.  Nothing else can see it then: it is pid 1 of a new pid
   * namespace, alone until SYNC_GO. */
  bool defer_hide;
  bool new_timens; /* unshared by the init, which writes the offsets first */
  bool new_netns;
  /* The init is released as soon as it is born (no user namespace to map,
   * no hook and no network for the runtime to set up first). */
  bool early_release;
  /* With early_release, the new network namespace is unshared by the init
   * after SYNC_GO rather than made by clone3: the dearest of the namespaces
   * to create, it then overlaps the runtime's state writes. */
  bool defer_netns;
  bool rootfs_in_userns; /* the rootfs is set up inside a user namespace */
  /* The maps of the new user namespace (new_userns), the spec's or the
   * rootless ones of the facts (pointing into them), also those of a bare
   * "idmap" mount option. */
  struct ns_id_maps id_maps;
  int nfds;            /* fds 3.. passed on to the container: preserved + LISTEN_FDS */
  int first_closed_fd; /* 3 + nfds */
  /* Set in process.env by the init: LISTEN_FDS and LISTEN_PID=1 when fds
   * come by socket activation, as runc passes them on. */
  char env[2][32];
  int n_env;
};

/* The plan points into spec and f, which must outlive it. */
void create_plan_make (const struct oci_spec *spec, const struct create_facts *f,
                       struct create_plan *p);

/* The plan as one line ("clone=0x... unshare=0x... new_userns ..."), for the
 * unit tests and --debug.  Caller frees. */
char *create_plan_describe (const struct create_plan *p);

#endif
