#include "foreground.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "src/process/console.h"
#include "src/base/util.h"

struct run_loop
{
  pid_t pid;
  int sigfd;
  int master;      /* pty master or -1 */
  bool stdin_open; /* copying stdin to the master */
  int status;      /* wait status of the init once reaped */
  bool exited;
};

/* Copy what is readable on from to `to`.  Returns bytes copied, 0 at EOF, -errno. */
static ssize_t
pump (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n < 0)
    return errno == EINTR || errno == EAGAIN ? 1 : -errno;
  if (n > 0 && write_all (to, buf, (size_t) n) < 0)
    return -EPIPE;
  return n;
}

static void
reap (struct run_loop *l)
{
  int status;
  pid_t p;
  while ((p = waitpid (-1, &status, WNOHANG)) > 0)
    if (p == l->pid)
      {
        l->status = status;
        l->exited = true;
      }
}

static void
handle_signal (struct run_loop *l)
{
  struct signalfd_siginfo si;
  while (read (l->sigfd, &si, sizeof si) == sizeof si)
    {
      if (si.ssi_signo == SIGCHLD)
        reap (l);
      else if (si.ssi_signo == SIGWINCH)
        {
          if (l->master >= 0)
            console_copy_winsize (STDIN_FILENO, l->master);
        }
      else
        kill (l->pid, (int) si.ssi_signo);
    }
}

static void
proxy_loop (struct run_loop *l)
{
  while (!l->exited)
    {
      struct pollfd fds[3] = { { .fd = l->sigfd, .events = POLLIN },
                               { .fd = l->master, .events = POLLIN },
                               { .fd = l->stdin_open ? STDIN_FILENO : -1, .events = POLLIN } };
      if (poll (fds, l->master >= 0 ? 3 : 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (fds[0].revents)
        handle_signal (l);
      if (l->master >= 0 && fds[1].revents && pump (l->master, STDOUT_FILENO) <= 0)
        {
          close (l->master);
          l->master = -1;
        }
      if (l->master >= 0 && fds[2].revents && pump (STDIN_FILENO, l->master) <= 0)
        l->stdin_open = false;
    }
  /* Output the container wrote just before it exited. */
  if (l->master >= 0)
    {
      struct pollfd pfd = { .fd = l->master, .events = POLLIN };
      while (poll (&pfd, 1, 0) > 0 && pump (l->master, STDOUT_FILENO) > 0)
        ;
    }
}

static void
forwarded_signals (sigset_t *mask)
{
  sigfillset (mask);
  sigdelset (mask, SIGSEGV);
  sigdelset (mask, SIGBUS);
  sigdelset (mask, SIGILL);
  sigdelset (mask, SIGFPE);
}

void
foreground_block_signals (sigset_t *old)
{
  sigset_t mask;
  forwarded_signals (&mask);
  sigprocmask (SIG_BLOCK, &mask, old);
}

int
foreground_wait (pid_t pid, int master, tong_error *err)
{
  struct run_loop l = { .pid = pid, .master = master, .stdin_open = true };
  struct termios saved;
  tong_error ignored;
  bool raw = false;
  sigset_t mask;

  forwarded_signals (&mask);
  l.sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (l.sigfd < 0)
    {
      if (master >= 0)
        close (master);
      return tong_err (err, errno, "signalfd");
    }
  if (l.master >= 0 && isatty (STDIN_FILENO))
    {
      console_copy_winsize (STDIN_FILENO, l.master);
      raw = console_make_raw (STDIN_FILENO, &saved, &ignored) == 0;
    }
  reap (&l); /* the process may have exited before the signalfd existed */
  proxy_loop (&l);
  if (raw)
    console_restore (STDIN_FILENO, &saved);
  if (l.master >= 0)
    close (l.master);
  close (l.sigfd);
  if (!l.exited)
    {
      while (waitpid (pid, &l.status, 0) < 0 && errno == EINTR)
        ;
    }
  if (WIFSIGNALED (l.status))
    return 128 + WTERMSIG (l.status);
  return WEXITSTATUS (l.status);
}
