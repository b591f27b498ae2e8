/* exe-probe: the CVE-2019-5736 attack, run inside a container by
 * tests/integration/cve.sh.  For SECONDS it scans /proc for every process it
 * can see and tries to reach the runtime's binary (identified by DEV:INO, as
 * the host's stat shows it) through /proc/PID/exe: opened for writing
 * directly, and opened with O_PATH, kept, and later reopened for writing
 * through /proc/self/fd/N (which works once the runtime no longer executes
 * the file).  Nothing is ever written.  At the end it writes one line to OUT:
 * "reached=R write=W" (R: O_PATH opens that found the binary; W: opens for
 * writing that succeeded). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define MAX_KEPT 256

static dev_t target_dev;
static ino_t target_ino;
static int kept[MAX_KEPT];
static size_t n_kept;
static unsigned long reached, written;

static int
is_target (int fd)
{
  struct stat st;
  return fstat (fd, &st) == 0 && st.st_dev == target_dev && st.st_ino == target_ino;
}

/* An open for writing that succeeded on the binary: count it, write nothing. */
static void
check_write_open (int fd)
{
  if (fd < 0)
    return;
  if (is_target (fd))
    written++;
  close (fd);
}

static void
probe_pid (const char *pid)
{
  char path[sizeof "/proc//exe" + NAME_MAX];
  int fd;

  snprintf (path, sizeof path, "/proc/%s/exe", pid);
  check_write_open (open (path, O_WRONLY | O_CLOEXEC));
  fd = open (path, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return;
  if (is_target (fd) && n_kept < MAX_KEPT)
    {
      reached++;
      kept[n_kept++] = fd;
      return;
    }
  close (fd);
}

static void
reopen_kept (void)
{
  char path[64];

  for (size_t i = 0; i < n_kept; i++)
    {
      snprintf (path, sizeof path, "/proc/self/fd/%d", kept[i]);
      check_write_open (open (path, O_WRONLY | O_CLOEXEC));
    }
}

static void
scan_once (void)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;
  char self[32];

  if (!d)
    return;
  snprintf (self, sizeof self, "%d", (int) getpid ());
  while ((e = readdir (d)))
    if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp (e->d_name, self) != 0)
      probe_pid (e->d_name);
  closedir (d);
  reopen_kept ();
}

int
main (int argc, char **argv)
{
  unsigned int major_n, minor_n;
  unsigned long long ino;
  struct timespec now, end;
  FILE *out;

  if (argc != 4 || sscanf (argv[2], "%u:%u:%llu", &major_n, &minor_n, &ino) != 3)
    {
      fprintf (stderr, "usage: exe-probe SECONDS MAJOR:MINOR:INO OUT\n");
      return 2;
    }
  target_dev = makedev (major_n, minor_n);
  target_ino = (ino_t) ino;
  clock_gettime (CLOCK_MONOTONIC, &end);
  end.tv_sec += atoi (argv[1]);
  do
    {
      scan_once ();
      clock_gettime (CLOCK_MONOTONIC, &now);
    }
  while (now.tv_sec < end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
  out = fopen (argv[3], "w");
  if (!out)
    return 1;
  fprintf (out, "reached=%lu write=%lu\n", reached, written);
  return fclose (out) == 0 ? 0 : 1;
}
