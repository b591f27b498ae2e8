/* layer_unpack: tarballs crafted in memory with libarchive's writer (pax;
 * plain, gzip and zstd), unpacked into temp dirs.  Well-formed layers must
 * come out in overlay's format with every attribute; malicious ones must be
 * refused with an error naming the entry, with nothing written outside the
 * layer directory.  Device nodes, trusted.* xattrs and chown need root. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/capability.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "src/overlay/unpack.h"
#include "src/base/util.h"
#include "tests/unit/check.h"

#define TAR_CAP (32 * 1024 * 1024)
#define MTIME 1234567890

/* The layer directory is base/w/w/layer, so that even a symlink "../../.."
 * in it, if followed, would still point inside base. */
static char base[256];    /* the test's temp dir */
static char outside[300]; /* base/outside: must stay empty (a sentinel) */
static char secret[320];  /* base/secret: a file outside, for hardlink tests */
static bool is_root;
/* The options of tests that pass none: without root, root in the layer is
 * shifted to the test's own user, the one owner it can chown to. */
static struct unpack_options default_options;

/* ------------------------------------------------------------ building tars */

struct tar
{
  struct archive *a;
  char *buf;
  size_t used;
};

static void
tar_start (struct tar *t, int filter)
{
  t->buf = xmalloc (TAR_CAP);
  t->used = 0;
  t->a = archive_write_new ();
  archive_write_set_format_pax (t->a);
  /* Names as raw bytes, whatever the locale (the test runs in C). */
  archive_write_set_format_option (t->a, "pax", "hdrcharset", "BINARY");
  if (filter == ARCHIVE_FILTER_GZIP)
    archive_write_add_filter_gzip (t->a);
  else if (filter == ARCHIVE_FILTER_ZSTD)
    archive_write_add_filter_zstd (t->a);
  else
    archive_write_add_filter_none (t->a);
  if (archive_write_open_memory (t->a, t->buf, TAR_CAP, &t->used) != ARCHIVE_OK)
    {
      fprintf (stderr, "archive_write_open_memory: %s\n", archive_error_string (t->a));
      abort ();
    }
}

/* Entry options beyond path and type. */
struct ent
{
  unsigned perm;
  int64_t uid, gid;
  const char *data; /* regular file content */
  const char *link; /* symlink target */
  const char *hard; /* hardlink target */
  dev_t rdev;
  const char *xname; /* one xattr */
  const void *xvalue;
  size_t xsize;
};

static void
tar_add (struct tar *t, const char *path, mode_t type, struct ent o)
{
  struct archive_entry *e = archive_entry_new ();
  size_t len = o.data ? strlen (o.data) : 0;

  archive_entry_set_pathname (e, path);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, o.perm ? o.perm : (type == AE_IFDIR ? 0755 : 0644));
  archive_entry_set_uid (e, o.uid);
  archive_entry_set_gid (e, o.gid);
  archive_entry_set_mtime (e, MTIME, 500);
  archive_entry_set_size (e, type == AE_IFREG && !o.hard ? (la_int64_t) len : 0);
  if (o.link)
    archive_entry_set_symlink (e, o.link);
  if (o.hard)
    archive_entry_set_hardlink (e, o.hard);
  if (o.rdev)
    archive_entry_set_rdev (e, o.rdev);
  if (o.xname)
    archive_entry_xattr_add_entry (e, o.xname, o.xvalue, o.xsize);
  if (archive_write_header (t->a, e) != ARCHIVE_OK)
    {
      fprintf (stderr, "archive_write_header %s: %s\n", path, archive_error_string (t->a));
      abort ();
    }
  if (len && !o.hard)
    archive_write_data (t->a, o.data, len);
  archive_entry_free (e);
}

static void
tar_file (struct tar *t, const char *path, const char *data)
{
  tar_add (t, path, AE_IFREG, (struct ent){ .data = data });
}

static void
tar_dir (struct tar *t, const char *path)
{
  tar_add (t, path, AE_IFDIR, (struct ent){ 0 });
}

