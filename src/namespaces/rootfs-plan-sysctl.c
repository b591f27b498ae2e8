/* The rootfs plan's linux.sysctl: each key checked, as a write below the
 * kept procfs (carried out by sysctl.c). */
#include <string.h>

#include "oci/config.h"
#include "rootfs-plan-parts.h"
#include "src/base/util.h"

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

/* A namespace of the container's own (new or joined by path) makes the key
 * the container's. */
static int
sysctl_check (const struct oci_spec *spec, const char *key, const char *dotted, tong_error *err)
{
  int ns = sysctl_namespace (dotted);

  if (ns < 0)
    return tong_err (err, 0,
                     "linux.sysctl: `%s` is not namespaced: setting it in a container would "
                     "change the host",
                     key);
  if (oci_spec_namespace (spec, (enum oci_ns_type) ns) == NULL)
    return tong_err (err, 0,
                     "linux.sysctl: `%s` needs its own %s namespace: add {\"type\": \"%s\"} to "
                     "linux.namespaces",
                     key, ns_word (ns), ns_word (ns));
  return 0;
}

int
rootfs_plan_sysctls (struct rootfs_plan *plan, const struct oci_spec *spec, tong_error *err)
{
  const struct oci_map *m = spec->linux_ ? &spec->linux_->sysctl : NULL;
  const char *beneath;
  int r;

  if (m == NULL || m->len == 0)
    return 0;
  for (size_t i = 0; i < m->len; i++)
    {
      _cleanup_free_ char *dotted = NULL, *path = NULL;
      struct rootfs_sysctl *op;

      r = sysctl_key_forms (m->items[i].key, &dotted, &path, err);
      if (r < 0)
        return r;
      r = sysctl_check (spec, m->items[i].key, dotted, err);
      if (r < 0)
        return r;
      op = &rootfs_plan_add (plan, ROOTFS_OP_SYSCTL)->sysctl;
      op->key = m->items[i].key;
      op->proc_path = xasprintf ("sys/%s", path);
      op->value = m->items[i].value;
    }

  /* The procfs the runtime mounted, by its fd: an image could ship its own
   * /proc, and a writer of the rootfs could swap the name meanwhile. */
  beneath = plan->procfs_dest ? mount_path_beneath (plan->procfs_dest, "/proc") : NULL;
  if (beneath == NULL || *beneath != '\0')
    return tong_err (err, 0,
                     "linux.sysctl needs /proc mounted: add a mount of type proc on /proc to "
                     "set sysctls");
  return 0;
}
