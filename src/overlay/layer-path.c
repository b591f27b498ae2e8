#include "layer-path.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "src/base/syscalls.h"
#include "src/base/util.h"

/* Stay below the layer directory and never follow a symlink. */
#define RESOLVE_LAYER                                                                              \
  (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

int
layer_path_clean (const char *name, const char *what, char **out, tong_error *err)
{
  size_t len = strlen (name);
  _cleanup_free_ char *clean = xmalloc (len + 1);
  char *o = clean;
  const char *p = name;

  while (*p)
    {
      const char *start, *end;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      start = p;
      end = strchrnul (start, '/');
      p = end;
      if (end - start == 1 && start[0] == '.')
        continue;
      if (end - start == 2 && start[0] == '.' && start[1] == '.')
        return tong_err (err, 0,
                         "%s: the path '%s' has a '..' component (entries must stay "
                         "inside the layer)",
                         what, name);
      if (o != clean)
        *o++ = '/';
      memcpy (o, start, (size_t) (end - start));
      o += end - start;
    }
  *o = '\0';
  *out = TAKE_PTR (clean);
  return 0;
}

const char *
layer_path_leaf (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash ? slash + 1 : path;
}

static int
openat2_retry (int dirfd, const char *path, int flags)
{
  int fd;

  do
    fd = sys_openat2 (dirfd, path, (uint64_t) (flags | O_DIRECTORY | O_CLOEXEC), 0, RESOLVE_LAYER);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  return fd < 0 ? -errno : fd;
}

int
layer_open_dir (int layerfd, const char *path, int flags)
{
  return openat2_retry (layerfd, *path ? path : ".", flags);
}

/* Create the missing directory `name` in curfd, as `c` says. */
static int
create_dir (int curfd, const char *name, const char *path, const struct layer_create *c,
            bool opaque, const char *what, tong_error *err)
{
  _cleanup_close_ int fd = -1;

  if (mkdirat (curfd, name, 0755) < 0 && errno != EEXIST)
    return tong_err (err, errno, "%s: create the directory '%s'", what, path);
  fd = openat (curfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tong_err (err, errno, "%s: open the new directory '%s'", what, path);
  if (fchown (fd, c->uid, c->gid) < 0)
    return tong_err (err, errno, "%s: chown the directory '%s' to %u:%u", what, path,
                     (unsigned) c->uid, (unsigned) c->gid);
  /* 0755 whatever the umask. */
  if (fchmod (fd, 0755) < 0)
    return tong_err (err, errno, "%s: chmod the directory '%s'", what, path);
  if (opaque && fsetxattr (fd, c->opaque_xattr, "y", 1, 0) < 0)
    return tong_err (err, errno, "%s: mark the directory '%s' opaque (%s)", what, path,
                     c->opaque_xattr);
  return 0;
}

/* Is `name` in dirfd a whiteout (a 0/0 character device)? */
static bool
is_whiteout_at (int dirfd, const char *name)
{
  struct stat st;
  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR (st.st_mode)
         && st.st_rdev == makedev (0, 0);
}

/* Open one component `name` of `path` below curfd, creating it if asked. */
static int
open_component (int curfd, const char *name, const char *path, const struct layer_create *c,
                const char *what, tong_error *err)
{
  int fd = openat2_retry (curfd, name, O_PATH), r;

  if (fd == -ENOENT && c)
    {
      r = create_dir (curfd, name, path, c, false, what, err);
      if (r < 0)
        return r;
      fd = openat2_retry (curfd, name, O_PATH);
    }
  else if (fd == -ENOTDIR && c && is_whiteout_at (curfd, name))
    {
      /* ".wh.d" then "d/x": the lower layers' d is deleted, this layer's d
       * is new, so opaque. */
      if (unlinkat (curfd, name, 0) < 0)
        return tong_err (err, errno, "%s: remove the whiteout '%s'", what, path);
      r = create_dir (curfd, name, path, c, true, what, err);
      if (r < 0)
        return r;
      fd = openat2_retry (curfd, name, O_PATH);
    }
  switch (fd)
    {
    case -ELOOP:
      return tong_err (err, 0,
                       "%s: '%s' is a symlink (entries are never written through "
                       "symlinks)",
                       what, path);
    case -ENOTDIR:
      return tong_err (err, 0, "%s: '%s' is not a directory", what, path);
    case -EXDEV:
      return tong_err (err, 0, "%s: '%s' is a mount point", what, path);
    case -ENOENT:
      return tong_err_code (err, ENOENT, "%s: '%s' does not exist", what, path);
    default:
      if (fd < 0)
        return tong_err (err, -fd, "%s: open '%s'", what, path);
      return fd;
    }
}

int
layer_open_parent (int layerfd, const char *path, const struct layer_create *c, const char *what,
                   tong_error *err)
{
  const char *leaf = layer_path_leaf (path);
  _cleanup_free_ char *parent = NULL;
  _cleanup_close_ int cur = -1;
  int fd;
  char *p, *slash;

  if (leaf == path)
    {
      fd = fcntl (layerfd, F_DUPFD_CLOEXEC, 3);
      return fd < 0 ? tong_err (err, errno, "%s: dup the layer directory fd", what) : fd;
    }
  parent = strndup (path, (size_t) (leaf - 1 - path));
  if (parent == NULL)
    return tong_err (err, ENOMEM, "%s", what);

  /* Usually the whole parent exists already: one lookup. */
  fd = openat2_retry (layerfd, parent, O_PATH);
  if (fd >= 0)
    return fd; /* NOLINT(clang-analyzer-unix.Malloc): parent is freed by _cleanup_free_ */

  /* Otherwise walk it to create what is missing or to name what is wrong. */
  cur = fcntl (layerfd, F_DUPFD_CLOEXEC, 3);
  if (cur < 0)
    return tong_err (err, errno, "%s: dup the layer directory fd", what);
  for (p = parent;; p = slash + 1)
    {
      slash = strchr (p, '/');
      if (slash)
        *slash = '\0';
      fd = open_component (cur, p, parent, c, what, err);
      if (fd < 0)
        return fd;
      close (cur);
      cur = fd;
      if (slash == NULL)
        break;
      *slash = '/';
    }
  return TAKE_FD (cur); /* NOLINT(clang-analyzer-unix.Malloc): parent is freed by _cleanup_free_ */
}
