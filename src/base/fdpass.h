/* File descriptors: passed over unix sockets (SCM_RIGHTS: the runtime-init
 * protocol, --console-socket, seccomp listeners; one pair of each), the
 * ones a process keeps across execve, unix socket connections. */
#ifndef TONG_FDPASS_H
#define TONG_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

#include "src/base/error.h"

/* One sendmsg of data (len > 0) with fd attached when fd >= 0.  Retries
 * EINTR; never raises SIGPIPE.  Returns 0 or -errno. */
int fdpass_send (int sock, int fd, const void *data, size_t len);

/* One recvmsg into data (at most len > 0 bytes).  *fd is the fd it carried
 * (O_CLOEXEC), or -1; any further fd is closed.  Returns the bytes received
 * (0: the peer closed the socket) or -errno, -EBADMSG when the control data
 * was truncated. */
ssize_t fdpass_recv (int sock, int *fd, void *data, size_t len);

/* The same for a protocol in which the message must carry an fd, with a
 * small payload (data may be NULL: one byte is sent and received then);
 * errors go to err.  fd_recv returns the payload bytes received (0 when data
 * is NULL). */
int fd_send (int sock, int fd, const void *data, size_t len, tong_error *err);
int fd_recv (int sock, int *fd, void *data, size_t len, tong_error *err);

/* Mark every fd from `first` up close-on-exec: close_range where the kernel
 * has CLOSE_RANGE_CLOEXEC (5.11), else fcntl on each possible fd. */
void fds_cloexec_from (int first);

/* Make fds 3..3+n-1 (--preserve-fds) inheritable, reserving any the caller
 * left unopened with /dev/null, so that none of tong's own fds takes their place. */
int fds_preserve (int n, tong_error *err);

/* Connect a SOCK_STREAM unix socket to path; `what` names it in errors
 * ("console socket").  Returns the fd (O_CLOEXEC) or -errno. */
int unix_connect (const char *path, const char *what, tong_error *err);

#endif
