#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/base/syscalls.h"
#include "util.h"

int
fdpass_send (int sock, int fd, const void *data, size_t len)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

  if (fd >= 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));
    }
  while (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return -errno;
  return 0;
}

ssize_t
fdpass_recv (int sock, int *fd, void *data, size_t len)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int) * 4)];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = data, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  ssize_t n;

  *fd = -1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    {
      size_t nfds;

      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      nfds = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      for (size_t i = 0; i < nfds; i++)
        {
          int f;

          memcpy (&f, CMSG_DATA (c) + i * sizeof (int), sizeof (int));
          /* One fd is the protocol; close any extra a peer may have sent. */
          if (*fd < 0)
            *fd = f;
          else
            close (f);
        }
    }
  if (msg.msg_flags & MSG_CTRUNC)
    {
      if (*fd >= 0)
        close (*fd);
      *fd = -1;
      return -EBADMSG;
    }
  return n;
}

int
fd_send (int sock, int fd, const void *data, size_t len, tong_error *err)
{
  char dummy = '\0';
  int r;

  /* On a stream socket the fd travels with at least one byte of data. */
  r = data && len > 0 ? fdpass_send (sock, fd, data, len) : fdpass_send (sock, fd, &dummy, 1);
  if (r < 0)
    return tong_err (err, -r, "send a file descriptor over the socket");
  return 0;
}

int
fd_recv (int sock, int *fd, void *data, size_t len, tong_error *err)
{
  char dummy;
  ssize_t n;

  n = data && len > 0 ? fdpass_recv (sock, fd, data, len) : fdpass_recv (sock, fd, &dummy, 1);
  if (n == -EBADMSG)
    return tong_err (err, EBADMSG, "receive a file descriptor: control data truncated");
  if (n < 0)
    return tong_err (err, (int) -n, "receive a file descriptor from the socket");
  if (*fd < 0)
    {
      if (n == 0)
        return tong_err (err, ECONNRESET, "receive a file descriptor: the peer closed the socket");
      return tong_err (err, EBADMSG, "receive a file descriptor: the message carried none");
    }
  return (data && len > 0) ? (int) n : 0;
}

void
fds_cloexec_from (int first)
{
  struct rlimit rl;
  long last = 1024;

  if (sys_close_range ((unsigned) first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  /* Before Linux 5.11: one by one, up to the highest fd this process could
   * have opened. */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
      && (long) rl.rlim_cur > last)
    last = (long) rl.rlim_cur;
  for (long fd = first; fd < last; fd++)
    (void) fcntl ((int) fd, F_SETFD, FD_CLOEXEC);
}

/* Make sure fds 3..3+n-1 are open (reserving them with /dev/null if the caller
 * left a gap) and inheritable, so that none of tong's own fds takes their place. */
int
fds_preserve (int n, tong_error *err)
{
  for (int fd = 3; fd < 3 + n; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags < 0)
        {
          int nfd = open ("/dev/null", O_RDWR);
          if (nfd < 0)
            return tong_err (err, errno, "open /dev/null");
          if (nfd != fd)
            {
              dup2 (nfd, fd);
              close (nfd);
            }
        }
      else if (flags & FD_CLOEXEC)
        fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  return 0;
}

int
unix_connect (const char *path, const char *what, tong_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  _cleanup_close_ int sock = -1;
  int r;

  if (strlen (path) >= sizeof addr.sun_path)
    return tong_err (err, ENAMETOOLONG, "%s `%s`: a unix socket path has at most %zu bytes", what,
                     path, sizeof addr.sun_path - 1);
  memcpy (addr.sun_path, path, strlen (path) + 1);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return tong_err (err, errno, "create a unix socket");
  do
    r = connect (sock, (struct sockaddr *) &addr, sizeof addr);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return tong_err (err, errno, "connect to the %s `%s`", what, path);
  return TAKE_FD (sock);
}
