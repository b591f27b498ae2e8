/* The container's command looked up as execvp would, inside the image's root. */
#include "src/shim/lookup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/base/syscalls.h"
#include "src/base/util.h"

/* Is path (absolute in the container) at or under a volume's destination? */
static bool
under_volume (const struct run_spec *o, const char *path)
{
  for (size_t i = 0; i < o->n_volumes; i++)
    {
      size_t n = strlen (o->volumes[i].destination);
      while (n > 1 && o->volumes[i].destination[n - 1] == '/')
        n--;
      if (strncmp (path, o->volumes[i].destination, n) == 0 && (path[n] == '/' || path[n] == '\0'))
        return true;
    }
  return false;
}

/* 0 executable, 126 not executable, 127 missing. */
static int
probe (int rootfd, const char *path)
{
  struct stat st;
  int fd = sys_openat2 (rootfd, path[0] == '/' ? path + 1 : path, O_PATH | O_CLOEXEC, 0,
                        RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  int r;

  if (fd < 0)
    return errno == EACCES ? 126 : 127;
  r = fstat (fd, &st) < 0 ? 127 : S_ISDIR (st.st_mode) || !(st.st_mode & 0111) ? 126 : 0;
  close (fd);
  return r;
}

int
command_lookup (int rootfd, const char *cmd, char *const *env, const char *cwd,
                const struct run_spec *o, tong_error *err)
{
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  bool denied = false;

  if (strchr (cmd, '/'))
    {
      _cleanup_free_ char *abs = cmd[0] == '/' ? xstrdup (cmd) : xasprintf ("%s/%s", cwd, cmd);
      int r;
      if (under_volume (o, abs))
        return 0;
      r = probe (rootfd, abs);
      if (r == 127)
        tong_err_code (err, ENOENT, "%s: no such file in the image", cmd);
      else if (r == 126)
        tong_err_code (err, EACCES, "%s: permission denied (not an executable file)", cmd);
      return r;
    }
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], "PATH=", 5) == 0)
      path = env[i] + 5;
  _cleanup_free_ char *copy = xstrdup (path);
  for (char *save = NULL, *dir = strtok_r (copy, ":", &save); dir;
       dir = strtok_r (NULL, ":", &save))
    {
      _cleanup_free_ char *full = xasprintf ("%s/%s", dir, cmd);
      int r;
      if (dir[0] != '/' || under_volume (o, full))
        return 0; /* relative PATH entries and volumes: leave it to tong */
      r = probe (rootfd, full);
      if (r == 0)
        return 0;
      denied |= r == 126;
    }
  if (denied)
    {
      tong_err_code (err, EACCES, "%s: permission denied (found in $PATH, not executable)", cmd);
      return 126;
    }
  tong_err_code (err, ENOENT, "%s: executable file not found in $PATH", cmd);
  return 127;
}
