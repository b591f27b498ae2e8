/* A tong-shim container's places (bundle in the runroot, upper and work
 * dirs in the store), calling the runtime, and tearing everything down. */
#ifndef TONG_SHIM_CONTAINER_H
#define TONG_SHIM_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "src/base/error.h"
#include "src/shim/shim.h"

struct ctr_paths
{
  char *bundle; /* RUNROOT/containers/ID: config.json, hosts, resolv.conf, hostname, ctr.log */
  char *rootfs; /* BUNDLE/rootfs: the overlay mount */
  char *log;    /* BUNDLE/ctr.log: output of a detached container */
  char *data;   /* ROOT/containers/ID: upper and work */
  char *upper;
  char *work;
  char *tong_root; /* RUNROOT/tong: the runtime's --root */
  char *fuse_mark; /* BUNDLE/mount-program: rootless, the FUSE program that mounts the root */
};

void ctr_paths_init (const struct shim_globals *g, const char *store_root, const char *id,
                     struct ctr_paths *p);
void ctr_paths_clear (struct ctr_paths *p);

/* Run `RUNTIME --root RUNROOT/tong ARGS...` with the given stdio (-1:
 * inherit); the child's pid in *pid.  Signals to forward go to it. */
int runtime_spawn (const char *runtime, const char *tong_root, char *const *args, int in, int out,
                   int errfd, pid_t *pid, tong_error *err);
/* Spawn and wait; the exit status as the shell shows it (128+N for signal N). */
int runtime_call (const char *runtime, const char *tong_root, char *const *args, bool quiet,
                  int *status, tong_error *err);
/* "running", "stopped", "created", "paused", or NULL when tong has no such container. */
char *runtime_status (const struct shim_globals *g, const char *tong_root, const char *id);

/* Resolve -u SPEC (a name or uid[:group]) in a running container's image
 * files: through the overlay mount point as root; rootless, where the root
 * is mounted only inside the container, in a child that joined its user
 * namespace, through the init's /proc/PID/root. */
int ctr_user_resolve (const struct shim_globals *g, const struct ctr_paths *p, const char *id,
                      const char *spec, uid_t *uid, gid_t *gid, tong_error *err);

/* Wait for a child, forwarding SIGTERM and SIGHUP to it; returns its status
 * as the shell shows it. */
int wait_forwarding (pid_t pid);

/* Remove a container: tong's state (delete --force), the overlay mount, the
 * bundle, upper and work dirs, and the metadata row.  Missing parts are fine. */
int ctr_teardown (struct shim *s, const char *id, tong_error *err);

/* 64 random hex digits. */
void ctr_new_id (char id[65]);

#endif
