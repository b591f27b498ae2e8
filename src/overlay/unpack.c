#include "unpack.h"

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
#include "layer-stream.h"
#include "src/util.h"
#include "unpack-meta.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

/* A directory whose times are set after the last entry, as entries created
 * in it later would change its mtime. */
struct dir_times
{
  char *path;
  struct timespec ts[2];
};

struct unpack
{
  int layerfd;
  const struct unpack_options *o;
  struct unpack_result *res;
  struct layer_stream stream;
  struct dir_times *dirs;
  size_t ndirs, dirs_cap;
  uid_t root_uid; /* owner of what the layer does not describe: created */
  gid_t root_gid; /* parents and whiteouts */
  struct layer_create create;
};

static bool
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

static void
dirs_add (struct unpack *u, const char *path, struct archive_entry *e)
{
  if (u->ndirs == u->dirs_cap)
    {
      u->dirs_cap = u->dirs_cap ? 2 * u->dirs_cap : 64;
      u->dirs = xrealloc (u->dirs, u->dirs_cap * sizeof *u->dirs);
    }
  u->dirs[u->ndirs].path = xstrdup (path);
  meta_times (e, u->dirs[u->ndirs].ts);
  u->ndirs++;
}

/* Set the recorded directories' times.  A directory that a later entry
 * replaced is no longer there to set. */
static int
dirs_restore_times (struct unpack *u, tong_error *err)
{
  for (size_t i = 0; i < u->ndirs; i++)
    {
      _cleanup_close_ int fd = layer_open_dir (u->layerfd, u->dirs[i].path, O_RDONLY);
      if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
        continue;
      if (fd < 0)
        return tong_err (err, -fd, "directory '%s': open to set its times", u->dirs[i].path);
      if (futimens (fd, u->dirs[i].ts) < 0)
        return tong_err (err, errno, "directory '%s': set its times", u->dirs[i].path);
    }
  return 0;
}

static void
dirs_free (struct unpack *u)
{
  for (size_t i = 0; i < u->ndirs; i++)
    free (u->dirs[i].path);
  free (u->dirs);
}

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

static const char *
opaque_xattr (const struct unpack_options *o)
{
  return o->rootless ? "user.overlay.opaque" : "trusted.overlay.opaque";
}

/* Mark the directory dirfd opaque: lower layers' entries under it are hidden. */
static int
set_opaque (struct unpack *u, int dirfd, const char *what, tong_error *err)
{
  const char *key = opaque_xattr (u->o);

  if (fsetxattr (dirfd, key, "y", 1, 0) < 0)
    return tong_err (err, errno, "%s: mark the directory opaque (%s)", what, key);
  return 0;
}

