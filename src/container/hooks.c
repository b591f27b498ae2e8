#include "hooks.h"
#include "src/base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/base/syscalls.h"
#include "src/base/util.h"

/* Without pidfds (kernels before 5.3) the wait polls at this interval. */
#define POLL_FALLBACK_MS 10

struct hook_run
{
  const struct oci_hook *hook;
  const char *phase;
  size_t index;
  pid_t pid;
  int pidfd;
};

static int
hook_err (const struct hook_run *h, tong_error *err, int errnum, const char *what)
{
  return tong_err (err, errnum, "%s hook %zu (`%s`): %s", h->phase, h->index, h->hook->path, what);
}

static void __attribute__ ((noreturn))
hook_child (const struct oci_hook *hook, int stdin_fd, int report_fd)
{
  static char *const empty[] = { NULL };
  char *fallback_args[] = { hook->path, NULL };
  char *const *args = hook->args && hook->args[0] ? hook->args : fallback_args;
  char *const *env = hook->env ? hook->env : empty;
  sigset_t all;
  int e;

  if (dup2 (stdin_fd, STDIN_FILENO) < 0)
    goto fail;
  /* Only stdio goes to the hook: whatever tong holds (state dir, sockets,
   * the container's fds) is closed at exec; the report pipe closes with it. */
  fds_cloexec_from (3);
  /* Ignored signals survive execve: give the hook default dispositions. */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  execve (hook->path, args, env);
fail:
  e = errno;
  (void) !write (report_fd, &e, sizeof e);
  _exit (127);
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reap the hook if it has exited; 1 when reaped, 0 when still running. */
static int
try_reap (struct hook_run *h, int *status, tong_error *err)
{
  pid_t r;
  do
    r = waitpid (h->pid, status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hook_err (h, err, errno, "wait");
  if (r == 0)
    return 0;
  h->pid = -1;
  return 1;
}

static void
kill_and_reap (struct hook_run *h)
{
  int status;
  if (h->pid <= 0)
    return;
  if (h->pidfd < 0 || sys_pidfd_send_signal (h->pidfd, SIGKILL, NULL, 0) < 0)
    kill (h->pid, SIGKILL);
  while (waitpid (h->pid, &status, 0) < 0 && errno == EINTR)
    ;
  h->pid = -1;
}

/* Feed the state to the hook's stdin and wait for it, within the deadline
 * (< 0: none).  Writes are non-blocking so that a hook that never reads its
 * stdin cannot hold us past the timeout. */
static int
feed_and_wait (struct hook_run *h, int *wfd, const char *data, size_t len, long long deadline,
               int *status, tong_error *err)
{
  size_t off = 0;

  for (;;)
    {
      struct pollfd fds[2];
      nfds_t n = 0;
      int timeout = -1, r;

      if (*wfd >= 0 && off >= len)
        {
          close (*wfd);
          *wfd = -1;
        }
      r = try_reap (h, status, err);
      if (r != 0)
        return r < 0 ? r : 0;
      if (deadline >= 0)
        {
          long long left = deadline - now_ms ();
          if (left <= 0)
            return -ETIMEDOUT;
          timeout = (int) left;
        }
      if (h->pidfd >= 0)
        fds[n++] = (struct pollfd){ .fd = h->pidfd, .events = POLLIN };
      else if (timeout < 0 || timeout > POLL_FALLBACK_MS)
        timeout = POLL_FALLBACK_MS;
      if (*wfd >= 0)
        fds[n++] = (struct pollfd){ .fd = *wfd, .events = POLLOUT };
      r = poll (fds, n, timeout);
      if (r < 0 && errno != EINTR)
        return hook_err (h, err, errno, "poll");
      if (*wfd >= 0 && r > 0)
        {
          ssize_t w = write (*wfd, data + off, len - off);
          if (w > 0)
            off += (size_t) w;
          else if (w < 0 && errno == EPIPE)
            off = len; /* the hook closed its stdin: it does not want the state */
          else if (w < 0 && errno != EAGAIN && errno != EINTR)
            return hook_err (h, err, errno, "write the state to its stdin");
        }
    }
}

static int
describe_status (const struct hook_run *h, int status, tong_error *err)
{
  char what[128];

  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFEXITED (status))
    str_format (what, sizeof what, "exited with status %d", WEXITSTATUS (status));
  else if (WIFSIGNALED (status))
    {
      const char *abbrev = signal_abbrev (WTERMSIG (status));
      if (abbrev)
        str_format (what, sizeof what, "killed by signal SIG%s", abbrev);
      else
        str_format (what, sizeof what, "killed by signal %d", WTERMSIG (status));
    }
  else
    str_format (what, sizeof what, "ended with wait status 0x%x", (unsigned) status);
  return hook_err (h, err, 0, what);
}

static int
run_hook (const struct oci_hook *hook, const char *phase, size_t index, const char *state,
          tong_error *err)
{
  _cleanup_close_ int in_r = -1, in_w = -1, rep_r = -1, rep_w = -1, pidfd = -1;
  struct hook_run h = { .hook = hook, .phase = phase, .index = index, .pid = -1, .pidfd = -1 };
  size_t len = state ? strlen (state) : 0;
  long long deadline = -1;
  int fds[2], status = 0, child_errno = 0, r;
  ssize_t n;

  if (!hook->path)
    return tong_err (err, 0, "%s hook %zu: no path", phase, index);
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hook_err (&h, err, errno, "create the stdin pipe");
  in_r = fds[0];
  in_w = fds[1];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hook_err (&h, err, errno, "create a pipe");
  rep_r = fds[0];
  rep_w = fds[1];

  h.pid = fork ();
  if (h.pid < 0)
    return hook_err (&h, err, errno, "fork");
  if (h.pid == 0)
    hook_child (hook, in_r, rep_w);

  close (TAKE_FD (in_r));
  close (TAKE_FD (rep_w));
  pidfd = sys_pidfd_open (h.pid, 0);
  h.pidfd = pidfd;
  if (fcntl (in_w, F_SETFL, O_NONBLOCK) < 0)
    {
      r = hook_err (&h, err, errno, "make the stdin pipe non-blocking");
      kill_and_reap (&h);
      return r;
    }
  if (hook->has_timeout && hook->timeout > 0)
    deadline = now_ms () + (long long) hook->timeout * 1000;

  r = feed_and_wait (&h, &in_w, state, len, deadline, &status, err);
  if (r < 0)
    {
      kill_and_reap (&h);
      if (r == -ETIMEDOUT)
        {
          char what[64];
          str_format (what, sizeof what, "timed out after %d s", hook->timeout);
          return hook_err (&h, err, 0, what);
        }
      return r;
    }

  /* The report pipe has data only if execve failed in the child. */
  do
    n = read (rep_r, &child_errno, sizeof child_errno);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t) sizeof child_errno)
    return hook_err (&h, err, child_errno, "exec");
  return describe_status (&h, status, err);
}

static int
run_list (const struct oci_hook_list *hooks, const char *phase, const char *state_json,
          bool keep_going, tong_error *err)
{
  struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
  int r = 0, first = 0;

  if (!hooks || hooks->len == 0)
    return 0;
  /* A hook that exits without reading its stdin must not kill tong with SIGPIPE. */
  sigemptyset (&ignore.sa_mask);
  sigaction (SIGPIPE, &ignore, &old);
  for (size_t i = 0; i < hooks->len && (r == 0 || keep_going); i++)
    {
      r = run_hook (&hooks->items[i], phase, i, state_json, err);
      if (r < 0 && keep_going)
        log_warning ("%s", err->msg);
      if (r < 0 && first == 0)
        first = r;
    }
  sigaction (SIGPIPE, &old, NULL);
  return keep_going ? first : r;
}

int
hooks_run (const struct oci_hook_list *hooks, const char *phase, const char *state_json,
           tong_error *err)
{
  return run_list (hooks, phase, state_json, false, err);
}

void
hooks_run_warn (const struct oci_hook_list *hooks, const char *phase, const char *state_json)
{
  tong_error err = { 0 };
  run_list (hooks, phase, state_json, true, &err);
}
