#include "unpack-meta.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "src/base/util.h"

static bool
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

static int
shift_id (la_int64_t id, uint32_t shift, uint32_t range, const char *kind, const char *what,
          uint32_t *out, tong_error *err)
{
  if (id < 0 || id > (la_int64_t) UINT32_MAX - 1)
    return tong_err (err, 0, "%s: invalid %s %lld", what, kind, (long long) id);
  if (range != 0 && (uint64_t) id >= range)
    return tong_err (err, 0, "%s: %s %lld is outside the id range 0-%u the layer may use", what,
                     kind, (long long) id, range - 1);
  if ((uint64_t) id + shift > (uint64_t) UINT32_MAX - 1)
    return tong_err (err, 0, "%s: %s %lld shifted by %u is beyond the largest id", what, kind,
                     (long long) id, shift);
  *out = (uint32_t) id + shift;
  return 0;
}

int
meta_owner (struct archive_entry *e, const struct unpack_options *o, const char *what, uid_t *uid,
            gid_t *gid, tong_error *err)
{
  uint32_t u = 0, g = 0;
  int r;

  r = shift_id (archive_entry_uid (e), o->uid_shift, o->id_range, "uid", what, &u, err);
  if (r < 0)
    return r;
  r = shift_id (archive_entry_gid (e), o->gid_shift, o->id_range, "gid", what, &g, err);
  if (r < 0)
    return r;
  *uid = u;
  *gid = g;
  return 0;
}

void
meta_times (struct archive_entry *e, struct timespec ts[2])
{
  ts[1].tv_sec = 0;
  ts[1].tv_nsec = UTIME_OMIT;
  if (archive_entry_mtime_is_set (e))
    {
      ts[1].tv_sec = archive_entry_mtime (e);
      ts[1].tv_nsec = archive_entry_mtime_nsec (e);
    }
  ts[0] = ts[1];
  if (archive_entry_atime_is_set (e))
    {
      ts[0].tv_sec = archive_entry_atime (e);
      ts[0].tv_nsec = archive_entry_atime_nsec (e);
    }
}

/* Should an xattr of a layer entry be left out? */
static bool
xattr_refused (const char *name, const struct unpack_options *o)
{
  /* Overlay's own xattrs in a lower layer would be obeyed by the kernel
   * (redirects, metacopy): a layer expresses whiteouts and opaque
   * directories only through .wh. entries. */
  if (has_prefix (name, "trusted.overlay.") || has_prefix (name, "user.overlay."))
    return true;
  /* Labels come from the mount's context=, not from the image. */
  if (strcmp (name, "security.selinux") == 0)
    return true;
  if (o->rootless && has_prefix (name, "trusted."))
    return true;
  /* ACL xattrs hold ids that the shift would have to rewrite. */
  if ((o->uid_shift || o->gid_shift) && has_prefix (name, "system.posix_acl_"))
    return true;
  return false;
}

/* A file capability (security.capability) as a v3 capability whose root is
 * the shifted root, so that it is honoured in the user namespace that maps
 * the layer's ids.  Other formats are written unchanged. */
static size_t
cap_shift (const void *value, size_t size, uid_t shift, struct vfs_ns_cap_data *out)
{
  uint32_t magic;

  if (size < sizeof (uint32_t))
    return 0;
  memcpy (&magic, value, sizeof magic);
  magic = le32toh (magic);
  if ((magic & VFS_CAP_REVISION_MASK) == VFS_CAP_REVISION_2 && size == XATTR_CAPS_SZ_2)
    {
      memset (out, 0, sizeof *out);
      memcpy (out, value, XATTR_CAPS_SZ_2);
      out->magic_etc = htole32 (VFS_CAP_REVISION_3 | (magic & VFS_CAP_FLAGS_EFFECTIVE));
      out->rootid = htole32 (shift);
      return XATTR_CAPS_SZ_3;
    }
  if ((magic & VFS_CAP_REVISION_MASK) == VFS_CAP_REVISION_3 && size == XATTR_CAPS_SZ_3)
    {
      memcpy (out, value, XATTR_CAPS_SZ_3);
      out->rootid = htole32 (le32toh (out->rootid) + shift);
      return XATTR_CAPS_SZ_3;
    }
  return 0;
}

static int
set_xattr (int parentfd, const char *name, int fd, const char *key, const void *value, size_t size)
{
  char path[64 + NAME_MAX];

  if (fd >= 0)
    return fsetxattr (fd, key, value, size, 0) < 0 ? -errno : 0;
  /* No fd (symlinks, devices, FIFOs): the parent's fd path plus a last
   * component that lsetxattr does not follow. */
  if ((size_t) str_format (path, sizeof path, "/proc/self/fd/%d/%s", parentfd, name) >= sizeof path)
    return -ENAMETOOLONG;
  return lsetxattr (path, key, value, size, 0) < 0 ? -errno : 0;
}

static int
apply_xattrs (int parentfd, const char *name, int fd, struct archive_entry *e,
              const struct unpack_options *o, const char *what, tong_error *err)
{
  const char *key;
  const void *value;
  size_t size;

  if (archive_entry_xattr_reset (e) == 0)
    return 0;
  while (archive_entry_xattr_next (e, &key, &value, &size) == ARCHIVE_OK)
    {
      struct vfs_ns_cap_data cap;
      int r;

      if (xattr_refused (key, o))
        continue;
      if (o->uid_shift && strcmp (key, "security.capability") == 0)
        {
          size_t n = cap_shift (value, size, o->uid_shift, &cap);
          if (n)
            {
              value = &cap;
              size = n;
            }
        }
      r = set_xattr (parentfd, name, fd, key, value, size);
      if (r < 0)
        return tong_err (err, -r, "%s: set the xattr %s", what, key);
    }
  return 0;
}

int
meta_apply (int parentfd, const char *name, int fd, struct archive_entry *e,
            const struct unpack_options *o, bool set_times, const char *what, tong_error *err)
{
  bool is_link = archive_entry_filetype (e) == AE_IFLNK;
  mode_t mode = archive_entry_perm (e) & 07777;
  struct timespec ts[2];
  uid_t uid;
  gid_t gid;
  int r;

  r = meta_owner (e, o, what, &uid, &gid, err);
  if (r < 0)
    return r;
  r = fd >= 0 ? fchown (fd, uid, gid) : fchownat (parentfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
  if (r < 0)
    return tong_err (err, errno, "%s: chown to %u:%u", what, (unsigned) uid, (unsigned) gid);
  if (!is_link)
    {
      r = fd >= 0 ? fchmod (fd, mode) : fchmodat (parentfd, name, mode, AT_SYMLINK_NOFOLLOW);
      if (r < 0)
        return tong_err (err, errno, "%s: chmod %04o", what, (unsigned) mode);
    }
  r = apply_xattrs (parentfd, name, fd, e, o, what, err);
  if (r < 0)
    return r;
  if (set_times)
    {
      meta_times (e, ts);
      r = fd >= 0 ? futimens (fd, ts) : utimensat (parentfd, name, ts, AT_SYMLINK_NOFOLLOW);
      if (r < 0)
        return tong_err (err, errno, "%s: set its times", what);
    }
  return 0;
}