static int
make_opaque (struct unpack *u, int parentfd, const char *what, tong_error *err)
{
  _cleanup_close_ int fd = openat (parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return tong_err (err, errno, "%s: open its directory", what);
  return set_opaque (u, fd, what, err);
}

/* `.wh.NAME`: a 0/0 character device NAME, overlay's whiteout. */
static int
make_whiteout (struct unpack *u, int parentfd, const char *name, const char *what, tong_error *err)
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

static int
make_hardlink (struct unpack *u, struct archive_entry *e, int parentfd, const char *path,
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
  if (has_prefix (tleaf, WHITEOUT_PREFIX))
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

static int
make_node (struct unpack *u, struct archive_entry *e, int parentfd, const char *path,
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
      dirs_add (u, path, e);
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

/* The layer's root directory itself ("./" in most layers). */
static int
unpack_root (struct unpack *u, struct archive_entry *e, const char *what, tong_error *err)
{
  _cleanup_close_ int fd = -1;

  if (archive_entry_hardlink (e) || archive_entry_filetype (e) != AE_IFDIR)
    return tong_err (err, 0, "%s: names the layer's root, which can only be a directory", what);
  fd = openat (u->layerfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tong_err (err, errno, "%s: open the layer directory", what);
  dirs_add (u, "", e);
  return meta_apply (u->layerfd, ".", fd, e, u->o, false, what, err);
}

static int
unpack_entry (struct unpack *u, struct archive_entry *e, tong_error *err)
{
  const char *name = archive_entry_pathname (e);
  _cleanup_free_ char *what = NULL;
  _cleanup_free_ char *path = NULL;
  _cleanup_close_ int parentfd = -1;
  const char *leaf;
  int r;

  if (name == NULL)
    return tong_err (err, 0, "entry %llu has no path", (unsigned long long) u->res->entries);
  what = xasprintf ("entry '%s'", name);
  r = layer_path_clean (name, what, &path, err);
  if (r < 0)
    return r;
  if (*path == '\0')
    return unpack_root (u, e, what, err);
  leaf = layer_path_leaf (path);

  /* aufs's own metadata (.wh..wh.plnk, .wh..wh.aufs) is not part of the
   * image; other .wh. names only make sense as a last component. */
  for (const char *c = path; c < leaf; c = strchr (c, '/') + 1)
    {
      if (has_prefix (c, WHITEOUT_META_PREFIX))
        {
          u->res->skipped++;
          return 0;
        }
      if (has_prefix (c, WHITEOUT_PREFIX))
        return tong_err (err, 0, "%s: the whiteout name '%.*s' is used as a directory", what,
                         (int) (strchr (c, '/') - c), c);
    }
  if (has_prefix (leaf, WHITEOUT_META_PREFIX) && strcmp (leaf, WHITEOUT_OPAQUE) != 0)
    {
      u->res->skipped++;
      return 0;
    }

  parentfd = layer_open_parent (u->layerfd, path, &u->create, what, err);
  if (parentfd < 0)
    return parentfd;
  if (strcmp (leaf, WHITEOUT_OPAQUE) == 0)
    return make_opaque (u, parentfd, what, err);
  if (has_prefix (leaf, WHITEOUT_PREFIX))
    return make_whiteout (u, parentfd, leaf + strlen (WHITEOUT_PREFIX), what, err);
  if (archive_entry_hardlink (e))
    return make_hardlink (u, e, parentfd, path, leaf, what, err);
  return make_node (u, e, parentfd, path, leaf, what, err);
}

/* 1 if the directory is empty, 0 if not, or -errno. */
static int
dir_is_empty (int dirfd)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct dirent *de;
  int empty = 1;
  DIR *d;

  if (fd < 0)
    return -errno;
  d = fdopendir (fd);
  if (d == NULL)
    {
      int r = -errno;
      close (fd);
      return r;
    }
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      {
        empty = 0;
        break;
      }
  closedir (d);
  return empty;
}

static int
unpack_entries (struct unpack *u, tong_error *err)
{
  _cleanup_free_ char *last = NULL;

  for (;;)
    {
      struct archive_entry *e;
      int r = archive_read_next_header (u->stream.tar, &e);

      if (r == ARCHIVE_EOF)
        return 0;
      if (r < ARCHIVE_WARN)
        {
          _cleanup_free_ char *what
              = last ? xasprintf ("the entry after '%s'", last) : xstrdup ("the first entry");
          return layer_stream_error (&u->stream, what, err);
        }
      u->res->entries++;
      r = unpack_entry (u, e, err);
      if (r < 0)
        return r;
      free (last);
      last = xstrdup (archive_entry_pathname (e) ? archive_entry_pathname (e) : "?");
    }
}

int
layer_unpack (int fd, int dirfd, const struct unpack_options *o, struct unpack_result *res,
              tong_error *err)
{
  static const struct unpack_options defaults = { 0 };
  struct unpack_result scratch = { 0 };
  struct unpack u = { .layerfd = dirfd, .o = o ? o : &defaults, .res = res ? res : &scratch };
  struct stat st;
  int r;

  memset (u.res, 0, sizeof *u.res);
  u.root_uid = u.o->uid_shift;
  u.root_gid = u.o->gid_shift;
  u.create = (struct layer_create){ .uid = u.root_uid,
                                    .gid = u.root_gid,
                                    .opaque_xattr = opaque_xattr (u.o) };
  if (fstat (dirfd, &st) < 0)
    return tong_err (err, errno, "unpack layer: stat the target directory");
  if (!S_ISDIR (st.st_mode))
    return tong_err (err, ENOTDIR, "unpack layer: the target is not a directory");
  /* Layers merge into nothing: a directory with content is a caller's
   * mistake (a retry without removing the last attempt, a wrong fd). */
  r = dir_is_empty (dirfd);
  if (r < 0)
    return tong_err (err, -r, "unpack layer: read the target directory");
  if (r == 0)
    return tong_err (err, ENOTEMPTY, "unpack layer: the target directory is not empty");

  r = layer_stream_open (&u.stream, fd, err);
  if (r == 0)
    r = unpack_entries (&u, err);
  if (r == 0)
    r = dirs_restore_times (&u, err);
  if (r == 0)
    r = layer_stream_finish (&u.stream, u.res->diff_id, err);
  u.res->bytes = u.stream.bytes;
  layer_stream_close (&u.stream);
  dirs_free (&u);
  return r;
}
