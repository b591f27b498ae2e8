/* exec: run one more process in an existing container, in its namespaces and
 * under its root.  src/cli/cmd_exec.c builds the process from the flags; this
 * part opens the container and spawns the process into it. */
#ifndef TONG_EXEC_H
#define TONG_EXEC_H

#include <stdbool.h>

#include "oci/spec.h"
#include "src/base/error.h"
#include "src/container/globals.h"
#include "src/container/state.h"

/* A container to exec into: created or running (never stopped). */
struct exec_target
{
  int dirfd;                 /* its state directory (not locked) */
  struct container_state st; /* init pid and start time */
  struct oci_spec *spec;     /* the config.json it was created with */
};

struct exec_options
{
  const char *pid_file;       /* NULL: none */
  const char *console_socket; /* NULL: none; with a terminal and detach */
  int preserve_fds;
  bool detach;
};

/* Reserve fds 3..3+n-1 (with /dev/null where the caller left a gap) and make
 * them inheritable.  Call it before anything else opens an fd, so that none
 * of tong's own takes one of their numbers. */

/* Open a container for exec: `container "ID" does not exist`, `cannot exec
 * in a stopped container`; a paused one only with ignore_paused. */
int exec_target_open (struct tong_globals *g, const char *id, bool ignore_paused,
                      struct exec_target *t, tong_error *err);
void exec_target_close (struct exec_target *t);

/* Spawn p in the container: join the namespaces of its init that differ from
 * ours, its root and its cgroup; report any failure before p runs.  Detached:
 * return 0 once p is exec'd.  Otherwise wait for it (signals forwarded,
 * terminal proxied) and return its exit status, 128+N for a signal N. */
int exec_spawn (const struct exec_target *t, struct oci_process *p, const struct exec_options *o,
                tong_error *err);

#endif
