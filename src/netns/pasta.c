#include "pasta.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/base/syscalls.h"
#include "src/base/procfs.h"
#include "src/base/util.h"

#define PASTA_PID_FILE "pasta.pid"
#define PASTA_OUTPUT_MAX 2048

/* "-t [ADDR/]HOSTPORT:CONTAINERPORT" for each port of proto, or "none". */
static void
port_args (const struct net_config *c, uint8_t proto, char **argv, size_t *n)
{
  const char *flag = proto == IPPROTO_TCP ? "-t" : "-u";
  bool any = false;

  for (size_t i = 0; i < c->n_ports; i++)
    {
      const struct net_port *p = &c->ports[i];
      if (p->proto != proto)
        continue;
      argv[(*n)++] = xstrdup (flag);
      if (p->host_ip.s_addr == INADDR_ANY)
        argv[(*n)++] = xasprintf ("%u:%u", p->host_port, p->container_port);
      else
        argv[(*n)++]
            = xasprintf ("%s/%u:%u", inet_ntoa (p->host_ip), p->host_port, p->container_port);
      any = true;
    }
  if (!any)
    {
      argv[(*n)++] = xstrdup (flag);
      argv[(*n)++] = xstrdup ("none");
    }
}

static bool
same_namespace (const char *a, const char *b)
{
  struct stat sa, sb;
  return stat (a, &sa) == 0 && stat (b, &sb) == 0 && sa.st_ino == sb.st_ino
         && sa.st_dev == sb.st_dev;
}

/* pasta's stderr (a memfd: its daemon may keep it open), without its
 * complaints that there is no syslog. */
static void
read_messages (int fd, char *buf, size_t size)
{
  _cleanup_fclose_ FILE *f = NULL;
  char line[512];
  size_t used = 0;
  int copy = fcntl (fd, F_DUPFD_CLOEXEC, 3);

  buf[0] = '\0';
  if (copy < 0 || lseek (copy, 0, SEEK_SET) < 0 || !(f = fdopen (copy, "r")))
    {
      if (copy >= 0)
        close (copy);
      return;
    }
  while (fgets (line, sizeof line, f))
    {
      size_t len;
      if (strncmp (line, "Failed to send", 14) == 0)
        continue;
      len = strcspn (line, "\n");
      if (used + len + 3 >= size)
        break;
      if (used)
        {
          memcpy (buf + used, "; ", 2);
          used += 2;
        }
      memcpy (buf + used, line, len);
      used += len;
      buf[used] = '\0';
    }
}

