#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layer-path.h"
#include "layer-stream.h"
#include "src/base/util.h"
#include "unpack-meta.h"
#include "unpack-nodes.h"

static bool
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

void
unpack_dirs_add (struct unpack *u, const char *path, struct archive_entry *e)
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
  unpack_dirs_add (u, "", e);
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
    return unpack_make_opaque (u, parentfd, what, err);
  if (has_prefix (leaf, WHITEOUT_PREFIX))
    return unpack_make_whiteout (u, parentfd, leaf + strlen (WHITEOUT_PREFIX), what, err);
  if (archive_entry_hardlink (e))
    return unpack_make_hardlink (u, e, parentfd, path, leaf, what, err);
  return unpack_make_node (u, e, parentfd, path, leaf, what, err);
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
                                    .opaque_xattr = unpack_opaque_xattr (u.o) };
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
