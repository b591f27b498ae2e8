#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "src/base/format.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

/* procfs's root directory has this inode number on every kernel. */
#define PROCFS_ROOT_INO 1

int
procfs_check_root (int fd, const char *what, tong_error *err)
{
  struct statfs sf;
  struct stat st;

  if (fstatfs (fd, &sf) < 0)
    return tong_err (err, errno, "statfs %s", what);
  if (fstat (fd, &st) < 0)
    return tong_err (err, errno, "stat %s", what);
  if (sf.f_type != PROC_SUPER_MAGIC || st.st_ino != PROCFS_ROOT_INO)
    return tong_err (err, EXDEV,
                     "%s is not the root of the procfs the runtime mounted (was the rootfs "
                     "changed while the container was created?)",
                     what);
  return 0;
}

int
procfs_open_beneath (int procfs, const char *rest, int flags)
{
  int fd;

  do
    fd = sys_openat2 (procfs, *rest ? rest : ".", (uint64_t) (flags | O_CLOEXEC), 0,
                      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  return fd < 0 ? -errno : fd;
}

int
procfs_open_self (const char *rest, int flags)
{
  _cleanup_close_ int proc = open ("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  tong_error ignored;
  char self[32], path[PATH_MAX];
  ssize_t n;
  int len;

  if (proc < 0)
    return -errno;
  if (procfs_check_root (proc, "/proc", &ignored) < 0)
    return -EXDEV;
  /* The kernel's own link: this process's pid as that procfs numbers it. */
  n = readlinkat (proc, "self", self, sizeof self - 1);
  if (n < 0)
    return -errno;
  self[n] = '\0';
  len = str_format (path, sizeof path, "%s/%s", self, rest);
  if (len < 0 || (size_t) len >= sizeof path)
    return -ENAMETOOLONG;
  return procfs_open_beneath (proc, path, flags);
}

unsigned long long
proc_start_time (pid_t pid)
{
  char path[64], buf[1024], state;
  unsigned long long start = 0;
  _cleanup_close_ int fd = -1;
  ssize_t n;
  char *p;

  str_format (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* The command name may contain spaces and parentheses: parse after the last ')'. */
  p = strrchr (buf, ')');
  if (!p)
    return 0;
  while (*++p == ' ')
    ;
  state = *p;
  if (state == 'Z' || state == 'X')
    return 0;
  for (int field = 3; field < 22 && p; field++)
    {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  if (!p || !digits_scan (p, &start))
    return 0;
  return start;
}