int
pasta_start (const struct net_config *c, pid_t pid, const char *state_dir, pid_t *out,
             tong_error *err)
{
  _cleanup_free_ char *pasta = path_lookup ("pasta");
  _cleanup_free_ char *netns = xasprintf ("/proc/%d/ns/net", (int) pid);
  _cleanup_free_ char *userns = xasprintf ("/proc/%d/ns/user", (int) pid);
  _cleanup_free_ char *pid_file = xasprintf ("%s/%s", state_dir, PASTA_PID_FILE);
  _cleanup_free_ char *text = NULL;
  _cleanup_strv_ char **argv = NULL;
  char messages[PASTA_OUTPUT_MAX];
  tong_error ignored;
  _cleanup_close_ int output = -1, net_fd = -1, user_fd = -1;
  int status = 0;
  size_t n = 0;
  pid_t child;
  long daemon_pid;

  if (!pasta)
    return tong_err (err, ENOENT, "%s=pasta: pasta not found in PATH: install the package `passt`",
                     NET_KEY_MODE);
  argv = xcalloc (24 + 4 * c->n_ports, sizeof *argv);
  argv[n++] = xstrdup ("pasta");
  argv[n++] = xstrdup ("--config-net");
  argv[n++] = xstrdup ("--quiet");
  /* The container reaches the outside, not the host's own loopback services. */
  argv[n++] = xstrdup ("--no-map-gw");
  port_args (c, IPPROTO_TCP, argv, &n);
  port_args (c, IPPROTO_UDP, argv, &n);
  argv[n++] = xstrdup ("-T");
  argv[n++] = xstrdup ("none");
  argv[n++] = xstrdup ("-U");
  argv[n++] = xstrdup ("none");
  /* Root of a user namespace (tong-shim's, with a FUSE root) is the user on
   * the host: pasta would drop it for nobody, who may not enter the
   * container's namespaces. */
  if (geteuid () == 0)
    {
      argv[n++] = xstrdup ("--runas");
      argv[n++] = xstrdup ("0:0");
    }
  argv[n++] = xstrdup ("--pid");
  argv[n++] = xstrdup (pid_file);
  /* The namespaces go to pasta as fds 3 and 4 that tong opened: pasta
   * drops the capabilities it would need to open another process's. */
  net_fd = open (netns, O_RDONLY | O_CLOEXEC);
  if (net_fd < 0)
    return tong_err (err, errno, "open %s", netns);
  argv[n++] = xstrdup ("--netns");
  argv[n++] = xstrdup ("/proc/self/fd/3");
  argv[n++] = xstrdup ("--no-netns-quit");
  if (same_namespace (userns, "/proc/self/ns/user"))
    argv[n++] = xstrdup ("--netns-only");
  else
    {
      user_fd = open (userns, O_RDONLY | O_CLOEXEC);
      if (user_fd < 0)
        return tong_err (err, errno, "open %s", userns);
      argv[n++] = xstrdup ("--userns");
      argv[n++] = xstrdup ("/proc/self/fd/4");
    }

  output = memfd_create ("pasta-stderr", MFD_CLOEXEC);
  if (output < 0)
    return tong_err (err, errno, "memfd_create for pasta's messages");
  child = fork ();
  if (child < 0)
    return tong_err (err, errno, "fork for pasta");
  if (child == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      /* Its own session: the daemon outlives tong, and the terminal's signals. */
      setsid ();
      int net = fcntl (net_fd, F_DUPFD_CLOEXEC, 10);
      int user = user_fd >= 0 ? fcntl (user_fd, F_DUPFD_CLOEXEC, 10) : -1;
      if (null < 0 || net < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (output, 2) < 0
          || dup2 (net, 3) < 0 || (user >= 0 && dup2 (user, 4) < 0))
        _exit (127);
      fds_cloexec_from (user >= 0 ? 5 : 4);
      execv (pasta, argv);
      _exit (127);
    }
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return tong_err (err, errno, "wait for pasta");
  read_messages (output, messages, sizeof messages);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      unlink (pid_file);
      return tong_err_code (err, EIO, "%s=pasta: %s failed (%s %d)%s%s", NET_KEY_MODE, pasta,
                            WIFEXITED (status) ? "exit" : "signal",
                            WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status),
                            *messages ? ": " : "", messages);
    }
  if (read_file_at (AT_FDCWD, pid_file, &text, NULL, &ignored) < 0
      || (daemon_pid = strtol (text, NULL, 10)) <= 0)
    return tong_err (err, EIO, "%s=pasta: it started but wrote no pid to %s", NET_KEY_MODE,
                     pid_file);
  unlink (pid_file);
  *out = (pid_t) daemon_pid;
  return 0;
}

int
pasta_stop (pid_t pid, unsigned long long start_time, tong_error *err)
{
  _cleanup_close_ int pidfd = -1;
  struct pollfd p;

  if (pid <= 0 || proc_start_time (pid) != start_time)
    return 0; /* gone already (it exits when it has nothing left to serve) */
  pidfd = sys_pidfd_open (pid, 0);
  if (pidfd < 0)
    return errno == ESRCH ? 0 : tong_err (err, errno, "pidfd_open pasta (pid %d)", (int) pid);
  if (sys_pidfd_send_signal (pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
    return tong_err (err, errno, "stop pasta (pid %d)", (int) pid);
  p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
  if (poll (&p, 1, 1000) == 1)
    return 0;
  if (sys_pidfd_send_signal (pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
    return tong_err (err, errno, "kill pasta (pid %d)", (int) pid);
  return 0;
}
