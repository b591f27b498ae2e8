#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
