#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

/* The rest of an open file (named path in errors) into a NUL-terminated buffer. */
static int
read_file_fd (int fd, const char *path, char **out, size_t *len, tong_error *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t size = 0, cap = 0;

  for (;;)
    {
      ssize_t n;
      if (cap - size < 4096)
        {
          cap = cap ? cap * 2 : 8192;
          buf = xrealloc (buf, cap);
        }
      n = read (fd, buf + size, cap - size - 1);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return tong_err (err, errno, "read `%s`", path);
        }
      if (n == 0)
        break;
      size += (size_t) n;
    }
  if (!buf)
    buf = xmalloc (1);
  buf[size] = '\0';
  if (len)
    *len = size;
  *out = TAKE_PTR (buf);
  return 0;
}

int
read_file_at (int dirfd, const char *path, char **out, size_t *len, tong_error *err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return tong_err (err, errno, "open `%s`", path);
  return read_file_fd (fd, path, out, len, err);
}

int
read_file_if_exists_at (int dirfd, const char *path, char **out, size_t *len, tong_error *err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);

  *out = NULL;
  if (fd < 0 && errno == ENOENT)
    return 0;
  if (fd < 0)
    return tong_err (err, errno, "open `%s`", path);
  return read_file_fd (fd, path, out, len, err);
}

int
write_file_at (int dirfd, const char *path, const void *data, size_t len, tong_error *err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  int r;

  if (fd < 0)
    return tong_err (err, errno, "open `%s` for writing", path);
  r = write_all (fd, data, len);
  if (r < 0)
    return tong_err (err, -r, "write `%s`", path);
  return 0;
}

int
write_file_new_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                   tong_error *err)
{
  _cleanup_close_ int fd
      = openat (dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  int r;

  if (fd < 0)
    return tong_err (err, errno, "create `%s`", path);
  r = write_all (fd, data, len);
  if (r < 0)
    return tong_err (err, -r, "write `%s`", path);
  return 0;
}

static int
replace_file (int dirfd, const char *path, const void *data, size_t len, mode_t mode, bool durable,
              tong_error *err)
{
  _cleanup_free_ char *tmp = xasprintf ("%s.tmp.%d", path, (int) getpid ());
  _cleanup_close_ int fd = -1;
  int r;

  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return tong_err (err, errno, "create `%s`", tmp);
  r = write_all (fd, data, len);
  if (r == 0 && durable && fsync (fd) < 0)
    r = -errno;
  if (r < 0)
    {
      unlinkat (dirfd, tmp, 0);
      return tong_err (err, -r, "write `%s`", tmp);
    }
  if (renameat (dirfd, tmp, dirfd, path) < 0)
    {
      r = errno;
      unlinkat (dirfd, tmp, 0);
      return tong_err (err, r, "rename `%s` to `%s`", tmp, path);
    }
  return 0;
}

int
write_file_atomic_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                      tong_error *err)
{
  return replace_file (dirfd, path, data, len, mode, true, err);
}

int
write_file_replace_at (int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                       tong_error *err)
{
  return replace_file (dirfd, path, data, len, mode, false, err);
}

/* The directory first, its parents only when it has none: a cgroup made
 * below existing ones costs one mkdir, not one per level. */
int
mkdir_p (const char *path, mode_t mode, tong_error *err)
{
  _cleanup_free_ char *parent = NULL;
  char *slash;
  int r;

  if (mkdir (path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return tong_err (err, errno, "mkdir `%s`", path);
  parent = xstrdup (path);
  slash = strrchr (parent, '/');
  while (slash && slash > parent && slash[1] == '\0')
    {
      *slash = '\0';
      slash = strrchr (parent, '/');
    }
  if (!slash || slash == parent)
    return tong_err (err, ENOENT, "mkdir `%s`", path);
  *slash = '\0';
  r = mkdir_p (parent, mode, err);
  if (r < 0)
    return r;
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    return tong_err (err, errno, "mkdir `%s`", path);
  return 0;
}
