/* The test tools' listening socket: bound under a temporary name and renamed
 * into place once listening, so a test can wait for the path to appear. */
#ifndef TONG_TESTS_LISTEN_H
#define TONG_TESTS_LISTEN_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/base/util.h"

static inline int
listen_at (const char *path, tong_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  _cleanup_free_ char *tmp = xasprintf ("%s.%d", path, (int) getpid ());
  _cleanup_close_ int sock = -1;

  if (strlen (tmp) >= sizeof addr.sun_path)
    return tong_err (err, ENAMETOOLONG, "socket path `%s`", path);
  memcpy (addr.sun_path, tmp, strlen (tmp) + 1);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return tong_err (err, errno, "socket");
  unlink (tmp);
  if (bind (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return tong_err (err, errno, "bind `%s`", tmp);
  if (listen (sock, 1) < 0)
    return tong_err (err, errno, "listen on `%s`", tmp);
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return tong_err (err, e, "rename `%s` to `%s`", tmp, path);
    }
  return TAKE_FD (sock);
}

#endif
