/* tong run [-d] [create flags] ID: create, start, and (without -d) wait for
 * the container, forwarding signals and proxying its terminal, then delete it
 * and exit with its status (128+N when a signal N ended it). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>

#include "src/commands.h"
#include "src/console.h"
#include "src/container.h"
#include "src/log.h"
#include "src/util.h"

struct run_loop
{
  pid_t pid;
  int sigfd;
  int master;        /* pty master or -1 */
  bool stdin_open;   /* copying stdin to the master */
  int status;        /* wait status of the init once reaped */
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
loop (struct run_loop *l)
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

int
cmd_run (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  struct create_options o = { 0 };
  struct created_container cc;
  struct run_loop l = { .sigfd = -1, .master = -1 };
  struct termios saved;
  bool detach = false, keep = false, raw = false;
  sigset_t mask, old;
  tong_error derr = { 0 };
  int r;

  r = create_flags_parse (argc, argv, &o, &detach, &keep, err);
  if (r < 0)
    return r;
  o.foreground = !detach;

  /* Block the signals to forward before the init exists, so none is lost;
   * the init resets its own mask. */
  sigfillset (&mask);
  sigdelset (&mask, SIGSEGV);
  sigdelset (&mask, SIGBUS);
  sigdelset (&mask, SIGILL);
  sigdelset (&mask, SIGFPE);
  if (!detach)
    sigprocmask (SIG_BLOCK, &mask, &old);

  r = container_create (g, &o, &cc, err);
  if (r < 0)
    goto out;
  r = container_start (g, o.id, err);
  if (r < 0)
    {
      container_delete (g, o.id, true, &derr);
      goto out;
    }
  if (detach)
    {
      close (cc.pidfd);
      return 0;
    }

  l.pid = cc.pid;
  l.master = cc.console_master;
  l.stdin_open = true;
  l.sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (l.sigfd < 0)
    {
      r = tong_err (err, errno, "signalfd");
      container_delete (g, o.id, true, &derr);
      goto out;
    }
  if (l.master >= 0 && isatty (STDIN_FILENO))
    {
      console_copy_winsize (STDIN_FILENO, l.master);
      raw = console_make_raw (STDIN_FILENO, &saved, &derr) == 0;
    }
  reap (&l); /* the init may have exited before the signalfd existed */
  loop (&l);
  if (raw)
    console_restore (STDIN_FILENO, &saved);
  if (l.master >= 0)
    close (l.master);
  close (l.sigfd);
  close (cc.pidfd);
  if (!l.exited)
    {
      waitpid (l.pid, &l.status, 0);
      l.exited = true;
    }
  if (!keep && container_delete (g, o.id, true, &derr) < 0)
    log_warning ("delete container %s: %s", o.id, derr.msg);
  if (WIFSIGNALED (l.status))
    r = 128 + WTERMSIG (l.status);
  else
    r = WEXITSTATUS (l.status);
out:
  if (!detach)
    sigprocmask (SIG_SETMASK, &old, NULL);
  return r;
}
