#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/base/fdpass.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

/* What runc sends along with the master over --console-socket: the name of
 * the file it opened.  containerd and conmon only need the fd, but some
 * receivers log or check the name. */
#define CONSOLE_SOCKET_PAYLOAD "/dev/ptmx"

static int
open_pty (const struct oci_process *p, int *master_out, int *slave_out, tong_error *err)
{
  _cleanup_close_ int master = -1, slave = -1;
  unsigned int n;

  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return tong_err (err, errno,
                     "open `/dev/ptmx` for the terminal (is devpts mounted on /dev/pts?)");
  if (unlockpt (master) < 0)
    return tong_err (err, errno, "unlock the pty");
  if (ioctl (master, TIOCGPTN, &n) < 0)
    return tong_err (err, errno, "get the pty number");

  /* TIOCGPTPEER opens the slave of exactly this master, with no path lookup
   * that a hostile /dev/pts could redirect. */
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    {
      char path[64];
      if (errno != EINVAL && errno != ENOTTY)
        return tong_err (err, errno, "open the slave of pty %u", n);
      str_format (path, sizeof path, "/dev/pts/%u", n);
      slave = open (path, O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (slave < 0)
        return tong_err (err, errno, "open `%s`", path);
    }

  if (p && p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                            .ws_col = (unsigned short) p->console_width };
      if (ioctl (master, TIOCSWINSZ, &ws) < 0)
        return tong_err (err, errno, "set the terminal size to %ux%u (process.consoleSize)",
                         p->console_width, p->console_height);
    }
  *master_out = TAKE_FD (master);
  *slave_out = TAKE_FD (slave);
  return 0;
}

/* An O_PATH fd on /dev/console, created as an empty regular file when it is
 * missing; a symlink there is replaced so the bind cannot be redirected. */
static int
open_console_target (int *out, tong_error *err)
{
  for (int attempt = 0; attempt < 2; attempt++)
    {
      _cleanup_close_ int fd = open ("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
      struct stat st;

      if (fd >= 0)
        {
          if (fstat (fd, &st) < 0)
            return tong_err (err, errno, "stat `/dev/console`");
          if (!S_ISLNK (st.st_mode))
            {
              *out = TAKE_FD (fd);
              return 0;
            }
          if (unlink ("/dev/console") < 0)
            return tong_err (err, errno, "remove the symlink `/dev/console`");
        }
      else if (errno != ENOENT)
        return tong_err (err, errno, "open `/dev/console`");

      fd = open ("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST)
        return tong_err (err, errno, "create `/dev/console`");
    }
  return tong_err (err, EEXIST, "create `/dev/console`: it keeps changing under us");
}

static int
bind_console (int slave, tong_error *err)
{
  _cleanup_close_ int target = -1, tree = -1;
  int r;

  r = open_console_target (&target, err);
  if (r < 0)
    return r;

  tree = sys_open_tree (slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree >= 0)
    {
      if (sys_move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
          < 0)
        return tong_err (err, errno, "bind the terminal over `/dev/console`");
      return 0;
    }
  /* Kernels before 5.2 would need a bind by the names /dev/pts/N and
   * /proc/self/fd/N, both of the container's tree after pivot_root: not
   * made (tong needs 5.6 for procfs anyway, docs/design.md). */
  return tong_err (err, errno, "clone the terminal's mount for `/dev/console`%s",
                   errno == ENOSYS ? " (needs open_tree, Linux 5.2)" : "");
}

/* New session, slave as controlling terminal and as fds 0, 1 and 2. */
static int
become_terminal_owner (int slave, tong_error *err)
{
  if (setsid () < 0 && getsid (0) != getpid ())
    return tong_err (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return tong_err (err, errno, "make the pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    {
      /* dup2 onto itself keeps O_CLOEXEC: clear it by hand in that case. */
      if (fd == slave ? fcntl (fd, F_SETFD, 0) < 0 : dup2 (slave, fd) < 0)
        return tong_err (err, errno, "dup the pty onto fd %d", fd);
    }
  return 0;
}

static int
setup (const struct oci_process *p, bool with_console, int *master_out, tong_error *err)
{
  _cleanup_close_ int master = -1, slave = -1;
  int r;

  r = open_pty (p, &master, &slave, err);
  if (r < 0)
    return r;
  if (with_console)
    {
      r = bind_console (slave, err);
      if (r < 0)
        return r;
    }
  r = become_terminal_owner (slave, err);
  if (r < 0)
    return r;
  if (slave <= 2)
    slave = -1; /* now one of the stdio fds: keep it open */
  *master_out = TAKE_FD (master);
  return 0;
}

int
console_setup_in_container (const struct oci_process *p, int *master, tong_error *err)
{
  return setup (p, true, master, err);
}

int
console_setup_for_exec (const struct oci_process *p, int *master, tong_error *err)
{
  return setup (p, false, master, err);
}

int
console_send (int sock, int master, tong_error *err)
{
  return fd_send (sock, master, CONSOLE_SOCKET_PAYLOAD, strlen (CONSOLE_SOCKET_PAYLOAD), err);
}

int
console_socket_connect (const char *path, int *sock_out, tong_error *err)
{
  int fd = unix_connect (path, "console socket", err);
  if (fd < 0)
    return fd;
  *sock_out = fd;
  return 0;
}

int
console_send_to_socket (const char *path, int master, tong_error *err)
{
  _cleanup_close_ int sock = -1;
  int r;

  r = console_socket_connect (path, &sock, err);
  if (r < 0)
    return r;
  r = console_send (sock, master, err);
  if (r < 0)
    return tong_err_prefix (err, "console socket `%s`", path);
  return 0;
}

int
console_make_raw (int fd, struct termios *saved, tong_error *err)
{
  struct termios raw;

  if (tcgetattr (fd, saved) < 0)
    return tong_err (err, errno, "get the terminal mode of fd %d", fd);
  raw = *saved;
  cfmakeraw (&raw);
  if (tcsetattr (fd, TCSANOW, &raw) < 0)
    return tong_err (err, errno, "put the terminal in raw mode");
  return 0;
}

void
console_restore (int fd, const struct termios *saved)
{
  (void) tcsetattr (fd, TCSANOW, saved);
}

int
console_copy_winsize (int from_tty, int master)
{
  struct winsize ws;

  if (ioctl (from_tty, TIOCGWINSZ, &ws) < 0)
    return -errno;
  if (ioctl (master, TIOCSWINSZ, &ws) < 0)
    return -errno;
  return 0;
}
