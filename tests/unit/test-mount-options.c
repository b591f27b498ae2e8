/* Unit test: mount option lists to flags, propagation, attributes and data. */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/mount.h>

#include "src/namespaces/mount-options.h"
#include "tests/unit/check.h"

static void
test_flags (void)
{
  char *opts[] = { "nosuid", "noexec", "nodev", "ro", "relatime", NULL };
  struct mount_options o;
  tong_error err;

  CHECK (mount_options_parse (opts, &o, &err) == 0);
  CHECK (o.flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY | MS_RELATIME));
  CHECK (o.data == NULL);
  CHECK (o.propagation == 0);
  mount_options_release (&o);
}

static void
test_later_wins (void)
{
  char *opts[] = { "ro", "rw", "noatime", "strictatime", "nosuid", "suid", NULL };
  struct mount_options o;
  tong_error err;

  CHECK (mount_options_parse (opts, &o, &err) == 0);
  CHECK ((o.flags & MS_RDONLY) == 0);
  CHECK (o.cleared & MS_RDONLY);
  CHECK (o.flags == MS_STRICTATIME);
  CHECK (o.cleared & MS_NOSUID);
  mount_options_release (&o);
}

static void
test_data_and_bind (void)
{
  char *opts[] = { "rbind", "size=65536k", "rprivate", "mode=755", "defaults", NULL };
  struct mount_options o;
  tong_error err;

  CHECK (mount_options_parse (opts, &o, &err) == 0);
  CHECK (o.flags == (MS_BIND | MS_REC));
  CHECK (o.propagation == (MS_PRIVATE | MS_REC));
  CHECK (o.data && strcmp (o.data, "size=65536k,mode=755") == 0);
  CHECK (mount_options_bind_remount_flags (&o) == 0);
  mount_options_release (&o);
}

static void
test_bind_remount (void)
{
  char *opts[] = { "bind", "ro", "nosuid", "shared", NULL };
  struct mount_options o;
  tong_error err;

  CHECK (mount_options_parse (opts, &o, &err) == 0);
  CHECK (mount_options_bind_remount_flags (&o) == (MS_RDONLY | MS_NOSUID));
  CHECK (o.propagation == MS_SHARED);
  mount_options_release (&o);
}

static void
test_recursive_attrs (void)
{
  char *opts[] = { "rbind", "rro", "rnosuid", "rnoatime", NULL };
  struct mount_options o;
  tong_error err;

  CHECK (mount_options_parse (opts, &o, &err) == 0);
  CHECK (o.rec_attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME));
  CHECK (o.rec_attr_clr == MOUNT_ATTR__ATIME);
  mount_options_release (&o);
}

static void
test_devpts_data (void)
{
  char *opts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
  struct mount_options o;
  tong_error err;

  CHECK (mount_options_parse (opts, &o, &err) == 0);
  CHECK (o.data && strcmp (o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5") == 0);
  mount_options_release (&o);
  CHECK (mount_options_parse (NULL, &o, &err) == 0);
  CHECK (o.flags == 0 && o.data == NULL);
}

static void
test_propagation_values (void)
{
  unsigned long f = 0;
  tong_error err;

  CHECK (mount_propagation_parse ("rslave", &f, &err) == 0 && f == (MS_SLAVE | MS_REC));
  CHECK (mount_propagation_parse ("shared", &f, &err) == 0 && f == MS_SHARED);
  CHECK (mount_propagation_parse ("ro", &f, &err) < 0);
  CHECK (strstr (err.msg, "rootfsPropagation") != NULL);
}

/* The part of a protected path below the procfs destination: what is then
 * looked up beneath the runtime's procfs fd.  Anything not at or below it,
 * or climbing with "..", stays with the lookup inside the root. */
static void
test_path_beneath (void)
{
  const char *r;

  CHECK ((r = mount_path_beneath ("/proc", "/proc/sys")) && strcmp (r, "sys") == 0);
  CHECK ((r = mount_path_beneath ("/proc", "/proc")) && strcmp (r, "") == 0);
  CHECK ((r = mount_path_beneath ("/proc/", "//proc//sys/kernel/"))
         && strcmp (r, "sys/kernel/") == 0);
  CHECK ((r = mount_path_beneath ("/", "/proc/sys")) && strcmp (r, "proc/sys") == 0);
  CHECK ((r = mount_path_beneath ("/proc", "/proc/")) && strcmp (r, "") == 0);
  CHECK (mount_path_beneath ("/proc", "/procfs/sys") == NULL);
  CHECK (mount_path_beneath ("/proc", "/pro") == NULL);
  CHECK (mount_path_beneath ("/proc/sys", "/proc") == NULL);
  CHECK (mount_path_beneath ("/proc", "/sys/firmware") == NULL);
  CHECK (mount_path_beneath ("/proc", "/proc/../etc/shadow") == NULL);
  CHECK (mount_path_beneath ("/proc", "/proc/sys/..") == NULL);
  CHECK ((r = mount_path_beneath ("/proc", "/proc/..x")) && strcmp (r, "..x") == 0);
  CHECK (mount_path_beneath ("/x/../proc", "/proc/sys") == NULL);
  CHECK (mount_path_beneath ("proc", "/proc/sys") == NULL);
  CHECK (mount_path_beneath ("/proc", "proc/sys") == NULL);
  CHECK (mount_path_beneath (NULL, "/proc/sys") == NULL);
}

static void
test_attr_from_flags (void)
{
  CHECK (mount_attr_from_flags (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
         == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
  CHECK (mount_attr_from_flags (MS_RELATIME | MS_NODIRATIME)
         == (MOUNT_ATTR_RELATIME | MOUNT_ATTR_NODIRATIME));
  CHECK (mount_attr_from_flags (MS_NOATIME) == MOUNT_ATTR_NOATIME);
  CHECK (mount_attr_from_flags (MS_NOATIME | MS_STRICTATIME) == MOUNT_ATTR_STRICTATIME);
  CHECK (mount_attr_from_flags (MS_BIND | MS_REC | MS_SILENT) == 0);
}

int
main (void)
{
  RUN (test_flags);
  RUN (test_later_wins);
  RUN (test_data_and_bind);
  RUN (test_bind_remount);
  RUN (test_recursive_attrs);
  RUN (test_devpts_data);
  RUN (test_propagation_values);
  RUN (test_path_beneath);
  RUN (test_attr_from_flags);
  if (failures)
    {
      fprintf (stderr, "test-mount-options: %d failures\n", failures);
      return 1;
    }
  printf ("test-mount-options: ok\n");
  return 0;
}
