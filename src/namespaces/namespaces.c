#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "idmap-helpers.h"
#include "oci/config.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

/* linux/nsfs.h's, which musl's <sys/ioctl.h> cannot be included with. */
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO (0xb7, 0x3)
#endif

static const struct oci_namespace *
find_namespace (const struct oci_spec *spec, enum oci_ns_type type)
{
  const struct oci_linux *l = spec->linux_;

  for (size_t i = 0; l && i < l->namespaces_len; i++)
    if (l->namespaces[i].type == type)
      return &l->namespaces[i];
  return NULL;
}

void
ns_close_paths (int fds[OCI_NS_COUNT])
{
  for (int i = 0; i < OCI_NS_COUNT; i++)
    {
      closep (&fds[i]);
      fds[i] = -1;
    }
}

static int
open_namespace (const struct oci_namespace *ns, tong_error *err)
{
  _cleanup_close_ int fd = -1;
  const char *name = oci_ns_info (ns->type)->name;
  int type;

  fd = open (ns->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return tong_err (err, errno, "linux.namespaces: open %s namespace `%s`", name, ns->path);
  type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0)
    return tong_err (err, errno == ENOTTY ? 0 : errno,
                     "linux.namespaces: `%s` is not a namespace file (expected a %s namespace, "
                     "such as /proc/PID/ns/%s)",
                     ns->path, name, ns->type == OCI_NS_NETWORK ? "net" : name);
  if (type != oci_ns_info (ns->type)->flag)
    return tong_err (err, 0, "linux.namespaces: `%s` is not a %s namespace", ns->path, name);
  return TAKE_FD (fd);
}

int
ns_open_paths (const struct oci_spec *spec, int fds[OCI_NS_COUNT], tong_error *err)
{
  const struct oci_linux *l = spec->linux_;

  for (int i = 0; i < OCI_NS_COUNT; i++)
    fds[i] = -1;
  for (size_t i = 0; l && i < l->namespaces_len; i++)
    {
      const struct oci_namespace *ns = &l->namespaces[i];
      int fd;

      if (ns->path == NULL)
        continue;
      if ((unsigned) ns->type >= OCI_NS_COUNT)
        {
          ns_close_paths (fds);
          return tong_err (err, 0, "linux.namespaces[%zu]: unknown namespace type", i);
        }
      if (fds[ns->type] >= 0)
        {
          ns_close_paths (fds);
          return tong_err (err, 0, "linux.namespaces: %s namespace given twice",
                           oci_ns_info (ns->type)->name);
        }
      fd = open_namespace (ns, err);
      if (fd < 0)
        {
          ns_close_paths (fds);
          return fd;
        }
      fds[ns->type] = fd;
    }
  return 0;
}

static int
join_one (int fds[OCI_NS_COUNT], int type, unsigned int skip, tong_error *err)
{
  if (fds[type] < 0 || (skip & (1U << type)))
    return 0;
  if (setns (fds[type], oci_ns_info (type)->flag) < 0)
    return tong_err (err, errno, "join the %s namespace", oci_ns_info (type)->name);
  return 0;
}

int
ns_join (int fds[OCI_NS_COUNT], unsigned int skip, tong_error *err)
{
  int r;

  /* The user namespace first: it grants the rights to join the others. */
  r = join_one (fds, OCI_NS_USER, skip, err);
  if (r < 0)
    return r;
  for (int i = 0; i < OCI_NS_COUNT; i++)
    {
      if (i == OCI_NS_USER)
        continue;
      r = join_one (fds, i, skip, err);
      if (r < 0)
        return r;
    }
  return 0;
}

