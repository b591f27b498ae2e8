#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rootfs.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

#define RESOLVE_INSIDE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
#define MAX_SYMLINKS 40

const char *
fd_path (struct fd_path *p, int fd)
{
  str_format (p->buf, sizeof p->buf, "/proc/self/fd/%d", fd);
  return p->buf;
}

static int
open_inside (int rootfd, const char *path, int flags)
{
  int fd;
  mode_t mode = (flags & O_CREAT) ? 0644 : 0;

  do
    fd = sys_openat2 (rootfd, *path ? path : ".", (uint64_t) (flags | O_CLOEXEC), mode,
                      RESOLVE_INSIDE);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  return fd < 0 ? -errno : fd;
}

/* Split the first component off *rest: returns it NUL-terminated, advances *rest. */
static char *
next_component (char **rest)
{
  char *p = *rest, *start;

  while (*p == '/')
    p++;
  if (*p == '\0')
    return NULL;
  start = p;
  while (*p && *p != '/')
    p++;
  if (*p)
    *p++ = '\0';
  *rest = p;
  return start;
}

/* Create one missing component `name` in the directory `dirfd` (a dangling
 * symlink there is the caller's business).  A concurrent creation is fine. */
static int
create_component (int dirfd, const char *name, bool as_file)
{
  if (as_file)
    {
      _cleanup_close_ int fd
          = openat (dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST)
        return -errno;
      return 0;
    }
  if (mkdirat (dirfd, name, 0755) < 0 && errno != EEXIST)
    return -errno;
  return 0;
}

/* Walk `path` component by component, creating what is missing; a dangling
 * symlink restarts the walk at its target (still inside the root). */
static int
create_missing (int rootfd, const char *path, enum path_create create, tong_error *err)
{
  _cleanup_free_ char *prefix = xstrdup ("");
  _cleanup_free_ char *walk = xstrdup (path);
  _cleanup_close_ int cur = -1;
  char *rest = walk;
  char *name;
  int symlinks = 0;

  cur = open_inside (rootfd, "", O_PATH | O_DIRECTORY);
  if (cur < 0)
    return tong_err (err, -cur, "open the rootfs");

  while ((name = next_component (&rest)))
    {
      _cleanup_free_ char *next = NULL;
      char target[PATH_MAX];
      bool last;
      ssize_t n;
      int fd, r;

      if (strcmp (name, ".") == 0)
        continue;
      next = xasprintf ("%s/%s", prefix, name);
      fd = open_inside (rootfd, next, O_PATH);
      if (fd >= 0)
        goto advance;
      if (fd != -ENOENT)
        return tong_err (err, -fd, "open `%s` in the rootfs", next);

      n = readlinkat (cur, name, target, sizeof target - 1);
      if (n >= 0)
        {
          /* A dangling symlink: continue with its target, resolved from the
           * directory that holds it (or the root when it is absolute). */
          char *rewritten;

          if (++symlinks > MAX_SYMLINKS)
            return tong_err (err, ELOOP, "resolve `%s` in the rootfs", path);
          target[n] = '\0';
          rewritten = xasprintf ("%s/%s", target, rest);
          free (walk);
          walk = rewritten;
          rest = walk;
          if (target[0] == '/')
            {
              free (prefix);
              prefix = xstrdup ("");
              closep (&cur);
              cur = open_inside (rootfd, "", O_PATH | O_DIRECTORY);
              if (cur < 0)
                return tong_err (err, -cur, "open the rootfs");
            }
          continue;
        }

      while (*rest == '/')
        rest++;
      last = *rest == '\0';
      r = create_component (cur, name, last && create == PATH_CREATE_FILE);
      if (r < 0)
        return tong_err (err, -r, "create `%s` in the rootfs", next);
      fd = open_inside (rootfd, next, O_PATH);
      if (fd < 0)
        return tong_err (err, -fd, "open `%s` in the rootfs after creating it", next);

    advance:
      closep (&cur);
      cur = fd;
      free (prefix);
      prefix = TAKE_PTR (next);
    }
  return 0;
}

int
path_open_in_root (int rootfd, const char *path, int flags, enum path_create create,
                   tong_error *err)
{
  int fd, r;

  fd = open_inside (rootfd, path, flags);
  if (fd >= 0 || fd != -ENOENT || create == PATH_CREATE_NONE)
    {
      if (fd < 0)
        return tong_err (err, -fd, "open `%s` in the rootfs", path);
      return fd;
    }
  r = create_missing (rootfd, path, create, err);
  if (r < 0)
    return r;
  fd = open_inside (rootfd, path, flags);
  if (fd < 0)
    return tong_err (err, -fd, "open `%s` in the rootfs", path);
  return fd;
}
