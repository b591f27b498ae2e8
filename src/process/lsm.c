/* AppArmor profiles and SELinux labels: detect the module on the host, write
 * this process's attr files in /proc for the next execve, label mounts. */
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "src/base/procfs.h"
#include "src/base/util.h"

#define SECURITYFS_LSM "/sys/kernel/security/lsm"

/* Read a small sysfs or securityfs file; NULL when it cannot be read. */
static char *
read_small_file (const char *path)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  char buf[512];
  ssize_t n;

  if (fd < 0)
    return NULL;
  do
    n = read (fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  return xstrdup (buf);
}

/* Is `name` in the comma-separated list of active modules?  -1 when the list
 * cannot be read (securityfs not mounted, or an old kernel). */
static int
lsm_list_has (const char *name)
{
  _cleanup_free_ char *list = read_small_file (SECURITYFS_LSM);
  size_t len = strlen (name);

  if (!list)
    return -1;
  for (const char *s = list; *s;)
    {
      size_t n = strcspn (s, ",\n");
      if (n == len && strncmp (s, name, len) == 0)
        return 1;
      s += n;
      s += strspn (s, ",\n");
    }
  return 0;
}

bool
lsm_apparmor_enabled (const char **why)
{
  _cleanup_free_ char *enabled = read_small_file ("/sys/module/apparmor/parameters/enabled");
  const char *reason = NULL;

  if (!enabled || enabled[0] != 'Y')
    reason = "AppArmor is not enabled in the kernel";
  else if (lsm_list_has ("apparmor") == 0)
    reason = "AppArmor is not among the active security modules in " SECURITYFS_LSM;
  if (why)
    *why = reason;
  return reason == NULL;
}

bool
lsm_selinux_enabled (const char **why)
{
  bool on = access ("/sys/fs/selinux/enforce", F_OK) == 0 || lsm_list_has ("selinux") == 1;

  if (why)
    *why = on ? NULL : "SELinux is not enabled in the kernel, or selinuxfs is not mounted";
  return on;
}

int
lsm_check_apparmor (const char *field, const char *profile, tong_error *err)
{
  const char *why;

  if (!profile || !*profile || lsm_apparmor_enabled (&why))
    return 0;
  return tong_err (err, 0, "%s \"%s\": this host has no AppArmor (%s)", field, profile, why);
}

int
lsm_check_selinux (const char *field, const char *label, tong_error *err)
{
  const char *why;

  if (!label || !*label || lsm_selinux_enabled (&why))
    return 0;
  return tong_err (err, 0, "%s \"%s\": this host has no SELinux (%s)", field, label, why);
}

int
lsm_check_process (const struct oci_process *p, const char *source, tong_error *err)
{
  _cleanup_free_ char *apparmor = xasprintf ("%s: process.apparmorProfile", source);
  _cleanup_free_ char *selinux = xasprintf ("%s: process.selinuxLabel", source);
  int r;

  if (!p)
    return 0;
  r = lsm_check_apparmor (apparmor, p->apparmor_profile, err);
  if (r == 0)
    r = lsm_check_selinux (selinux, p->selinux_label, err);
  return r;
}

/* This process's attr file `name`, by the runtime's /proc; -1 with no error
 * when the kernel does not have it (ENOENT). */
static int
open_attr (const char *name, int *fd)
{
  _cleanup_free_ char *rest = xasprintf ("attr/%s", name);

  *fd = procfs_open_self (rest, O_WRONLY);
  if (*fd >= 0 || *fd == -ENOENT)
    {
      *fd = *fd >= 0 ? *fd : -1;
      return 0;
    }
  return *fd;
}

int
lsm_open_attrs (const struct oci_process *p, bool key_label, struct lsm_attrs *a, tong_error *err)
{
  int r = 0;

  *a = (struct lsm_attrs) LSM_ATTRS_NONE;
  if (p->apparmor_profile && *p->apparmor_profile)
    {
      /* Kernels since 5.1 have a directory per module; older ones share attr/exec. */
      r = open_attr ("apparmor/exec", &a->apparmor_exec);
      if (r == 0 && a->apparmor_exec < 0)
        r = open_attr ("exec", &a->apparmor_exec);
      if (r == 0 && a->apparmor_exec < 0)
        r = -ENOENT;
      if (r < 0)
        return tong_err (err, -r,
                         "process.apparmorProfile: open this process's AppArmor attr "
                         "file in /proc");
    }
  if (p->selinux_label && *p->selinux_label)
    {
      r = open_attr ("exec", &a->selinux_exec);
      if (r == 0 && a->selinux_exec < 0)
        r = -ENOENT;
      if (r == 0 && key_label)
        r = open_attr ("keycreate", &a->keycreate);
      if (r < 0)
        return tong_err (err, -r, "process.selinuxLabel: open this process's attr files in /proc");
    }
  return 0;
}

void
lsm_attrs_close (struct lsm_attrs *a)
{
  closep (&a->apparmor_exec);
  closep (&a->selinux_exec);
  closep (&a->keycreate);
  *a = (struct lsm_attrs) LSM_ATTRS_NONE;
}

int
lsm_apply_process (struct lsm_attrs *a, const struct oci_process *p, tong_error *err)
{
  int r;

  if (a->apparmor_exec >= 0)
    {
      _cleanup_free_ char *cmd = xasprintf ("exec %s", p->apparmor_profile);

      r = write_all (a->apparmor_exec, cmd, strlen (cmd));
      if (r < 0)
        return tong_err (err, -r,
                         "process.apparmorProfile: set AppArmor profile \"%s\" for exec (is "
                         "the profile loaded?)",
                         p->apparmor_profile);
    }
  if (a->selinux_exec >= 0)
    {
      r = write_all (a->selinux_exec, p->selinux_label, strlen (p->selinux_label));
      if (r < 0)
        return tong_err (err, -r, "process.selinuxLabel: set SELinux label \"%s\" for exec",
                         p->selinux_label);
    }
  lsm_attrs_close (a);
  return 0;
}

int
lsm_set_key_label (struct lsm_attrs *a, const char *label, tong_error *err)
{
  int r;

  /* Kernels without keys (or without the attr) have no key label to set. */
  if (a->keycreate < 0)
    return 0;
  r = write_all (a->keycreate, label, strlen (label));
  closep (&a->keycreate);
  a->keycreate = -1;
  if (r < 0)
    return tong_err (err, -r, "process.selinuxLabel: set SELinux key label \"%s\"", label);
  return 0;
}
