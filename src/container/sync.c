#include "sync.h"

#include "src/base/fdpass.h"
#include "src/base/format.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
sync_send_msg (int sock, int type, int value, const tong_error *err, int fd)
{
  struct sync_msg m = { .type = type, .value = value };
  size_t len = offsetof (struct sync_msg, text);

  if (err)
    {
      m.errnum = err->errnum;
      str_format (m.text, sizeof m.text, "%s", err->msg);
      len += strlen (m.text) + 1;
    }
  return fdpass_send (sock, fd, &m, len);
}

int
sync_recv (int sock, struct sync_msg *m, int *fd)
{
  ssize_t n = fdpass_recv (sock, fd, m, sizeof *m);

  if (n <= 0)
    return (int) n;
  if ((size_t) n < offsetof (struct sync_msg, text))
    return -EPROTO;
  if ((size_t) n < sizeof *m)
    ((char *) m)[n] = '\0';
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
