#include "idmap-helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/base/util.h"

/* The helper's first line of complaint is enough for an error message. */
#define HELPER_OUTPUT_MAX 1024

/* argv: helper PID cid hid size ... NULL. */
static char **
helper_argv (const char *helper, pid_t pid, const struct oci_id_mapping *maps, size_t len)
{
  char **argv = xcalloc (2 + 3 * len + 1, sizeof *argv);
  size_t n = 0;

  argv[n++] = xstrdup (helper);
  argv[n++] = xasprintf ("%d", (int) pid);
  for (size_t i = 0; i < len; i++)
    {
      argv[n++] = xasprintf ("%" PRIu32, maps[i].container_id);
      argv[n++] = xasprintf ("%" PRIu32, maps[i].host_id);
      argv[n++] = xasprintf ("%" PRIu32, maps[i].size);
    }
  return argv;
}

/* Put fd on target in the child; a dup2 onto itself would keep O_CLOEXEC. */
static int
child_move_fd (int fd, int target)
{
  if (fd == target)
    return fcntl (fd, F_SETFD, 0);
  return dup2 (fd, target) < 0 ? -1 : 0;
}

/* In the forked child: stdin from /dev/null, stdout and stderr into the pipe,
 * an empty environment but for the C locale, exec.  Never returns. */
static void __attribute__ ((noreturn))
child_exec (const char *path, char **argv, int null_fd, int out_fd)
{
  char *envp[] = { (char *) "LC_ALL=C", NULL };
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (child_move_fd (null_fd, 0) < 0 || child_move_fd (out_fd, 1) < 0
      || child_move_fd (out_fd, 2) < 0)
    _exit (127);
  execve (path, argv, envp);
  dprintf (2, "exec %s: %s", path, strerror (errno));
  _exit (127);
}

/* Everything the child wrote, up to HELPER_OUTPUT_MAX bytes, trailing newlines cut. */
static void
read_output (int fd, char *buf, size_t size)
{
  size_t used = 0;
  char sink[256];
  ssize_t n;

  for (;;)
    {
      if (used + 1 < size)
        n = read (fd, buf + used, size - 1 - used);
      else
        n = read (fd, sink, sizeof sink);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (used + 1 < size)
        used += (size_t) n;
    }
  while (used > 0 && (buf[used - 1] == '\n' || buf[used - 1] == '\r'))
    used--;
  buf[used] = '\0';
}

static int
wait_child (pid_t child, int *status)
{
  while (waitpid (child, status, 0) < 0)
    if (errno != EINTR)
      return -errno;
  return 0;
}

int
idmap_helper_write (pid_t pid, const char *helper, const char *field,
                    const struct oci_id_mapping *maps, size_t len, tong_error *err)
{
  _cleanup_free_ char *path = NULL;
  _cleanup_strv_ char **argv = NULL;
  _cleanup_close_ int null_fd = -1, out_read = -1, out_write = -1;
  char output[HELPER_OUTPUT_MAX];
  int fds[2], status = 0, r;
  pid_t child;

  if (len == 0)
    return tong_err (err, 0, "linux.%s is empty: a new user namespace needs id mappings", field);
  path = path_lookup (helper);
  if (path == NULL)
    return tong_err (err, ENOENT,
                     "linux.%s: %s not found in PATH: as a user other than root, tong maps ids "
                     "through it; install the package `uidmap`",
                     field, helper);
  argv = helper_argv (helper, pid, maps, len);
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0)
    return tong_err (err, errno, "open /dev/null");
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return tong_err (err, errno, "pipe for %s", helper);
  out_read = fds[0];
  out_write = fds[1];

  child = fork ();
  if (child < 0)
    return tong_err (err, errno, "fork for %s", helper);
  if (child == 0)
    child_exec (path, argv, null_fd, out_write);
  closep (&out_write);
  out_write = -1;
  read_output (out_read, output, sizeof output);
  r = wait_child (child, &status);
  if (r < 0)
    return tong_err (err, -r, "wait for %s", helper);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFSIGNALED (status))
    return tong_err_code (err, EPERM, "linux.%s: %s killed by signal %d%s%s", field, path,
                          WTERMSIG (status), *output ? ": " : "", output);
  return tong_err_code (
      err, EPERM,
      "linux.%s: %s failed (exit %d): %s (the ranges must be granted to this user "
      "in /etc/sub%cid)",
      field, path, WEXITSTATUS (status), *output ? output : "no message",
      strcmp (helper, "newgidmap") == 0 ? 'g' : 'u');
}
