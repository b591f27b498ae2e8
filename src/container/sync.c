#include "sync.h"

#include "src/base/format.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int
sync_send_msg (int sock, int type, int value, const tong_error *err, int fd)
{
  struct sync_msg m = { .type = type, .value = value };
  struct iovec iov;
  struct msghdr mh = { 0 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  size_t len = offsetof (struct sync_msg, text);

  if (err)
    {
      m.errnum = err->errnum;
      str_format (m.text, sizeof m.text, "%s", err->msg);
      len += strlen (m.text) + 1;
    }
  iov.iov_base = &m;
  iov.iov_len = len;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  if (fd >= 0)
    {
      struct cmsghdr *c;
      memset (&u, 0, sizeof u);
      mh.msg_control = u.buf;
      mh.msg_controllen = sizeof u.buf;
      c = CMSG_FIRSTHDR (&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof fd);
    }
  while (sendmsg (sock, &mh, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return -errno;
  return 0;
}

int
sync_recv (int sock, struct sync_msg *m, int *fd)
{
  struct iovec iov = { .iov_base = m, .iov_len = sizeof *m };
  struct msghdr mh = { 0 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  ssize_t n;

  *fd = -1;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = u.buf;
  mh.msg_controllen = sizeof u.buf;
  do
    n = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  if (n == 0)
    return 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (fd, CMSG_DATA (c), sizeof *fd);
  if ((size_t) n < offsetof (struct sync_msg, text))
    return -EPROTO;
  if ((size_t) n < sizeof *m)
    ((char *) m)[n < (ssize_t) sizeof *m ? n : (ssize_t) sizeof *m - 1] = '\0';
  m->text[sizeof m->text - 1] = '\0';
  return m->type;
}

int
sync_send (int sock, int type, const tong_error *err, int fd)
{
  return sync_send_msg (sock, type, 0, err, fd);
}

int
sync_send_value (int sock, int type, int value)
{
  return sync_send_msg (sock, type, value, NULL, -1);
}

int
sync_pass_fd (int sock, int type, int fd, const char *what, tong_error *err)
{
  int r = sync_send (sock, type, NULL, fd);
  close (fd);
  if (r < 0)
    return tong_err (err, -r, "send %s to the runtime", what);
  return 0;
}
