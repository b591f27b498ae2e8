#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "procfs.h"
#include "src/base/util.h"

int
sysctl_write (int procfs, const struct rootfs_sysctl *s, tong_error *err)
{
  _cleanup_close_ int fd = -1;

  /* By the fd of the procfs the runtime mounted: an image could ship its
   * own /proc, and a writer of the rootfs could swap the name meanwhile. */
  fd = procfs_open_beneath (procfs, s->proc_path, O_WRONLY);
  if (fd < 0)
    return tong_err (err, -fd, "linux.sysctl: `%s`: open /proc/%s", s->key, s->proc_path);
  if (write_all (fd, s->value, strlen (s->value)) < 0)
    return tong_err (err, errno, "linux.sysctl: write `%s` to `%s`", s->value, s->key);
  return 0;
}
