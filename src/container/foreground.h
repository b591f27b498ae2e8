/* A process in the foreground of tong (`run`, `exec` without -d): signals
 * forwarded to it, its terminal proxied to ours, its exit status returned. */
#ifndef TONG_FOREGROUND_H
#define TONG_FOREGROUND_H

#include <signal.h>
#include <sys/types.h>

#include "src/base/error.h"

/* Block every signal tong forwards (all but the synchronous faults), before
 * the process is spawned so that none is lost; *old gets the previous mask.
 * The spawned process must reset its own mask. */
void foreground_block_signals (sigset_t *old);

/* Wait for pid, a child of the caller: forward signals to it, copy between
 * our stdin/stdout and master (a pty master, or -1: no terminal; closed
 * here), resize the pty on SIGWINCH.  Returns the exit status, 128+N when
 * signal N ended it, or a negative errno. */
int foreground_wait (pid_t pid, int master, tong_error *err);

#endif
