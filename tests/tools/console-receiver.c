/* console-receiver SOCKET_PATH [OUTPUT_FILE]
 *
 * The other end of --console-socket, for the integration tests: listen on a
 * unix socket, accept one connection, receive the pty master, then copy what
 * the container writes to OUTPUT_FILE (or stdout) until the pty closes.  If
 * CONSOLE_INPUT is set, its value is typed into the terminal first.
 *
 * The socket appears at SOCKET_PATH only once it is listening (bound under a
 * temporary name, then renamed), so a test may wait for the path to exist. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/base/fdpass.h"
#include "src/base/util.h"
#include "tests/tools/listen.h"

static int
copy_until_closed (int from, int to, tong_error *err)
{
  char buf[8192];

  for (;;)
    {
      ssize_t n = read (from, buf, sizeof buf);
      int r;
      if (n < 0 && errno == EINTR)
        continue;
      /* EIO: every slave fd is closed, the container's terminal is gone. */
      if (n == 0 || (n < 0 && errno == EIO))
        return 0;
      if (n < 0)
        return tong_err (err, errno, "read the pty master");
      r = write_all (to, buf, (size_t) n);
      if (r < 0)
        return tong_err (err, -r, "write the output");
    }
}

static int
run (const char *sock_path, const char *out_path, tong_error *err)
{
  _cleanup_close_ int listener = -1, conn = -1, master = -1, out = -1;
  const char *input = getenv ("CONSOLE_INPUT");
  char payload[256];
  int r;

  listener = listen_at (sock_path, err);
  if (listener < 0)
    return listener;
  do
    conn = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0)
    return tong_err (err, errno, "accept on `%s`", sock_path);
  r = fd_recv (conn, &master, payload, sizeof payload - 1, err);
  if (r < 0)
    return r;
  payload[r] = '\0';
  fprintf (stderr, "received fd\n");
  unlink (sock_path);

  if (out_path)
    {
      out = open (out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (out < 0)
        return tong_err (err, errno, "open `%s`", out_path);
    }
  if (input && *input)
    {
      r = write_all (master, input, strlen (input));
      if (r < 0)
        return tong_err (err, -r, "write CONSOLE_INPUT to the pty");
    }
  return copy_until_closed (master, out >= 0 ? out : STDOUT_FILENO, err);
}

int
main (int argc, char **argv)
{
  tong_error err = { 0 };

  if (argc < 2 || argc > 3)
    {
      fprintf (stderr, "usage: %s SOCKET_PATH [OUTPUT_FILE]\n", argv[0]);
      return 2;
    }
  if (run (argv[1], argc == 3 ? argv[2] : NULL, &err) < 0)
    {
      fprintf (stderr, "console-receiver: %s\n", err.msg);
      return 1;
    }
  return 0;
}