int
ns_write_map (pid_t pid, const char *file, const char *what, const struct oci_id_mapping *maps,
              size_t len, tong_error *err)
{
  _cleanup_free_ char *buf = NULL, *path = NULL;
  _cleanup_close_ int fd = -1;
  size_t size = len * 3 * 12 + 1, used = 0;

  buf = xmalloc (size);
  for (size_t i = 0; i < len; i++)
    used += (size_t) str_format (buf + used, size - used, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
                                 maps[i].container_id, maps[i].host_id, maps[i].size);
  path = xasprintf ("/proc/%d/%s", (int) pid, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return tong_err (err, errno, "open `%s`", path);
  /* The kernel takes the whole map in one write, and only once. */
  if (write (fd, buf, used) != (ssize_t) used)
    return tong_err (err, errno, "write %s to `%s`", what, path);
  return 0;
}

static int
write_id_map (pid_t pid, const char *file, const char *field, const struct oci_id_mapping *maps,
              size_t len, tong_error *err)
{
  _cleanup_free_ char *what = xasprintf ("linux.%s", field);

  if (len == 0)
    return tong_err (err, 0, "linux.%s is empty: a new user namespace needs id mappings", field);
  return ns_write_map (pid, file, what, maps, len, err);
}

/* The one mapping an unprivileged process may write itself: its own id, once. */
static bool
is_own_id_only (const struct oci_id_mapping *maps, size_t len, uint32_t own)
{
  return len == 1 && maps[0].host_id == own && maps[0].size == 1;
}

/* The kernel refuses an unprivileged gid_map while setgroups is allowed. */
static int
deny_setgroups (pid_t pid, tong_error *err)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/setgroups", (int) pid);

  if (write_file_at (AT_FDCWD, path, "deny", 4, err) < 0)
    return tong_err_prefix (err, "map the own gid without privilege");
  return 0;
}

int
ns_write_id_maps (pid_t pid, const struct ns_id_maps *m, tong_error *err)
{
  bool root = geteuid () == 0;
  int r;

  /* As root the maps are written directly; otherwise only one's own uid and
   * gid may be, and any other range goes through the setuid helpers. */
  if (root || is_own_id_only (m->uids, m->n_uids, (uint32_t) geteuid ()))
    r = write_id_map (pid, "uid_map", "uidMappings", m->uids, m->n_uids, err);
  else
    r = idmap_helper_write (pid, "newuidmap", "uidMappings", m->uids, m->n_uids, err);
  if (r < 0)
    return r;
  if (!root && !is_own_id_only (m->gids, m->n_gids, (uint32_t) getegid ()))
    return idmap_helper_write (pid, "newgidmap", "gidMappings", m->gids, m->n_gids, err);
  if (!root)
    {
      r = deny_setgroups (pid, err);
      if (r < 0)
        return r;
    }
  return write_id_map (pid, "gid_map", "gidMappings", m->gids, m->n_gids, err);
}

int
ns_write_time_offsets (pid_t pid, const struct oci_spec *spec, tong_error *err)
{
  const struct oci_linux *l = spec->linux_;
  _cleanup_free_ char *path = NULL;
  _cleanup_close_ int fd = -1;
  char buf[128];
  int len = 0;

  if (l == NULL || (!l->time_offsets_monotonic.present && !l->time_offsets_boottime.present))
    return 0;
  if (l->time_offsets_monotonic.present)
    len += str_format (buf + len, sizeof buf - (size_t) len, "monotonic %" PRId64 " %" PRIu32 "\n",
                       l->time_offsets_monotonic.secs, l->time_offsets_monotonic.nanosecs);
  if (l->time_offsets_boottime.present)
    len += str_format (buf + len, sizeof buf - (size_t) len, "boottime %" PRId64 " %" PRIu32 "\n",
                       l->time_offsets_boottime.secs, l->time_offsets_boottime.nanosecs);
  path = pid > 0 ? xasprintf ("/proc/%d/timens_offsets", (int) pid)
                 : xstrdup ("/proc/self/timens_offsets");
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return tong_err (err, errno, "open `%s` (linux.timeOffsets needs a time namespace)", path);
  if (write (fd, buf, (size_t) len) != (ssize_t) len)
    return tong_err (err, errno, "write linux.timeOffsets to `%s`", path);
  return 0;
}

int
ns_set_uts (const struct oci_spec *spec, tong_error *err)
{
  bool has_uts = find_namespace (spec, OCI_NS_UTS) != NULL;
  const char *host = spec->hostname, *domain = spec->domainname;

  if ((host && *host) || (domain && *domain))
    {
      if (!has_uts)
        return tong_err (err, 0,
                         "%s is set but the container has no uts namespace: add {\"type\": "
                         "\"uts\"} to linux.namespaces",
                         host && *host ? "hostname" : "domainname");
    }
  if (host && *host && sethostname (host, strlen (host)) < 0)
    return tong_err (err, errno, "set the hostname to `%s`", host);
  if (domain && *domain && setdomainname (domain, strlen (domain)) < 0)
    return tong_err (err, errno, "set the domainname to `%s`", domain);
  return 0;
}
