#include "unpack-nodes.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "layer-path.h"
#include "src/base/util.h"
#include "unpack-meta.h"

/* Remove the directory `name` in parentfd and everything below it, never
 * following a symlink. */
static int
remove_tree (int parentfd, const char *name)
{
  int fd = openat (parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct dirent *de;
  DIR *d;
  int r = 0;

  if (fd < 0)
    return -errno;
  d = fdopendir (fd);
  if (d == NULL)
    {
      r = -errno;
      close (fd);
      return r;
    }
  while (r == 0 && (de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (fd, de->d_name, 0) == 0)
        continue;
      if (errno == EISDIR)
        r = remove_tree (fd, de->d_name);
      else
        r = -errno;
    }
  closedir (d);
  if (r == 0 && unlinkat (parentfd, name, AT_REMOVEDIR) < 0)
    r = -errno;
  return r;
}

/* What an entry found under its name. */
enum existing
{
  EXISTING_NONE,     /* nothing, or it was removed */
  EXISTING_DIR,      /* a directory, kept for a directory entry */
  EXISTING_WHITEOUT, /* this layer's whiteout of the name, removed */
};

/* An earlier entry of the same name is replaced, as tar does; a directory
 * stays when the new entry is a directory too. */
static int
replace_existing (int parentfd, const char *leaf, bool is_dir, enum existing *found,
                  const char *what, tong_error *err)
{
  struct stat st;
  int r;

  *found = EXISTING_NONE;
  if (fstatat (parentfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : tong_err (err, errno, "%s: stat", what);
  if (S_ISDIR (st.st_mode))
    {
      if (is_dir)
        {
          *found = EXISTING_DIR;
          return 0;
        }
      r = remove_tree (parentfd, leaf);
    }
  else
    {
      if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
        *found = EXISTING_WHITEOUT;
      r = unlinkat (parentfd, leaf, 0) < 0 ? -errno : 0;
    }
  return r < 0 ? tong_err (err, -r, "%s: remove the earlier entry of the same name", what) : 0;
}

const char *
unpack_opaque_xattr (const struct unpack_options *o)
{
  return o->rootless ? "user.overlay.opaque" : "trusted.overlay.opaque";
}

/* Mark the directory dirfd opaque: lower layers' entries under it are hidden. */
static int
set_opaque (struct unpack *u, int dirfd, const char *what, tong_error *err)
{
  const char *key = unpack_opaque_xattr (u->o);

  if (fsetxattr (dirfd, key, "y", 1, 0) < 0)
    return tong_err (err, errno, "%s: mark the directory opaque (%s)", what, key);
  return 0;
}

int
unpack_make_opaque (struct unpack *u, int parentfd, const char *what, tong_error *err)
{
  _cleanup_close_ int fd = openat (parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return tong_err (err, errno, "%s: open its directory", what);
  return set_opaque (u, fd, what, err);
}

/* `.wh.NAME`: a 0/0 character device NAME, overlay's whiteout. */
int
unpack_make_whiteout (struct unpack *u, int parentfd, const char *name, const char *what,
                      tong_error *err)
{
  struct stat st;

  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return tong_err (err, 0, "%s: a whiteout must name a file in its own directory", what);
  if (fstatat (parentfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      /* Whiteouts hide lower layers only, never this layer's own files.  A
       * non-directory hides the lower layers' NAME anyway; a directory must
       * become opaque to do so. */
      _cleanup_close_ int fd = -1;

      if (!S_ISDIR (st.st_mode))
        {
          u->res->skipped++;
          return 0;
        }
      fd = openat (parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return tong_err (err, errno, "%s: open the directory '%s'", what, name);
      return set_opaque (u, fd, what, err);
    }
  if (errno != ENOENT)
    return tong_err (err, errno, "%s: stat '%s'", what, name);
  if (mknodat (parentfd, name, S_IFCHR | 0, makedev (0, 0)) < 0)
    return tong_err (err, errno, "%s: create the whiteout device", what);
  if (fchownat (parentfd, name, u->root_uid, u->root_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return tong_err (err, errno, "%s: chown the whiteout device", what);
  return 0;
}

int
unpack_make_hardlink (struct unpack *u, struct archive_entry *e, int parentfd, const char *path,
                      const char *leaf, const char *what, tong_error *err)
{
  _cleanup_free_ char *twhat
      = xasprintf ("%s (a hardlink to '%s')", what, archive_entry_hardlink (e));
  _cleanup_free_ char *target = NULL;
  _cleanup_close_ int tparent = -1;
  enum existing found;
  const char *tleaf;
  struct stat st;
  int r;

  r = layer_path_clean (archive_entry_hardlink (e), twhat, &target, err);
  if (r < 0)
    return r;
  if (*target == '\0')
    return tong_err (err, 0, "%s: links to the layer's root directory", twhat);
  tleaf = layer_path_leaf (target);
  if (strncmp (tleaf, WHITEOUT_PREFIX, strlen (WHITEOUT_PREFIX)) == 0)
    return tong_err (err, 0, "%s: links to a whiteout", twhat);
  if (strcmp (target, path) == 0)
    return 0;
  tparent = layer_open_parent (u->layerfd, target, NULL, twhat, err);
  if (tparent < 0)
    return tparent;
  if (fstatat (tparent, tleaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return tong_err (err, errno, "%s: the target", twhat);
  if (S_ISDIR (st.st_mode))
    return tong_err (err, 0, "%s: the target is a directory", twhat);
  r = replace_existing (parentfd, leaf, false, &found, what, err);
  if (r < 0)
    return r;
  if (linkat (tparent, tleaf, parentfd, leaf, 0) < 0)
    return tong_err (err, errno, "%s: link to '%s'", what, target);
  return 0;
}

static int
write_all_at (int fd, const char *buf, size_t size, off_t offset)
{
  while (size > 0)
    {
      ssize_t n = pwrite (fd, buf, size, offset);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      buf += n;
      size -= (size_t) n;
      offset += n;
    }
  return 0;
}

static int
copy_data (struct unpack *u, struct archive_entry *e, int fd, const char *what, tong_error *err)
{
  la_int64_t end = 0, size = archive_entry_size (e);

  for (;;)
    {
      const void *buf;
      size_t n;
      la_int64_t offset;
      int r = archive_read_data_block (u->stream.tar, &buf, &n, &offset);

      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        return layer_stream_error (&u->stream, what, err);
      r = write_all_at (fd, buf, n, offset);
      if (r < 0)
        return tong_err (err, -r, "%s: write", what);
      u->res->file_bytes += n;
      if (offset + (la_int64_t) n > end)
        end = offset + (la_int64_t) n;
    }
  /* A sparse file may end in a hole. */
  if (size > end && ftruncate (fd, size) < 0)
    return tong_err (err, errno, "%s: extend to %lld bytes", what, (long long) size);
  return 0;
}

int
unpack_make_node (struct unpack *u, struct archive_entry *e, int parentfd, const char *path,
                  const char *leaf, const char *what, tong_error *err)
{
  mode_t type = archive_entry_filetype (e);
  _cleanup_close_ int fd = -1;
  enum existing found;
  int r;

  /* Rootless, only whiteouts (0/0 character devices, which anyone may
   * create since Linux 5.8) are device nodes that can be made. */
  if ((type == AE_IFBLK || (type == AE_IFCHR && archive_entry_rdev (e) != 0)) && u->o->rootless)
    {
      u->res->skipped++;
      return 0;
    }
  if (type == AE_IFSOCK)
    {
      u->res->skipped++;
      return 0;
    }
  r = replace_existing (parentfd, leaf, type == AE_IFDIR, &found, what, err);
  if (r < 0)
    return r;

  switch (type)
    {
    case AE_IFREG:
      fd = openat (parentfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        return tong_err (err, errno, "%s: create", what);
      r = copy_data (u, e, fd, what, err);
      if (r < 0)
        return r;
      break;
    case AE_IFDIR:
      if (found != EXISTING_DIR && mkdirat (parentfd, leaf, 0700) < 0)
        return tong_err (err, errno, "%s: mkdir", what);
      fd = openat (parentfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return tong_err (err, errno, "%s: open the new directory", what);
      /* ".wh.d" then "d/": the lower layers' d is deleted, this one is new. */
      if (found == EXISTING_WHITEOUT && (r = set_opaque (u, fd, what, err)) < 0)
        return r;
      unpack_dirs_add (u, path, e);
      break;
    case AE_IFLNK:
      if (archive_entry_symlink (e) == NULL)
        return tong_err (err, 0, "%s: a symlink without a target", what);
      if (symlinkat (archive_entry_symlink (e), parentfd, leaf) < 0)
        return tong_err (err, errno, "%s: symlink", what);
      break;
    case AE_IFCHR:
    case AE_IFBLK:
      if (mknodat (parentfd, leaf, type | 0600, archive_entry_rdev (e)) < 0)
        return tong_err (
            err, errno, "%s: mknod %s %u:%u", what, type == AE_IFCHR ? "char" : "block",
            (unsigned) archive_entry_rdevmajor (e), (unsigned) archive_entry_rdevminor (e));
      break;
    case AE_IFIFO:
      if (mkfifoat (parentfd, leaf, 0600) < 0)
        return tong_err (err, errno, "%s: mkfifo", what);
      break;
    default:
      return tong_err (err, 0, "%s: unsupported file type 0%o", what, (unsigned) type);
    }
  return meta_apply (parentfd, leaf, fd, e, u->o, type != AE_IFDIR, what, err);
}
