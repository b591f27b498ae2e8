/* Drive src/overlay from the shell (tests/integration/overlay.sh):
 *
 *   overlay-tool unpack [--rootless] [--uid-shift N] [--gid-shift N] [--id-range N] LAYER DIR
 *   overlay-tool mount [--ro] [--userxattr] TARGET UPPER|- WORK|- LOWER...   (LOWER top first)
 *   overlay-tool umount TARGET
 *
 * unpack creates DIR if needed and prints
 * "entries N bytes N file-bytes N skipped N diff-id sha256:... seconds S". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/overlay/overlay.h"
#include "src/overlay/unpack.h"
#include "src/base/util.h"

static int
usage (void)
{
  fprintf (stderr, "usage: overlay-tool unpack [--rootless] [--uid-shift N] [--gid-shift N] "
                   "[--id-range N] LAYER DIR\n"
                   "       overlay-tool mount [--ro] [--userxattr] TARGET UPPER|- WORK|- LOWER...\n"
                   "       overlay-tool umount TARGET\n");
  return 2;
}

static int
fail (tong_error *err)
{
  fprintf (stderr, "overlay-tool: %s\n", err->msg);
  return 1;
}

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
cmd_unpack (int argc, char **argv)
{
  struct unpack_options o = { 0 };
  struct unpack_result res;
  tong_error err = { 0 };
  _cleanup_close_ int fd = -1, dirfd = -1;
  double start;
  int i;

  for (i = 0; i < argc && strncmp (argv[i], "--", 2) == 0; i++)
    {
      if (strcmp (argv[i], "--rootless") == 0)
        o.rootless = true;
      else if (i + 1 < argc && strcmp (argv[i], "--uid-shift") == 0)
        o.uid_shift = (uid_t) strtoul (argv[++i], NULL, 10);
      else if (i + 1 < argc && strcmp (argv[i], "--gid-shift") == 0)
        o.gid_shift = (gid_t) strtoul (argv[++i], NULL, 10);
      else if (i + 1 < argc && strcmp (argv[i], "--id-range") == 0)
        o.id_range = (uint32_t) strtoul (argv[++i], NULL, 10);
      else
        return usage ();
    }
  if (argc - i != 2)
    return usage ();
  fd = open (argv[i], O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      tong_err (&err, errno, "open %s", argv[i]);
      return fail (&err);
    }
  if (mkdir (argv[i + 1], 0755) < 0 && errno != EEXIST)
    {
      tong_err (&err, errno, "mkdir %s", argv[i + 1]);
      return fail (&err);
    }
  dirfd = open (argv[i + 1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    {
      tong_err (&err, errno, "open %s", argv[i + 1]);
      return fail (&err);
    }
  start = now ();
  if (layer_unpack (fd, dirfd, &o, &res, &err) < 0)
    return fail (&err);
  printf ("entries %llu bytes %llu file-bytes %llu skipped %llu diff-id %s seconds %.3f\n",
          (unsigned long long) res.entries, (unsigned long long) res.bytes,
          (unsigned long long) res.file_bytes, (unsigned long long) res.skipped, res.diff_id,
          now () - start);
  return 0;
}

static int
cmd_mount (int argc, char **argv)
{
  struct overlay_options o = { 0 };
  tong_error err = { 0 };
  const char *upper, *work;
  int i;

  for (i = 0; i < argc && strncmp (argv[i], "--", 2) == 0; i++)
    {
      if (strcmp (argv[i], "--ro") == 0)
        o.read_only = true;
      else if (strcmp (argv[i], "--userxattr") == 0)
        o.userxattr = true;
      else
        return usage ();
    }
  if (argc - i < 4)
    return usage ();
  upper = strcmp (argv[i + 1], "-") == 0 ? NULL : argv[i + 1];
  work = strcmp (argv[i + 2], "-") == 0 ? NULL : argv[i + 2];
  if (overlay_mount (argv[i], (const char *const *) argv + i + 3, (size_t) (argc - i - 3), upper,
                     work, &o, &err)
      < 0)
    return fail (&err);
  return 0;
}

int
main (int argc, char **argv)
{
  tong_error err = { 0 };

  if (argc >= 2 && strcmp (argv[1], "unpack") == 0)
    return cmd_unpack (argc - 2, argv + 2);
  if (argc >= 2 && strcmp (argv[1], "mount") == 0)
    return cmd_mount (argc - 2, argv + 2);
  if (argc == 3 && strcmp (argv[1], "umount") == 0)
    return overlay_unmount (argv[2], &err) < 0 ? fail (&err) : 0;
  return usage ();
}
