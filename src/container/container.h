/* The container lifecycle: create (spawn the init and leave it waiting),
 * start, kill, delete.  The commands in src/cmd_*.c parse flags and call these. */
#ifndef TONG_CONTAINER_H
#define TONG_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "src/base/error.h"
#include "src/container/globals.h"
#include "src/container/state.h"

struct create_options
{
  const char *id;
  const char *bundle;         /* NULL: the current directory */
  const char *pid_file;       /* NULL: none */
  const char *console_socket; /* NULL: none */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;
  bool foreground; /* `run` without -d: keep the pty master for the caller */
  /* `run`: the init waits for SYNC_START on its sync socket instead of
   * exec.fifo, which is not made (container_release starts it). */
  bool run;
};

struct created_container
{
  pid_t pid;
  int pidfd;          /* the init, from clone3 */
  int console_master; /* foreground with a terminal: the pty master; else -1 */
  /* The spec as parsed, for `run`'s start and delete (which would otherwise
   * read and parse the state dir's copy again); the caller frees it. */
  struct oci_spec *spec;
  int sync_fd; /* run: the socket container_release starts the init with; else -1 */
};

int container_create (struct tong_globals *g, const struct create_options *o,
                      struct created_container *out, tong_error *err);
/* spec: the spec the container was created with (its hooks run), or NULL to
 * read it from the state directory; the same for delete. */
int container_start (struct tong_globals *g, const char *id, const struct oci_spec *spec,
                     tong_error *err);
/* Start the init of a container `run` created: SYNC_START over sync_fd
 * (closed here), wait until the init has exec'd (its end of the socket is
 * close-on-exec), run the poststart hooks. */
int container_release (struct tong_globals *g, const char *id, const struct oci_spec *spec,
                       int sync_fd, tong_error *err);
/* all: every process of the container, not only its init. */
int container_kill (struct tong_globals *g, const char *id, int sig, bool all, tong_error *err);
int container_delete (struct tong_globals *g, const char *id, bool force,
                      const struct oci_spec *spec, tong_error *err);

/* Open a container's state directory (locked if asked) and read its state. */
int open_container (struct tong_globals *g, const char *id, bool lock, int *dirfd,
                    struct container_state *st, tong_error *err);

/* A container of `list`: its state and its live status. */
struct container_entry
{
  struct container_state st;
  enum container_status status;
};

/* Every container under --root whose state can be read, sorted by id; a
 * directory in the middle of being created or deleted is skipped.  Returns
 * the count; free with container_list_free. */
size_t container_list (struct tong_globals *g, struct container_entry **out);
void container_list_free (struct container_entry *entries, size_t n);

/* Checks of a parsed spec against what tong applies: what it cannot apply is an error. */
int spec_check_supported (const struct oci_spec *spec, tong_error *err);

#endif
