#include "twin.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/self/guard.h"
#include "src/base/util.h"

char *
twin_exe_dir (void)
{
  char buf[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", buf, sizeof buf - 1);
  struct stat self, named;
  const char *dir;
  char *slash;

  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  /* A copy of tong (a sealed memfd, or a read-only clone of its mount:
   * src/self/guard.c) has no path of its own that names the binary: the
   * re-exec said where it came from. */
  if (buf[0] != '/' || stat ("/proc/self/exe", &self) < 0 || stat (buf, &named) < 0
      || self.st_dev != named.st_dev || self.st_ino != named.st_ino || !S_ISREG (named.st_mode))
    {
      dir = getenv (TWIN_EXE_DIR_ENV);
      return dir && dir[0] == '/' ? xstrdup (dir) : NULL;
    }
  slash = strrchr (buf, '/');
  *slash = '\0';
  return xstrdup (slash == buf ? "/" : buf);
}

char *
twin_private_file (const char *name)
{
  _cleanup_free_ char *dir = twin_exe_dir ();

  if (dir)
    {
      char *p = xasprintf ("%s/%s", dir, name);
      if (access (p, F_OK) == 0)
        return p;
      free (p);
    }
  return xasprintf ("%s/%s", TONG_PKGLIBEXECDIR, name);
}

int
twin_hand_over (const char *why, tong_error *err)
{
  _cleanup_free_ char *twin = NULL;
  int r;

  twin = twin_private_file (TWIN_NAME);
  r = protect_exe_exec_as_started (twin);
  return tong_err (err, -r,
                   "%s needs %s, tong's build with glibc: this tong is built with musl, "
                   "for which there is no libsystemd, libmnl or libnftnl",
                   why, twin);
}
