#include "ipam.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "src/base/procfs.h"
#include "src/base/util.h"

/* The file, one record a line:
 *   bridge NAME SUBNET created|existing
 *   lease ID BRIDGE IP PID START_TIME [PROTO:HOSTIP:HOSTPORT:CONTAINERPORT ...] */

static int
parse_port_field (const char *s, struct net_port *p)
{
  char proto[4], ip[INET_ADDRSTRLEN];
  unsigned hp, cp;

  if (sscanf (s, "%3[a-z]:%15[0-9.]:%u:%u", proto, ip, &hp, &cp) != 4
      || inet_pton (AF_INET, ip, &p->host_ip) != 1 || hp < 1 || hp > 65535 || cp < 1 || cp > 65535)
    return -EINVAL;
  if (strcmp (proto, "tcp") == 0)
    p->proto = IPPROTO_TCP;
  else if (strcmp (proto, "udp") == 0)
    p->proto = IPPROTO_UDP;
  else
    return -EINVAL;
  p->host_port = (uint16_t) hp;
  p->container_port = (uint16_t) cp;
  return 0;
}

static int
parse_line (struct ipam *db, char *line)
{
  char *save = NULL, *f[6], *t;
  size_t n = 0;

  while (n < ARRAY_SIZE (f) && (t = strtok_r (n ? NULL : line, " ", &save)))
    f[n++] = t;
  if (n == 0)
    return 0;
  if (strcmp (f[0], "bridge") == 0 && n == 4 && strlen (f[1]) < IFNAMSIZ)
    {
      struct net_subnet s;
      tong_error ignored;
      if (net_subnet_parse (f[2], "subnet", &s, &ignored) < 0)
        return -EINVAL;
      ipam_bridge_add (db, f[1], &s, strcmp (f[3], "created") == 0);
      return 0;
    }
  if (strcmp (f[0], "lease") == 0 && n == 6 && strlen (f[2]) < IFNAMSIZ)
    {
      struct ipam_lease l = { 0 };
      if (inet_pton (AF_INET, f[3], &l.ip) != 1)
        return -EINVAL;
      l.pid = (pid_t) strtol (f[4], NULL, 10);
      l.start_time = strtoull (f[5], NULL, 10);
      while ((t = strtok_r (NULL, " ", &save)))
        {
          l.ports = xrealloc (l.ports, (l.n_ports + 1) * sizeof *l.ports);
          if (parse_port_field (t, &l.ports[l.n_ports]) < 0)
            {
              free (l.ports);
              return -EINVAL;
            }
          l.n_ports++;
        }
      l.id = xstrdup (f[1]);
      strcpy (l.bridge, f[2]);
      db->leases = xrealloc (db->leases, (db->n_leases + 1) * sizeof *db->leases);
      db->leases[db->n_leases++] = l;
      return 0;
    }
  return -EINVAL;
}

