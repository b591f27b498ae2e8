/* The overlay root through a FUSE program (fuse-overlayfs), where the
 * kernel refuses overlayfs to a user namespace: Linux before 5.11, or
 * layers on a filesystem without user xattrs. */
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/base/util.h"

/* fuse-overlayfs splits its options on ',' and lowerdir on ':'. */
static int
check_path (const char *path, tong_error *err)
{
  if (strpbrk (path, ":,"))
    return tong_err (
        err, 0, "overlay: the FUSE overlay cannot take the path '%s' (it has ':' or ',')", path);
  return 0;
}

int
overlay_mount_fuse (const char *program, const char *target, const char *const *lowers, size_t n,
                    const char *upper, const char *work, tong_error *err)
{
  _cleanup_free_ char *opts = NULL;
  size_t len = strlen ("lowerdir=,upperdir=,workdir=") + strlen (upper) + strlen (work) + 1;
  int status = 0, r;
  pid_t child;

  r = check_path (upper, err);
  if (r == 0)
    r = check_path (work, err);
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      r = check_path (lowers[i], err);
      len += strlen (lowers[i]) + 1;
    }
  if (r < 0)
    return r;
  opts = xcalloc (len, 1);
  strcpy (opts, "lowerdir=");
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        strcat (opts, ":");
      strcat (opts, lowers[i]);
    }
  strcat (opts, ",upperdir=");
  strcat (opts, upper);
  strcat (opts, ",workdir=");
  strcat (opts, work);

  child = fork ();
  if (child < 0)
    return tong_err (err, errno, "fork for %s", program);
  if (child == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      /* The daemon it leaves behind serves the mount until it is unmounted. */
      if (null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0)
        _exit (127);
      if (strchr (program, '/'))
        execl (program, program, "-o", opts, target, (char *) NULL);
      else
        execlp (program, program, "-o", opts, target, (char *) NULL);
      fprintf (stderr, "tong-shim: cannot run %s: %s\n", program, strerror (errno));
      _exit (127);
    }
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return tong_err (err, errno, "wait for %s", program);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return tong_err (err, ENOENT, "overlay: %s not found (install the package fuse-overlayfs)",
                     program);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return tong_err (err, EIO,
                     "overlay: %s could not mount %zu layer%s on '%s' (%s %d; it needs "
                     "/dev/fuse readable and writable by the user)",
                     program, n, n == 1 ? "" : "s", target, WIFEXITED (status) ? "exit" : "signal",
                     WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
  return 0;
}
