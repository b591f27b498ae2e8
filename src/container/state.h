/* The state store: one directory per container under --root, holding
 * state.json (written by atomic rename), a copy of config.json, and the
 * exec.fifo that keeps a created container waiting for `start`.  Every
 * command that changes a container holds the directory's flock.  A create
 * that did not finish (killed, or still at work) leaves a directory that
 * may lack state.json: create.json then says what it was about to make. */
#ifndef TONG_STATE_H
#define TONG_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "src/base/error.h"
#include "src/base/procfs.h"

#define STATE_FILE "state.json"
#define STATE_CONFIG "config.json"
#define STATE_FIFO "exec.fifo"
/* What create is about to make on the host (its cgroup, its systemd scope),
 * written before it makes any of it: all that delete knows of a create
 * killed before state.json.  Same format as state.json, without a pid. */
#define STATE_CREATE_RECORD "create.json"

enum container_status
{
  STATUS_CREATING,
  STATUS_CREATED,
  STATUS_RUNNING,
  STATUS_PAUSED,
  STATUS_STOPPED,
};

struct container_state
{
  char *id;
  pid_t pid;
  unsigned long long start_time; /* field 22 of /proc/PID/stat: guards against pid reuse */
  char *bundle;
  char *rootfs;
  char *created; /* RFC 3339 */
  uid_t owner;
  bool new_pid_ns; /* killing init ends every process of the container */
  /* The create did not finish: the state dir still has its mark (the init
   * had not reported ready), or no state.json at all (pid 0). */
  bool unfinished;
  bool creating;      /* unfinished, and its creator is still at work: it holds the lock */
  char *cgroup;       /* its cgroup v2 directory, or NULL */
  char *systemd_unit; /* the systemd scope holding that cgroup (--systemd-cgroup), or NULL */
  /* cgroup v1, hybrid: each controller's directory (runc's cgroup_paths) */
  struct oci_map cgroup_paths;
  struct oci_map annotations;
};

const char *status_name (enum container_status s);

/* Open (creating it 0700 if needed) the state root; returns an fd. */
int state_root_open (const char *root, bool create, tong_error *err);

/* Create the container's directory exclusively and lock it.  An existing
 * container gives "container with id exists: ID".  *dirfd gets the locked dir,
 * marked as creating (the sticky bit) until state_dir_created clears the mark:
 * a mode change instead of a second state.json, which would cost a new inode
 * and a rename over the old one. */
int state_dir_create (int rootfd, const char *id, int *dirfd, tong_error *err);
int state_dir_created (int dirfd, tong_error *err);

/* Open an existing container's directory ("container \"ID\" does not exist"),
 * locked when it is to be changed; readers rely on state.json's atomic rename.
 * A directory without state.json counts: a create that did not finish.
 * Locking one waits while its creator is still at work. */
int state_dir_open (int rootfd, const char *id, bool lock, int *dirfd, tong_error *err);

/* Does a live process hold the directory's lock?  dirfd must be one that
 * does not hold it itself (opened without lock). */
bool state_dir_locked_by_other (int dirfd);

/* Remove the container's directory and everything in it. */
int state_dir_remove (int rootfd, const char *id, tong_error *err);

int state_write (int dirfd, const struct container_state *st, tong_error *err);
/* create.json: st without its pid, before the cgroup and scope are made. */
int state_write_record (int dirfd, const struct container_state *st, tong_error *err);
/* state.json; without one (an unfinished create), create.json, or only the
 * id; either way st->unfinished says so.  st->creating is left to the
 * caller, who knows whether it holds the lock. */
int state_read (int dirfd, const char *id, struct container_state *st, tong_error *err);
void state_clear (struct container_state *st);

/* The live status: stopped when the init process is gone (or its pid was reused),
 * created while exec.fifo exists, running otherwise.  An unfinished create
 * is creating while its creator lives, stopped when it is gone. */
enum container_status state_status (int dirfd, const struct container_state *st);

/* The user name of the container's owner (or the uid as a number). */
void state_owner_name (uid_t uid, char *buf, size_t len);

/* The state JSON that `state` prints and hooks receive on stdin.  pretty:
 * indented, as `tong state` prints it. Caller frees. */
char *state_to_json (const struct container_state *st, enum container_status status, bool pretty);

#endif
