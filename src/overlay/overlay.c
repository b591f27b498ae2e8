#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/base/spawn.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

#ifndef P_PIDFD
#define P_PIDFD 3 /* waitid on a pidfd (Linux 5.4; glibc 2.36 lacks the name) */
#endif

/* A growing string for the mount options. */
struct opts
{
  char *buf;
  size_t len, cap;
};

static void
opts_add (struct opts *s, const char *str, bool escape)
{
  for (const char *p = str; *p; p++)
    {
      if (s->len + 3 > s->cap)
        {
          s->cap = s->cap ? 2 * s->cap : 1024;
          s->buf = xrealloc (s->buf, s->cap);
        }
      /* Overlay splits lowerdir on ':' and the options on ','. */
      if (escape && (*p == ':' || *p == ',' || *p == '\\'))
        s->buf[s->len++] = '\\';
      s->buf[s->len++] = *p;
    }
  if (s->buf)
    s->buf[s->len] = '\0';
}

/* "lowerdir=L0:L1...[,upperdir=U,workdir=W][,userxattr][,context="..."]". */
static char *
build_options (char *const *lowers, size_t n, const char *upper, const char *work,
               const struct overlay_options *o)
{
  struct opts s = { 0 };

  opts_add (&s, "lowerdir=", false);
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        opts_add (&s, ":", false);
      opts_add (&s, lowers[i], true);
    }
  if (upper)
    {
      opts_add (&s, ",upperdir=", false);
      opts_add (&s, upper, true);
      opts_add (&s, ",workdir=", false);
      opts_add (&s, work, true);
    }
  if (o->userxattr)
    opts_add (&s, ",userxattr", false);
  if (o->mount_label)
    {
      opts_add (&s, ",context=\"", false);
      opts_add (&s, o->mount_label, false);
      opts_add (&s, "\"", false);
    }
  return s.buf;
}