int
ipam_open (int rootfd, struct ipam *db, tong_error *err)
{
  _cleanup_free_ char *text = NULL;
  char *save = NULL;
  size_t len;
  int r;

  memset (db, 0, sizeof *db);
  db->rootfd = rootfd;
  db->lockfd = openat (rootfd, IPAM_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (db->lockfd < 0)
    return tong_err (err, errno, "open the address pool's lock %s", IPAM_LOCK);
  while (flock (db->lockfd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        r = tong_err (err, errno, "lock the address pool");
        ipam_close (db);
        return r;
      }
  r = read_file_if_exists_at (rootfd, IPAM_FILE, &text, &len, err);
  if (r < 0)
    {
      ipam_close (db);
      return r;
    }
  if (!text)
    return 0;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      _cleanup_free_ char *copy = xstrdup (line);
      if (parse_line (db, line) < 0)
        {
          r = tong_err (err, 0,
                        "the address pool %s in the state root is corrupt at \"%s\"; "
                        "with no container on the network, remove the file",
                        IPAM_FILE, copy);
          ipam_close (db);
          return r;
        }
    }
  return 0;
}

static void append (char **buf, size_t *len, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
append (char **buf, size_t *len, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = str_vformat (NULL, 0, fmt, ap);
  va_end (ap);
  *buf = xrealloc (*buf, *len + (size_t) n + 1);
  va_start (ap, fmt);
  str_vformat (*buf + *len, (size_t) n + 1, fmt, ap);
  va_end (ap);
  *len += (size_t) n;
}

int
ipam_save (struct ipam *db, tong_error *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;

  if (db->n_bridges == 0 && db->n_leases == 0)
    {
      if (unlinkat (db->rootfd, IPAM_FILE, 0) < 0 && errno != ENOENT)
        return tong_err (err, errno, "remove the empty address pool %s", IPAM_FILE);
      return 0;
    }
  append (&buf, &len, "%s", "");
  for (size_t i = 0; i < db->n_bridges; i++)
    {
      char s[32];
      net_subnet_format (&db->bridges[i].subnet, s, sizeof s);
      append (&buf, &len, "bridge %s %s %s\n", db->bridges[i].name, s,
              db->bridges[i].created ? "created" : "existing");
    }
  for (size_t i = 0; i < db->n_leases; i++)
    {
      const struct ipam_lease *l = &db->leases[i];
      char ip[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &l->ip, ip, sizeof ip);
      append (&buf, &len, "lease %s %s %s %d %llu", l->id, l->bridge, ip, (int) l->pid,
              l->start_time);
      for (size_t j = 0; j < l->n_ports; j++)
        {
          char hip[INET_ADDRSTRLEN];
          inet_ntop (AF_INET, &l->ports[j].host_ip, hip, sizeof hip);
          append (&buf, &len, " %s:%s:%u:%u", l->ports[j].proto == IPPROTO_UDP ? "udp" : "tcp", hip,
                  l->ports[j].host_port, l->ports[j].container_port);
        }
      append (&buf, &len, "\n");
    }
  return write_file_atomic_at (db->rootfd, IPAM_FILE, buf, len, 0600, err);
}

void
ipam_close (struct ipam *db)
{
  for (size_t i = 0; i < db->n_leases; i++)
    {
      free (db->leases[i].id);
      free (db->leases[i].ports);
    }
  free (db->leases);
  free (db->bridges);
  if (db->lockfd >= 0)
    close (db->lockfd); /* releases the flock */
  memset (db, 0, sizeof *db);
  db->lockfd = -1;
}

bool
ipam_lease_stale (const struct ipam *db, const struct ipam_lease *l)
{
  struct stat st;

  if (fstatat (db->rootfd, l->id, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
    return true;
  return proc_start_time (l->pid) != l->start_time;
}

struct ipam_bridge *
ipam_bridge_find (struct ipam *db, const char *name)
{
  for (size_t i = 0; i < db->n_bridges; i++)
    if (strcmp (db->bridges[i].name, name) == 0)
      return &db->bridges[i];
  return NULL;
}

void
ipam_bridge_add (struct ipam *db, const char *name, const struct net_subnet *s, bool created)
{
  struct ipam_bridge *b;

  db->bridges = xrealloc (db->bridges, (db->n_bridges + 1) * sizeof *db->bridges);
  b = &db->bridges[db->n_bridges++];
  memset (b, 0, sizeof *b);
  str_format (b->name, sizeof b->name, "%s", name);
  b->subnet = *s;
  b->created = created;
}

void
ipam_bridge_remove (struct ipam *db, const char *name)
{
  for (size_t i = 0; i < db->n_bridges; i++)
    if (strcmp (db->bridges[i].name, name) == 0)
      {
        db->bridges[i] = db->bridges[--db->n_bridges];
        return;
      }
}

size_t
ipam_bridge_users (const struct ipam *db, const char *name)
{
  size_t n = 0;
  for (size_t i = 0; i < db->n_leases; i++)
    n += strcmp (db->leases[i].bridge, name) == 0;
  return n;
}

static const struct ipam_lease *
lease_of_address (const struct ipam *db, const char *bridge, uint32_t host_order)
{
  for (size_t i = 0; i < db->n_leases; i++)
    if (strcmp (db->leases[i].bridge, bridge) == 0 && ntohl (db->leases[i].ip.s_addr) == host_order)
      return &db->leases[i];
  return NULL;
}

static int
check_ports (const struct ipam *db, const struct net_port *ports, size_t n, tong_error *err)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < db->n_leases; j++)
      for (size_t k = 0; k < db->leases[j].n_ports; k++)
        {
          const struct net_port *a = &ports[i], *b = &db->leases[j].ports[k];
          if (a->proto == b->proto && a->host_port == b->host_port
              && (a->host_ip.s_addr == INADDR_ANY || b->host_ip.s_addr == INADDR_ANY
                  || a->host_ip.s_addr == b->host_ip.s_addr))
            return tong_err (err, 0, "host port %u/%s is already published by container %s",
                             a->host_port, a->proto == IPPROTO_UDP ? "udp" : "tcp",
                             db->leases[j].id);
        }
  return 0;
}

int
ipam_lease_take (struct ipam *db, const char *id, const struct ipam_bridge *b,
                 const struct in_addr *want, const struct net_port *ports, size_t n_ports,
                 pid_t pid, unsigned long long start_time, struct in_addr *out, tong_error *err)
{
  uint32_t net = ntohl (b->subnet.addr.s_addr);
  uint32_t last = net | ~net_subnet_mask (b->subnet.prefix); /* broadcast */
  uint32_t gw = net + 1, pick = 0;
  char s[32];
  struct ipam_lease l = { 0 };
  int r;

  net_subnet_format (&b->subnet, s, sizeof s);
  r = check_ports (db, ports, n_ports, err);
  if (r < 0)
    return r;
  if (want)
    {
      uint32_t w = ntohl (want->s_addr);
      const struct ipam_lease *other;
      if (!net_subnet_contains (&b->subnet, *want))
        return tong_err (err, 0, "%s %s is not in the subnet %s of bridge %s", NET_KEY_IP,
                         inet_ntoa (*want), s, b->name);
      if (w == net || w == last || w == gw)
        return tong_err (err, 0, "%s %s is the %s of %s; choose another address", NET_KEY_IP,
                         inet_ntoa (*want),
                         w == net  ? "network address"
                         : w == gw ? "gateway"
                                   : "broadcast address",
                         s);
      other = lease_of_address (db, b->name, w);
      if (other)
        return tong_err (err, 0, "%s %s is taken by container %s", NET_KEY_IP, inet_ntoa (*want),
                         other->id);
      pick = w;
    }
  else
    {
      for (uint32_t a = gw + 1; a < last && !pick; a++)
        if (!lease_of_address (db, b->name, a))
          pick = a;
      if (!pick)
        return tong_err (err, 0,
                         "no free address in %s on bridge %s: all %u are leased; "
                         "delete a container or choose a larger %s",
                         s, b->name, last - gw - 1, NET_KEY_SUBNET);
    }
  l.id = xstrdup (id);
  str_format (l.bridge, sizeof l.bridge, "%s", b->name);
  l.ip.s_addr = htonl (pick);
  l.pid = pid;
  l.start_time = start_time;
  if (n_ports)
    {
      l.ports = xcalloc (n_ports, sizeof *l.ports);
      memcpy (l.ports, ports, n_ports * sizeof *l.ports);
      l.n_ports = n_ports;
    }
  db->leases = xrealloc (db->leases, (db->n_leases + 1) * sizeof *db->leases);
  db->leases[db->n_leases++] = l;
  *out = l.ip;
  return 0;
}

struct ipam_lease *
ipam_lease_find (struct ipam *db, const char *id)
{
  for (size_t i = 0; i < db->n_leases; i++)
    if (strcmp (db->leases[i].id, id) == 0)
      return &db->leases[i];
  return NULL;
}

void
ipam_lease_remove (struct ipam *db, const char *id)
{
  for (size_t i = 0; i < db->n_leases; i++)
    if (strcmp (db->leases[i].id, id) == 0)
      {
        free (db->leases[i].id);
        free (db->leases[i].ports);
        db->leases[i] = db->leases[--db->n_leases];
        return;
      }
}
