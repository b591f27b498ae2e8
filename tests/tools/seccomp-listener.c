/* seccomp-listener [-e ERRNO | -c] [-d MS] SOCKET_PATH STATE_FILE [CALLS_FILE]
 *
 * A seccomp agent for the integration tests (linux.seccomp.listenerPath):
 * listen on a unix socket, accept one connection, receive the notify fd and
 * the container process state, write the state to STATE_FILE, then answer
 * every notification until the container's processes are gone: with the
 * error ERRNO (-e, default EPERM) or by letting the call run (-c, the
 * kernel's SECCOMP_USER_NOTIF_FLAG_CONTINUE).  Each notified system call's
 * name is appended to CALLS_FILE, one a line, as soon as it is received;
 * with -d the answer follows MS milliseconds later.
 *
 * The socket appears at SOCKET_PATH only once it is listening (bound under a
 * temporary name, then renamed), so a test may wait for the path to exist. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/base/fdpass.h"
#include "src/base/util.h"
#include "tests/tools/listen.h"

struct options
{
  bool cont;
  int errnum;
  unsigned delay_ms;
  const char *socket_path, *state_file, *calls_file;
};

/* The notify fd and the whole state: the runtime closes the connection after it. */
static int
receive_state (int sock, int *notify_fd, char **state, tong_error *err)
{
  _cleanup_free_ char *buf = xmalloc (65536);
  size_t len;
  int r;

  r = fd_recv (sock, notify_fd, buf, 65535, err);
  if (r < 0)
    return r;
  len = (size_t) r;
  while (len < 65535)
    {
      ssize_t n = read (sock, buf + len, 65535 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return tong_err (err, errno, "read the container process state");
      if (n == 0)
        break;
      len += (size_t) n;
    }
  buf[len] = '\0';
  *state = TAKE_PTR (buf);
  return 0;
}

static void
log_call (const char *calls_file, const struct seccomp_notif *req)
{
  _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch (req->data.arch, req->data.nr);
  FILE *f;

  if (!calls_file)
    return;
  f = fopen (calls_file, "ae");
  if (!f)
    return;
  if (name)
    fprintf (f, "%s\n", name);
  else
    fprintf (f, "%d\n", req->data.nr);
  fclose (f);
}

static int
serve (int nfd, const struct options *o, tong_error *err)
{
  struct seccomp_notif *req = NULL;
  struct seccomp_notif_resp *resp = NULL;
  int r = 0;

  if (seccomp_notify_alloc (&req, &resp) < 0)
    return tong_err (err, ENOMEM, "seccomp_notify_alloc");
  for (;;)
    {
      struct pollfd p = { .fd = nfd, .events = POLLIN };
      if (poll (&p, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          r = tong_err (err, errno, "poll the notify fd");
          break;
        }
      /* No process is left under the filter. */
      if (!(p.revents & POLLIN))
        break;
      memset (req, 0, sizeof *req);
      r = seccomp_notify_receive (nfd, req);
      if (r < 0)
        {
          /* The caller died between poll and receive. */
          if (r == -ENOENT || r == -EINTR)
            {
              r = 0;
              continue;
            }
          r = tong_err (err, -r, "receive a notification");
          break;
        }
      log_call (o->calls_file, req);
      if (o->delay_ms)
        usleep (o->delay_ms * 1000u);
      memset (resp, 0, sizeof *resp);
      resp->id = req->id;
      if (o->cont)
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      else
        resp->error = -o->errnum;
      r = seccomp_notify_respond (nfd, resp);
      /* ENOENT: the caller was killed while we answered. */
      if (r < 0 && r != -ENOENT)
        {
          r = tong_err (err, -r, "answer a notification");
          break;
        }
      r = 0;
    }
  seccomp_notify_free (req, resp);
  return r;
}

static int
run (const struct options *o, tong_error *err)
{
  _cleanup_close_ int lsock = -1, conn = -1, nfd = -1;
  _cleanup_free_ char *state = NULL;
  int r;

  lsock = listen_at (o->socket_path, err);
  if (lsock < 0)
    return lsock;
  do
    conn = accept4 (lsock, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0)
    return tong_err (err, errno, "accept");
  r = receive_state (conn, &nfd, &state, err);
  if (r < 0)
    return r;
  r = write_file_atomic_at (AT_FDCWD, o->state_file, state, strlen (state), 0644, err);
  if (r < 0)
    return r;
  return serve (nfd, o, err);
}

int
main (int argc, char **argv)
{
  struct options o = { .errnum = EPERM };
  tong_error err = { 0 };
  int c;

  while ((c = getopt (argc, argv, "ce:d:")) != -1)
    switch (c)
      {
      case 'c':
        o.cont = true;
        break;
      case 'e':
        o.errnum = atoi (optarg);
        break;
      case 'd':
        o.delay_ms = (unsigned) atoi (optarg);
        break;
      default:
        goto usage;
      }
  if (argc - optind < 2 || argc - optind > 3)
    goto usage;
  o.socket_path = argv[optind];
  o.state_file = argv[optind + 1];
  o.calls_file = argc - optind == 3 ? argv[optind + 2] : NULL;
  if (run (&o, &err) < 0)
    {
      fprintf (stderr, "seccomp-listener: %s\n", err.msg);
      return 1;
    }
  return 0;
usage:
  fprintf (stderr,
           "usage: seccomp-listener [-e ERRNO | -c] [-d MS] SOCKET_PATH STATE_FILE [CALLS_FILE]\n");
  return 2;
}