static void
paths_free (char **v, size_t n)
{
  if (v == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

static int
absolute (const char *path, const char *what, char **out, tong_error *err)
{
  *out = realpath (path, NULL);
  if (*out == NULL)
    return tong_err (err, errno, "overlay: %s '%s'", what, path);
  return 0;
}

static int
mount_error (int errnum, const char *target, size_t n, tong_error *err)
{
  return tong_err (err, errnum,
                   "mount an overlay of %zu layer%s on '%s' (the kernel log, dmesg, says why)", n,
                   n == 1 ? "" : "s", target);
}

/* mount(2) from a child that changed into dirfd, so that the options may
 * name the layers relative to it.  A child, not chdir here: the current
 * directory belongs to the whole (perhaps threaded) process.  The child
 * sends no SIGCHLD and is waited for through its pidfd, so that a caller
 * reaping its own children with waitpid(-1) cannot take its status. */
static int
mount_in_dir (int dirfd, const char *target, unsigned long flags, const char *opts)
{
  int pidfd = -1;
  struct clone_args args = { .flags = CLONE_PIDFD, .pidfd = (uint64_t) (uintptr_t) &pidfd };
  siginfo_t info;
  pid_t pid;

  pid = spawn_clone (&args);
  if (pid < 0)
    return -errno;
  if (pid == 0)
    {
      if (fchdir (dirfd) < 0)
        _exit (errno);
      if (mount ("overlay", target, "overlay", flags, opts) < 0)
        _exit (errno);
      _exit (0);
    }
  memset (&info, 0, sizeof info);
  while (waitid ((idtype_t) P_PIDFD, (id_t) pidfd, &info, WEXITED | __WALL) < 0)
    if (errno != EINTR)
      {
        int r = -errno;
        close (pidfd);
        return r;
      }
  close (pidfd);
  if (info.si_code != CLD_EXITED)
    return -EINTR;
  return -info.si_status;
}

/* Mount with short symlinks ("0", "1", ..., "u", "w") in a temporary
 * directory next to the target; removed once overlay has resolved them. */
static int
mount_linked (const char *target, char *const *lowers, size_t n, const char *upper,
              const char *work, unsigned long flags, const struct overlay_options *o,
              tong_error *err)
{
  _cleanup_free_ char *dir = xstrdup (target);
  _cleanup_free_ char *base = xstrdup (target);
  _cleanup_free_ char *linkdir = xasprintf ("%s/.%s.lowers.XXXXXX", dirname (dir), basename (base));
  _cleanup_free_ char *opts = NULL;
  _cleanup_close_ int linkfd = -1;
  char **names = xcalloc (n, sizeof *names);
  int r = 0;

  if (mkdtemp (linkdir) == NULL)
    {
      free (names);
      return tong_err (err, errno, "overlay: create the directory of short layer names '%s'",
                       linkdir);
    }
  linkfd = open (linkdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (linkfd < 0)
    r = tong_err (err, errno, "overlay: open '%s'", linkdir);
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      names[i] = xasprintf ("%zx", i);
      if (symlinkat (lowers[i], linkfd, names[i]) < 0)
        r = tong_err (err, errno, "overlay: symlink '%s/%s'", linkdir, names[i]);
    }
  if (r == 0 && upper && (symlinkat (upper, linkfd, "u") < 0 || symlinkat (work, linkfd, "w") < 0))
    r = tong_err (err, errno, "overlay: symlink the upper and work dirs in '%s'", linkdir);
  if (r == 0)
    {
      opts = build_options (names, n, upper ? "u" : NULL, "w", o);
      if (strlen (opts) >= (size_t) sysconf (_SC_PAGESIZE))
        r = tong_err (err, E2BIG, "overlay: %zu layers do not fit in the mount options", n);
    }
  if (r == 0)
    {
      r = mount_in_dir (linkfd, target, flags, opts);
      if (r < 0)
        r = mount_error (-r, target, n, err);
    }

  for (size_t i = 0; i < n && names[i]; i++)
    unlinkat (linkfd, names[i], 0);
  if (upper)
    {
      unlinkat (linkfd, "u", 0);
      unlinkat (linkfd, "w", 0);
    }
  rmdir (linkdir);
  paths_free (names, n);
  return r;
}

/* One read-only layer: overlay needs two lowers without an upper, so bind
 * it, read-only from the start (a detached clone made read-only, then moved). */
static int
bind_read_only (const char *lower, const char *target, tong_error *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  _cleanup_close_ int fd = sys_open_tree (AT_FDCWD, lower, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

  if (fd < 0)
    return tong_err (err, errno, "overlay: clone a mount of the layer '%s'", lower);
  if (sys_mount_setattr (fd, "", AT_EMPTY_PATH, &attr) < 0)
    return tong_err (err, errno, "overlay: make the layer '%s' read-only", lower);
  if (sys_move_mount (fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return tong_err (err, errno, "overlay: mount the layer '%s' on '%s'", lower, target);
  return 0;
}

int
overlay_mount (const char *target, const char *const *lowers, size_t n, const char *upper,
               const char *work, const struct overlay_options *o, tong_error *err)
{
  static const struct overlay_options defaults = { 0 };
  bool read_only;
  char **abs = NULL;
  _cleanup_free_ char *abs_target = NULL, *abs_upper = NULL, *abs_work = NULL, *opts = NULL;
  unsigned long flags;
  int r;

  if (o == NULL)
    o = &defaults;
  read_only = o->read_only || upper == NULL;
  if (n == 0)
    return tong_err (err, 0, "overlay on '%s': no layers", target);
  if (n > OVERLAY_MAX_LOWERS)
    return tong_err (err, 0, "overlay on '%s': %zu layers, but overlayfs stacks at most %d", target,
                     n, OVERLAY_MAX_LOWERS);
  if (!read_only && work == NULL)
    return tong_err (err, 0, "overlay on '%s': an upper dir needs a work dir", target);
  if (read_only && n == 1)
    return bind_read_only (lowers[0], target, err);

  r = absolute (target, "target", &abs_target, err);
  if (r == 0 && !read_only)
    r = absolute (upper, "upper dir", &abs_upper, err);
  if (r == 0 && !read_only)
    r = absolute (work, "work dir", &abs_work, err);
  if (r < 0)
    return r;
  abs = xcalloc (n, sizeof *abs);
  for (size_t i = 0; i < n && r == 0; i++)
    {
      _cleanup_free_ char *what = xasprintf ("layer %zu", i);
      r = absolute (lowers[i], what, &abs[i], err);
    }
  if (r < 0)
    {
      paths_free (abs, n);
      return r;
    }

  flags = read_only ? MS_RDONLY : 0;
  opts = build_options (abs, n, abs_upper, abs_work, o);
  if (strlen (opts) < (size_t) sysconf (_SC_PAGESIZE))
    {
      r = mount ("overlay", abs_target, "overlay", flags, opts) < 0 ? -errno : 0;
      if (r < 0)
        r = mount_error (-r, abs_target, n, err);
    }
  else
    r = mount_linked (abs_target, abs, n, abs_upper, abs_work, flags, o, err);
  paths_free (abs, n);
  return r;
}

int
overlay_unmount (const char *target, tong_error *err)
{
  if (umount2 (target, UMOUNT_NOFOLLOW) == 0)
    return 0;
  if (errno == EBUSY && umount2 (target, UMOUNT_NOFOLLOW | MNT_DETACH) == 0)
    return 0;
  if (errno == EINVAL)
    return tong_err_code (err, EINVAL, "unmount '%s': not a mount point", target);
  return tong_err (err, errno, "unmount '%s'", target);
}
