/* The runtime and a process it spawns (a container's init, or an exec'd
 * process) talk over a SOCK_SEQPACKET socketpair: small typed messages, an
 * error text, and at most one fd (SCM_RIGHTS) each. */
#ifndef TONG_SYNC_H
#define TONG_SYNC_H

#include "src/base/error.h"

enum sync_type
{
  SYNC_GO = 1,  /* runtime -> child: maps written, runtime hooks done */
  SYNC_CONSOLE, /* child -> runtime: the pty master (as SCM_RIGHTS) */
  SYNC_READY,   /* child -> runtime: set up (the init now waits on exec.fifo) */
  SYNC_ERROR,   /* child -> runtime: setup failed, text says why */
  SYNC_START,   /* runtime -> init, `run` only (no exec.fifo): start the container */
};

struct sync_msg
{
  int type;
  int errnum;
  int value; /* SYNC_GO: the init's pid as the runtime sees it */
  char text[sizeof ((tong_error *) 0)->msg];
};

/* Send a message of `type`; err (may be NULL) becomes its text; fd >= 0 is passed along. */
int sync_send (int sock, int type, const tong_error *err, int fd);

/* Send a message of `type` carrying a number. */
int sync_send_value (int sock, int type, int value);

/* Send fd (say, the pty master) with a message of `type`, and close it:
 * it is the runtime's from now on.  `what` names it in an error. */
int sync_pass_fd (int sock, int type, int fd, const char *what, tong_error *err);

/* Receive one message; *fd gets a passed descriptor or -1.  Returns the type,
 * 0 on EOF (the peer died), or -errno. */
int sync_recv (int sock, struct sync_msg *m, int *fd);

#endif
