/* Terminals: the container's pty, passing its master over --console-socket,
 * and proxying it to the caller's terminal for a foreground `tong run`. */
#ifndef TONG_CONSOLE_H
#define TONG_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* In the container's init after pivot_root: open a new pty from /dev/ptmx,
 * size it (process.consoleSize), bind the slave over /dev/console, make it the
 * controlling terminal and fds 0, 1, 2.  *master gets the master fd (O_CLOEXEC). */
int console_setup_in_container (const struct oci_process *p, int *master, tong_error *err);

/* Like console_setup_in_container but for exec: no /dev/console bind. */
int console_setup_for_exec (const struct oci_process *p, int *master, tong_error *err);

/* The two halves of console_send_to_socket, for a caller that connects to
 * --console-socket before pivot_root (the path is not reachable after it) and
 * sends the master later: connect (SOCK_CLOEXEC); send the master with
 * runc's payload, the string "/dev/ptmx". */
int console_socket_connect (const char *path, int *sock, tong_error *err);
int console_send (int sock, int master, tong_error *err);

/* Connect to the unix socket at path (--console-socket) and send the master fd. */
int console_send_to_socket (const char *path, int master, tong_error *err);

/* Foreground run with a terminal: put the caller's tty (fd) in raw mode,
 * saving the old mode; restore it. */
int console_make_raw (int fd, struct termios *saved, tong_error *err);
void console_restore (int fd, const struct termios *saved);
/* Copy the window size of from_tty to the pty master. */
int console_copy_winsize (int from_tty, int master);

#endif