static void
tar_symlink (struct tar *t, const char *path, const char *target)
{
  tar_add (t, path, AE_IFLNK, (struct ent){ .link = target, .perm = 0777 });
}

static void
tar_hardlink (struct tar *t, const char *path, const char *target)
{
  tar_add (t, path, AE_IFREG, (struct ent){ .hard = target });
}

/* Finish the archive; returns a memfd holding it. */
static int
tar_finish (struct tar *t)
{
  int fd;

  archive_write_close (t->a);
  archive_write_free (t->a);
  fd = memfd_create ("layer", MFD_CLOEXEC);
  if (fd < 0 || write_all (fd, t->buf, t->used) < 0 || lseek (fd, 0, SEEK_SET) < 0)
    abort ();
  free (t->buf);
  return fd;
}

/* ------------------------------------------------------------ temp dirs */

static int
rm_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  return remove (path);
}

static void
rm_rf (const char *path)
{
  nftw (path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
dir_entries (const char *path)
{
  DIR *d = opendir (path);
  struct dirent *de;
  int n = 0;

  if (d == NULL)
    return -1;
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  closedir (d);
  return n;
}

/* A fresh, empty layer directory base/layer; returns its fd. */
static int
fresh_layer (void)
{
  char path[300];

  snprintf (path, sizeof path, "%s/w/w/layer", base);
  rm_rf (path);
  if (mkdir (path, 0755) < 0)
    abort ();
  return open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static char *
layer_path (const char *rel)
{
  static char path[600];
  snprintf (path, sizeof path, "%s/w/w/layer/%s", base, rel);
  return path;
}

/* Nothing outside the layer: base holds only w, outside and secret, w and
 * w/w one entry each, outside is empty and secret has one link. */
static bool
nothing_outside (void)
{
  char w[300], ww[310];
  struct stat st;

  snprintf (w, sizeof w, "%s/w", base);
  snprintf (ww, sizeof ww, "%s/w/w", base);
  if (dir_entries (outside) != 0 || dir_entries (base) != 3 || dir_entries (w) != 1
      || dir_entries (ww) != 1)
    return false;
  return stat (secret, &st) == 0 && st.st_nlink == 1 && st.st_size == 6;
}

static int
unpack_with (int fd, const struct unpack_options *o, struct unpack_result *res, tong_error *err)
{
  _cleanup_close_ int dirfd = fresh_layer ();
  int r = layer_unpack (fd, dirfd, o ? o : &default_options, res, err);
  close (fd);
  return r;
}

/* ------------------------------------------------------------ well-formed layers */

static const unsigned char cap_net_raw_v2[XATTR_CAPS_SZ_2] = {
  0x01, 0x00, 0x00, 0x02, /* VFS_CAP_REVISION_2 | effective */
  0x00, 0x20, 0x00, 0x00, /* permitted: CAP_NET_RAW (13) */
};

static void
build_normal (struct tar *t)
{
  tar_dir (t, "./");
  tar_add (t, "./etc/", AE_IFDIR, (struct ent){ .perm = 0750, .uid = 0, .gid = 42 });
  tar_add (t, "./etc/conf", AE_IFREG,
           (struct ent){ .data = "hello\n",
                         .perm = 0640,
                         .uid = 1000,
                         .gid = 1001,
                         .xname = "user.note",
                         .xvalue = "v1",
                         .xsize = 2 });
  tar_add (t, "/usr/bin/su", AE_IFREG, (struct ent){ .data = "#!su\n", .perm = 04755 });
  tar_add (t, "usr/bin/ping", AE_IFREG,
           (struct ent){ .data = "ping",
                         .perm = 0755,
                         .xname = "security.capability",
                         .xvalue = cap_net_raw_v2,
                         .xsize = sizeof cap_net_raw_v2 });
  tar_add (t, "shared/", AE_IFDIR, (struct ent){ .perm = 02775, .gid = 50 });
  tar_symlink (t, "etc/link", "/etc/conf");
  tar_symlink (t, "rel", "etc/../usr");
  tar_hardlink (t, "etc/hard", "etc/conf");
  tar_add (t, "dev/null", AE_IFCHR, (struct ent){ .rdev = makedev (1, 3), .perm = 0666 });
  tar_add (t, "dev/loop0", AE_IFBLK, (struct ent){ .rdev = makedev (7, 0), .perm = 0660 });
  tar_add (t, "run/fifo", AE_IFIFO, (struct ent){ .perm = 0600 });
  tar_file (t, "gone-here", "x");
  tar_file (t, ".wh.gone-here", NULL); /* same layer: ignored */
  tar_file (t, "lib/.wh.removed", NULL);
  tar_dir (t, "opaque/");
  tar_file (t, "opaque/.wh..wh..opq", NULL);
  tar_file (t, "opaque/kept", "k");
  tar_file (t, ".wh..wh.plnk/123", "aufs");
  tar_file (t, "implicit/parents/file", "p");
  tar_file (t, "replaced", "file first");
  tar_dir (t, "replaced/");
  tar_file (t, "replaced/in", "i");
  tar_file (t, "gr\xc3\xbc\xc3\x9f", "utf-8 name");
  tar_file (t, ".wh.renewed", NULL); /* deleted below, then made anew: opaque */
  tar_dir (t, "renewed/");
  tar_dir (t, "renewed2/"); /* the same, whiteout last */
  tar_file (t, ".wh.renewed2", NULL);
  tar_file (t, ".wh.renewed3", NULL); /* the same, without a directory entry */
  tar_file (t, "renewed3/sub/file", "3");
}

static bool
has_xattr (const char *path, const char *name, const char *value, size_t size)
{
  char buf[64];
  ssize_t n = lgetxattr (path, name, buf, sizeof buf);
  return n == (ssize_t) size && memcmp (buf, value, size) == 0;
}

static bool
is_whiteout (const char *path)
{
  struct stat st;
  return lstat (path, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0);
}

static void
check_normal_layer (const struct unpack_result *res, uid_t shift, uint64_t entries)
{
  struct stat st, st2;
  char buf[64];
  ssize_t n;

  CHECK (lstat (layer_path ("etc/conf"), &st) == 0 && S_ISREG (st.st_mode));
  CHECK ((st.st_mode & 07777) == 0640 && st.st_size == 6);
  CHECK (st.st_uid == 1000 + shift && st.st_gid == 1001 + shift);
  CHECK (st.st_mtim.tv_sec == MTIME && st.st_mtim.tv_nsec == 500);
  CHECK (has_xattr (layer_path ("etc/conf"), "user.note", "v1", 2));
  CHECK (lstat (layer_path ("etc"), &st) == 0 && (st.st_mode & 07777) == 0750);
  CHECK (st.st_gid == 42 + shift && st.st_mtim.tv_sec == MTIME);
  CHECK (lstat (layer_path ("usr/bin/su"), &st) == 0 && (st.st_mode & 07777) == 04755);
  CHECK (st.st_uid == shift);
  CHECK (lstat (layer_path ("shared"), &st) == 0 && (st.st_mode & 07777) == 02775);
  n = readlink (layer_path ("etc/link"), buf, sizeof buf);
  CHECK (n == 9 && memcmp (buf, "/etc/conf", 9) == 0);
  CHECK (lstat (layer_path ("etc/link"), &st) == 0 && st.st_mtim.tv_sec == MTIME);
  CHECK (lstat (layer_path ("etc/hard"), &st2) == 0 && lstat (layer_path ("etc/conf"), &st) == 0);
  CHECK (st.st_ino == st2.st_ino && st.st_nlink == 2);
  CHECK (lstat (layer_path ("run/fifo"), &st) == 0 && S_ISFIFO (st.st_mode));
  CHECK (lstat (layer_path ("gone-here"), &st) == 0 && S_ISREG (st.st_mode));
  CHECK (is_whiteout (layer_path ("lib/removed")));
  CHECK (lstat (layer_path ("lib/removed"), &st) == 0 && st.st_uid == shift);
  CHECK (access (layer_path (".wh..wh.plnk"), F_OK) < 0);
  CHECK (lstat (layer_path ("implicit/parents"), &st) == 0 && S_ISDIR (st.st_mode));
  CHECK ((st.st_mode & 07777) == 0755 && st.st_uid == shift);
  CHECK (lstat (layer_path ("replaced/in"), &st) == 0 && S_ISREG (st.st_mode));
  CHECK (lstat (layer_path ("gr\xc3\xbc\xc3\x9f"), &st) == 0 && st.st_size == 10);
  CHECK (res->entries == entries);
  CHECK (res->file_bytes == 6 + 5 + 4 + 1 + 1 + 1 + 10 + 1 + 10 + 1);
}

/* sha256 of a memory buffer, as "sha256:<hex>". */
static void
sha256_of (const void *buf, size_t len, char out[72])
{
  unsigned char md[32];
  unsigned int mdlen;

  EVP_Digest (buf, len, md, &mdlen, EVP_sha256 (), NULL);
  strcpy (out, "sha256:");
  for (int i = 0; i < 32; i++)
    sprintf (out + 7 + 2 * i, "%02x", md[i]);
}

static void
test_unpack_normal_layer_as_root (void)
{
  static const int filters[] = { ARCHIVE_FILTER_NONE, ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_ZSTD };
  static const char *names[] = { "plain", "gzip", "zstd" };
  char expect[72] = "", name[64];
  size_t plain_size = 0;

  for (size_t i = 0; i < ARRAY_SIZE (filters); i++)
    {
      struct unpack_result res;
      tong_error err = { 0 };
      struct tar t;
      struct stat st;
      int r, before = failures;

      tar_start (&t, filters[i]);
      build_normal (&t);
      archive_write_close (t.a);
      if (filters[i] == ARCHIVE_FILTER_NONE)
        {
          sha256_of (t.buf, t.used, expect);
          plain_size = t.used;
        }
      r = unpack_with (tar_finish (&t), NULL, &res, &err);
      snprintf (name, sizeof name, "unpack_normal_layer_%s", names[i]);
      if (r < 0)
        {
          report (name, false, "%s", err.msg);
          continue;
        }
      check_normal_layer (&res, 0, 30);
      CHECK (strcmp (res.diff_id, expect) == 0);
      CHECK (res.bytes == plain_size);
      CHECK (lstat (layer_path ("dev/null"), &st) == 0 && S_ISCHR (st.st_mode));
      CHECK (st.st_rdev == makedev (1, 3) && (st.st_mode & 0777) == 0666);
      CHECK (lstat (layer_path ("dev/loop0"), &st) == 0 && S_ISBLK (st.st_mode));
      CHECK (st.st_rdev == makedev (7, 0));
      CHECK (has_xattr (layer_path ("opaque"), "trusted.overlay.opaque", "y", 1));
      CHECK (has_xattr (layer_path ("renewed"), "trusted.overlay.opaque", "y", 1));
      CHECK (has_xattr (layer_path ("renewed2"), "trusted.overlay.opaque", "y", 1));
      CHECK (has_xattr (layer_path ("renewed3"), "trusted.overlay.opaque", "y", 1));
      CHECK (lgetxattr (layer_path ("renewed3/sub"), "trusted.overlay.opaque", NULL, 0) < 0);
      CHECK (lgetxattr (layer_path ("etc"), "trusted.overlay.opaque", NULL, 0) < 0);
      CHECK (has_xattr (layer_path ("usr/bin/ping"), "security.capability",
                        (const char *) cap_net_raw_v2, sizeof cap_net_raw_v2));
      /* .wh..wh.plnk/123: aufs metadata, skipped */
      CHECK (res.skipped == 2);
      report (name, failures == before, "see the CHECK lines above");
    }
}

/* Owners shifted, rootless format: no devices, user.overlay.opaque, caps v3. */
static void
test_unpack_shift_rootless (void)
{
  struct unpack_options o
      = { .uid_shift = 100000, .gid_shift = 100000, .id_range = 65536, .rootless = true };
  struct unpack_result res;
  tong_error err = { 0 };
  struct vfs_ns_cap_data cap;
  struct tar t;
  int r;

  tar_start (&t, ARCHIVE_FILTER_GZIP);
  build_normal (&t);
  tar_add (&t, "trusted", AE_IFREG,
           (struct ent){ .xname = "trusted.something", .xvalue = "x", .xsize = 1 });
  tar_add (&t, "forged", AE_IFDIR,
           (struct ent){ .xname = "trusted.overlay.redirect", .xvalue = "/etc", .xsize = 4 });
  tar_add (&t, "wh", AE_IFCHR, (struct ent){ .rdev = makedev (0, 0), .perm = 0 });
  r = unpack_with (tar_finish (&t), &o, &res, &err);
  if (r < 0)
    {
      printf ("not ok - test_unpack_shift_rootless: %s\n", err.msg);
      failures++;
      return;
    }
  check_normal_layer (&res, 100000, 33);
  CHECK (access (layer_path ("dev/null"), F_OK) < 0 && access (layer_path ("dev/loop0"), F_OK) < 0);
  CHECK (has_xattr (layer_path ("opaque"), "user.overlay.opaque", "y", 1));
  CHECK (has_xattr (layer_path ("renewed"), "user.overlay.opaque", "y", 1));
  CHECK (has_xattr (layer_path ("renewed2"), "user.overlay.opaque", "y", 1));
  CHECK (has_xattr (layer_path ("renewed3"), "user.overlay.opaque", "y", 1));
  CHECK (is_whiteout (layer_path ("wh"))); /* a whiteout device in the tar: kept */
  CHECK (lgetxattr (layer_path ("opaque"), "trusted.overlay.opaque", NULL, 0) < 0);
  CHECK (lgetxattr (layer_path ("trusted"), "trusted.something", NULL, 0) < 0);
  CHECK (lgetxattr (layer_path ("forged"), "trusted.overlay.redirect", NULL, 0) < 0);
  CHECK (lgetxattr (layer_path ("usr/bin/ping"), "security.capability", &cap, sizeof cap)
         == XATTR_CAPS_SZ_3);
  CHECK (le32toh (cap.magic_etc) == (VFS_CAP_REVISION_3 | VFS_CAP_FLAGS_EFFECTIVE));
  CHECK (le32toh (cap.rootid) == 100000 && le32toh (cap.data[0].permitted) == 1u << 13);
  /* aufs plnk, a same-layer whiteout, two devices */
  CHECK (res.skipped == 2 + 2);
}

static void
test_unpack_id_range (void)
{
  struct unpack_options o = { .uid_shift = 100000, .gid_shift = 100000, .id_range = 65536 };
  tong_error err = { 0 };
  struct tar t;
  int r;

  tar_start (&t, ARCHIVE_FILTER_NONE);
  tar_file (&t, "ok", "fine");
  tar_add (&t, "big/owner", AE_IFREG, (struct ent){ .uid = 70000 });
  r = unpack_with (tar_finish (&t), &o, NULL, &err);
  CHECK (r < 0 && strstr (err.msg, "'big/owner'") && strstr (err.msg, "uid 70000"));
  CHECK (nothing_outside ());

  tar_start (&t, ARCHIVE_FILTER_NONE);
  tar_add (&t, "biggid", AE_IFREG, (struct ent){ .gid = 65536 });
  err.msg[0] = 0;
  r = unpack_with (tar_finish (&t), &o, NULL, &err);
  CHECK (r < 0 && strstr (err.msg, "'biggid'") && strstr (err.msg, "gid 65536"));
}

/* A sparse file (pax GNU.sparse) comes out with its holes and its size; a
 * name longer than ustar's 100 bytes comes out whole. */
static void
test_unpack_sparse_and_long_name (void)
{
  static const char long_name[]
      = "a-directory-name-that-is-rather-long/and-a-file-name-that-makes-the-whole-path-longer-"
        "than-one-hundred-bytes";
  struct archive_entry *e = archive_entry_new ();
  tong_error err = { 0 };
  struct stat st;
  struct tar t;
  char buf[8];
  int fd, r;

  tar_start (&t, ARCHIVE_FILTER_ZSTD);
  archive_entry_set_pathname (e, "sparse");
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, 1 << 20);
  archive_entry_sparse_add_entry (e, 65536, 4);
  archive_entry_sparse_add_entry (e, (1 << 20) - 4, 4);
  CHECK (archive_write_header (t.a, e) == ARCHIVE_OK);
  {
    /* The pax writer takes the whole content and leaves out the holes. */
    _cleanup_free_ char *content = xcalloc (1, 1 << 20);
    memcpy (content + 65536, "data", 4);
    memcpy (content + (1 << 20) - 4, "tail", 4);
    CHECK (archive_write_data (t.a, content, 1 << 20) == 1 << 20);
  }
  archive_entry_free (e);
  tar_file (&t, long_name, "long");
  r = unpack_with (tar_finish (&t), NULL, NULL, &err);
  CHECK (r == 0);
  fd = open (layer_path ("sparse"), O_RDONLY | O_CLOEXEC);
  CHECK (fd >= 0 && fstat (fd, &st) == 0 && st.st_size == 1 << 20);
  CHECK (st.st_blocks * 512 < 1 << 20); /* holes stayed holes */
  CHECK (pread (fd, buf, 4, 65536) == 4 && memcmp (buf, "data", 4) == 0);
  CHECK (pread (fd, buf, 4, (1 << 20) - 4) == 4 && memcmp (buf, "tail", 4) == 0);
  CHECK (pread (fd, buf, 4, 4096) == 4 && memcmp (buf, "\0\0\0\0", 4) == 0);
  close (fd);
  CHECK (lstat (layer_path (long_name), &st) == 0 && st.st_size == 4);
}

static void
test_unpack_not_a_tar (void)
{
  static const char junk[4096] = "this is not a tar archive";
  tong_error err = { 0 };
  int fd = memfd_create ("junk", MFD_CLOEXEC), r;

  CHECK (write_all (fd, junk, sizeof junk) == 0 && lseek (fd, 0, SEEK_SET) == 0);
  r = unpack_with (fd, NULL, NULL, &err);
  CHECK (r < 0 && strstr (err.msg, "not a tar archive"));

  /* A target directory with content is refused, the content untouched. */
  {
    _cleanup_close_ int dirfd = fresh_layer ();
    struct tar t;
    tar_start (&t, ARCHIVE_FILTER_NONE);
    tar_file (&t, "f", "new");
    fd = tar_finish (&t);
    CHECK (mknodat (dirfd, "old", S_IFREG | 0600, 0) == 0);
    err.msg[0] = 0;
    CHECK (layer_unpack (fd, dirfd, NULL, NULL, &err) == -ENOTEMPTY);
    CHECK (strstr (err.msg, "not empty") && access (layer_path ("f"), F_OK) < 0);
    close (fd);
  }

  fd = memfd_create ("empty", MFD_CLOEXEC);
  err.msg[0] = 0;
  r = unpack_with (fd, NULL, NULL, &err);
  CHECK (r < 0 && err.msg[0]);
}

/* A truncated gzip stream: the decompression error is reported. */
static void
test_unpack_truncated_gzip (void)
{
  static char big[4 << 20];
  tong_error err = { 0 };
  struct tar t;
  uint32_t x = 1;
  int fd, r;

  for (size_t i = 0; i < sizeof big - 1; i++)
    {
      x = x * 1103515245 + 12345;
      big[i] = (char) ('a' + (x >> 16) % 26);
    }
  big[sizeof big - 1] = 0;
  tar_start (&t, ARCHIVE_FILTER_GZIP);
  tar_file (&t, "big", big);
  archive_write_close (t.a);
  t.used /= 2;
  fd = tar_finish (&t);
  r = unpack_with (fd, NULL, NULL, &err);
  CHECK (r < 0 && strstr (err.msg, "'big'") && strstr (err.msg, "does not decompress"));
}

/* Damaged layers: a well-formed one with a few random bytes changed, many
 * times over (a fixed seed, so failures repeat).  Each must unpack or fail
 * cleanly, never crash, and never write outside the layer. */
static void
test_unpack_damaged_layers (void)
{
  _cleanup_free_ char *good = NULL;
  size_t size;
  uint32_t x = 12345;
  int refused_count = 0;
  struct tar t;

  tar_start (&t, ARCHIVE_FILTER_NONE);
  build_normal (&t);
  tar_symlink (&t, "escape", outside);
  archive_write_close (t.a);
  size = t.used;
  good = xmalloc (size);
  memcpy (good, t.buf, size);
  close (tar_finish (&t));

  for (int i = 0; i < 200; i++)
    {
      tong_error err = { 0 };
      int fd = memfd_create ("damaged", MFD_CLOEXEC);
      char *buf = xmalloc (size);
      int flips;

      memcpy (buf, good, size);
      x = x * 1103515245 + 12345;
      flips = 1 + (int) ((x >> 16) % 8);
      for (int k = 0; k < flips; k++)
        {
          x = x * 1103515245 + 12345;
          size_t at = (x >> 8) % size;
          x = x * 1103515245 + 12345;
          buf[at] = (char) (x >> 16);
        }
      if (fd < 0 || write_all (fd, buf, size) < 0 || lseek (fd, 0, SEEK_SET) < 0)
        abort ();
      free (buf);
      if (unpack_with (fd, NULL, NULL, &err) < 0)
        refused_count++;
      if (!nothing_outside ())
        {
          printf ("not ok - damaged layer %d wrote outside the layer\n", i);
          failures++;
          break;
        }
    }
  printf ("# %d of 200 damaged layers refused\n", refused_count);
}

/* ------------------------------------------------------------ malicious layers */

typedef void (*builder) (struct tar *t);

/* The layer must be refused with an error naming `entry`, and nothing
 * written outside the layer directory. */
static void
refused (const char *name, builder build, const char *entry)
{
  tong_error err = { 0 };
  char quoted[256];
  struct tar t;
  int r;

  tar_start (&t, ARCHIVE_FILTER_NONE);
  build (&t);
  r = unpack_with (tar_finish (&t), NULL, NULL, &err);
  snprintf (quoted, sizeof quoted, "'%s'", entry);
  if (r >= 0)
    report (name, false, "unpacked without an error");
  else if (!strstr (err.msg, quoted))
    report (name, false, "the error does not name %s: %s", quoted, err.msg);
  else
    report (name, nothing_outside (), "something was written outside the layer (%s)", err.msg);
  rm_rf (outside);
  mkdir (outside, 0755);
}

static void
dotdot (struct tar *t)
{
  tar_file (t, "../../../outside/x", "escaped");
}

static void
dotdot_inside (struct tar *t)
{
  tar_dir (t, "a/");
  tar_file (t, "a/../../../../outside/x", "escaped");
}

static void
symlink_absolute (struct tar *t)
{
  tar_symlink (t, "a", outside);
  tar_file (t, "a/passwd", "root::0:0::/:/bin/sh\n");
}

static void
symlink_relative (struct tar *t)
{
  tar_symlink (t, "a", "../../../outside");
  tar_file (t, "a/x", "escaped");
}

static void
symlink_up_up_up (struct tar *t)
{
  tar_symlink (t, "a", "../../..");
  tar_dir (t, "a/outside/x/");
}

static void
symlink_deep (struct tar *t)
{
  tar_dir (t, "d/");
  tar_symlink (t, "d/e", base);
  tar_file (t, "d/e/outside/g", "escaped");
}

static void
hardlink_dotdot (struct tar *t)
{
  tar_hardlink (t, "h", "../../../secret");
}

static void
hardlink_through_symlink (struct tar *t)
{
  tar_symlink (t, "l", base);
  tar_hardlink (t, "h", "l/secret");
}

static void
hardlink_absolute_through_symlink (struct tar *t)
{
  tar_symlink (t, "etc", base);
  tar_hardlink (t, "h", "/etc/secret");
}

static void
whiteout_dotdot (struct tar *t)
{
  tar_file (t, ".wh...", NULL);
}

static void
whiteout_parent_dotdot (struct tar *t)
{
  tar_file (t, "../../../outside/.wh.x", NULL);
}

static void
whiteout_through_symlink (struct tar *t)
{
  tar_symlink (t, "a", outside);
  tar_file (t, "a/.wh.x", NULL);
}

static void
opaque_through_symlink (struct tar *t)
{
  tar_symlink (t, "a", outside);
  tar_file (t, "a/.wh..wh..opq", NULL);
}

static void
dir_replaced_by_symlink (struct tar *t)
{
  tar_dir (t, "d/");
  tar_file (t, "d/f", "inside");
  tar_symlink (t, "d", outside);
  tar_file (t, "d/x", "escaped");
}

static void
whiteout_as_directory (struct tar *t)
{
  tar_file (t, ".wh.a/b", "x");
}

static void
test_unpack_absolute_path_stays_inside (void)
{
  tong_error err = { 0 };
  struct tar t;
  int r;

  tar_start (&t, ARCHIVE_FILTER_NONE);
  tar_file (&t, "/abs", "rooted");
  tar_file (&t, "//x/./y", "doubled");
  r = unpack_with (tar_finish (&t), NULL, NULL, &err);
  CHECK (r == 0);
  CHECK (access (layer_path ("abs"), F_OK) == 0 && access (layer_path ("x/y"), F_OK) == 0);
  CHECK (nothing_outside ());
}

int
main (void)
{
  char path[300];
  int fd;

  is_root = geteuid () == 0;
  if (!is_root)
    default_options = (struct unpack_options){ .uid_shift = geteuid (), .gid_shift = getegid () };
  snprintf (base, sizeof base, "%s/test-unpack.XXXXXX",
            getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp");
  if (mkdtemp (base) == NULL)
    return 1;
  snprintf (outside, sizeof outside, "%s/outside", base);
  snprintf (secret, sizeof secret, "%s/secret", base);
  mkdir (outside, 0755);
  fd = open (secret, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || write_all (fd, "secret", 6) < 0)
    return 1;
  close (fd);
  snprintf (path, sizeof path, "%s/w", base);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/w/w", base);
  mkdir (path, 0755);

  if (is_root)
    {
      test_unpack_normal_layer_as_root ();
      RUN (test_unpack_shift_rootless);
      RUN (test_unpack_id_range);
      RUN (test_unpack_damaged_layers);
    }
  else
    printf ("ok - unpack_normal_layer # SKIP needs root (device nodes, trusted.* xattrs, chown)\n");
  RUN (test_unpack_sparse_and_long_name);
  RUN (test_unpack_not_a_tar);
  RUN (test_unpack_truncated_gzip);
  RUN (test_unpack_absolute_path_stays_inside);

  refused ("refuse_dotdot", dotdot, "../../../outside/x");
  refused ("refuse_dotdot_inside", dotdot_inside, "a/../../../../outside/x");
  refused ("refuse_symlink_absolute_parent", symlink_absolute, "a/passwd");
  refused ("refuse_symlink_relative_parent", symlink_relative, "a/x");
  refused ("refuse_symlink_up_up_up_parent", symlink_up_up_up, "a/outside/x/");
  refused ("refuse_symlink_deep_parent", symlink_deep, "d/e/outside/g");
  refused ("refuse_hardlink_dotdot", hardlink_dotdot, "h");
  refused ("refuse_hardlink_through_symlink", hardlink_through_symlink, "h");
  refused ("refuse_hardlink_absolute_through_symlink", hardlink_absolute_through_symlink, "h");
  refused ("refuse_whiteout_dotdot", whiteout_dotdot, ".wh...");
  refused ("refuse_whiteout_parent_dotdot", whiteout_parent_dotdot, "../../../outside/.wh.x");
  refused ("refuse_whiteout_through_symlink", whiteout_through_symlink, "a/.wh.x");
  refused ("refuse_opaque_through_symlink", opaque_through_symlink, "a/.wh..wh..opq");
  refused ("refuse_dir_replaced_by_symlink", dir_replaced_by_symlink, "d/x");
  refused ("refuse_whiteout_as_directory", whiteout_as_directory, ".wh.a/b");

  rm_rf (base);
  return failures != 0;
}
