#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "paths.h"
#include "src/util.h"

static bool
spec_has_namespace (const struct oci_spec *spec, enum oci_ns_type type)
{
  const struct oci_linux *l = spec->linux_;

  for (size_t i = 0; l && i < l->namespaces_len; i++)
    if (l->namespaces[i].type == type)
      return true;
  return false;
}

static const char *const ipc_keys[] = {
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem",
  "kernel.shmall", "kernel.shmmax", "kernel.shm_rmid_forced", "kernel.shmmni",
};

/* Which namespace makes `key` (in dotted form) safe to set; -1: none does. */
static int
sysctl_namespace (const char *key)
{
  for (size_t i = 0; i < ARRAY_SIZE (ipc_keys); i++)
    if (strcmp (key, ipc_keys[i]) == 0)
      return OCI_NS_IPC;
  if (strncmp (key, "fs.mqueue.", 10) == 0)
    return OCI_NS_IPC;
  if (strncmp (key, "net.", 4) == 0)
    return OCI_NS_NETWORK;
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    return OCI_NS_UTS;
  return -1;
}

static const char *
ns_word (int type)
{
  switch (type)
    {
    case OCI_NS_IPC:
      return "ipc";
    case OCI_NS_NETWORK:
      return "network";
    default:
      return "uts";
    }
}

/* The key may be given dotted ("net.ipv4.ip_forward") or as a path
 * ("net/ipv4/conf/eth0.100/forwarding"); return both forms. */
static int
sysctl_key_forms (const char *key, char **dotted, char **path, tong_error *err)
{
  bool slashed = strchr (key, '/') != NULL;
  _cleanup_free_ char *d = xstrdup (key), *p = xstrdup (key);

  for (char *c = slashed ? d : p; *c; c++)
    if (*c == (slashed ? '/' : '.'))
      *c = slashed ? '.' : '/';
  if (*key == '\0' || *key == '/' || *key == '.' || strstr (p, "//") || strstr (p, "/../")
      || strncmp (p, "../", 3) == 0 || strcmp (p, "..") == 0
      || (strlen (p) >= 3 && strcmp (p + strlen (p) - 3, "/..") == 0))
    return tong_err (err, 0, "linux.sysctl: `%s` is not a valid sysctl name", key);
  *dotted = TAKE_PTR (d);
  *path = TAKE_PTR (p);
  return 0;
}

static int
sysctl_check (const struct oci_spec *spec, const char *key, const char *dotted, tong_error *err)
{
  int ns = sysctl_namespace (dotted);

  if (ns < 0)
    return tong_err (err, 0,
                     "linux.sysctl: `%s` is not namespaced: setting it in a container would "
                     "change the host",
                     key);
  if (!spec_has_namespace (spec, (enum oci_ns_type)ns))
    return tong_err (err, 0,
                     "linux.sysctl: `%s` needs its own %s namespace: add {\"type\": \"%s\"} to "
                     "linux.namespaces",
                     key, ns_word (ns), ns_word (ns));
  return 0;
}

static int
sysctl_write (int procsysfd, const char *key, const char *path, const char *value, tong_error *err)
{
  _cleanup_close_ int fd = -1;

  fd = path_open_in_root (procsysfd, path, O_WRONLY | O_NOFOLLOW, PATH_CREATE_NONE, err);
  if (fd < 0)
    return tong_err_prefix (err, "linux.sysctl: `%s`", key);
  if (write_all (fd, value, strlen (value)) < 0)
    return tong_err (err, errno, "linux.sysctl: write `%s` to `%s`", value, key);
  return 0;
}

int
sysctl_apply (int rootfd, const struct oci_spec *spec, tong_error *err)
{
  const struct oci_map *m = spec->linux_ ? &spec->linux_->sysctl : NULL;
  _cleanup_close_ int procfd = -1, sysfd = -1;
  struct statfs sf;
  int r;

  if (m == NULL || m->len == 0)
    return 0;
  for (size_t i = 0; i < m->len; i++)
    {
      _cleanup_free_ char *dotted = NULL, *path = NULL;

      r = sysctl_key_forms (m->items[i].key, &dotted, &path, err);
      if (r < 0)
        return r;
      r = sysctl_check (spec, m->items[i].key, dotted, err);
      if (r < 0)
        return r;
    }

  /* An image could ship its own /proc: write only into a real procfs. */
  procfd = path_open_in_root (rootfd, "/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW, PATH_CREATE_NONE,
                              err);
  if (procfd < 0)
    return tong_err_prefix (err, "linux.sysctl needs /proc mounted");
  if (fstatfs (procfd, &sf) < 0)
    return tong_err (err, errno, "statfs /proc");
  if (sf.f_type != PROC_SUPER_MAGIC)
    return tong_err (err, 0,
                     "linux.sysctl: /proc in the container is not procfs: mount proc on "
                     "/proc to set sysctls");
  sysfd
      = path_open_in_root (procfd, "sys", O_PATH | O_DIRECTORY | O_NOFOLLOW, PATH_CREATE_NONE, err);
  if (sysfd < 0)
    return tong_err_prefix (err, "linux.sysctl");

  for (size_t i = 0; i < m->len; i++)
    {
      _cleanup_free_ char *dotted = NULL, *path = NULL;

      r = sysctl_key_forms (m->items[i].key, &dotted, &path, err);
      if (r == 0)
        r = sysctl_write (sysfd, m->items[i].key, path, m->items[i].value, err);
      if (r < 0)
        return r;
    }
  return 0;
}
