#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>

#include "src/base/log.h"
#include "src/netns/annotations.h"
#include "src/netns/ipam.h"
#include "src/netns/link.h"
#include "src/netns/nat.h"
#include "src/netns/nl-lib.h"
#include "src/netns/pasta.h"
#include "src/base/procfs.h"
#include "src/base/util.h"
#include "oci/json-tree.h"

#define CONTAINER_IFNAME "eth0"

/* The host end of a container's veth: "vtong" and a hash of its id, so that
 * it is known from the id alone (a stale lease has nothing else). */
static void
veth_name (const char *id, char buf[IFNAMSIZ])
{
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *) id; *p; p++)
    h = (h ^ *p) * 16777619u;
  str_format (buf, IFNAMSIZ, "vtong%08x", h);
}

static unsigned long long
netns_inode (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 ? (unsigned long long) st.st_ino : 0;
}

/* Undo everything of container id, with the pool locked.  act: links and
 * rules are in this network namespace (else only the records go). */
static int
undo_locked (struct ipam *db, const char *id, bool act, tong_error *err)
{
  struct ipam_lease *l = ipam_lease_find (db, id);
  char veth[IFNAMSIZ], bridge[IFNAMSIZ] = "";
  int r;

  veth_name (id, veth);
  if (act)
    {
      r = nat_remove (id, err);
      if (r == 0)
        r = link_delete (veth, err);
      if (r < 0)
        return r;
    }
  if (l)
    {
      str_format (bridge, sizeof bridge, "%s", l->bridge);
      ipam_lease_remove (db, id);
    }
  if (bridge[0] && ipam_bridge_users (db, bridge) == 0)
    {
      struct ipam_bridge *b = ipam_bridge_find (db, bridge);
      unsigned ports = 0;
      /* Ports of no lease here: containers of another state root use it. */
      if (b && b->created && act)
        {
          r = link_bridge_ports (bridge, &ports, err);
          if (r == 0 && ports == 0)
            r = link_delete (bridge, err);
          if (r < 0)
            return r;
        }
      ipam_bridge_remove (db, bridge);
    }
  return act ? nat_table_remove (err) : 0;
}

static int
reclaim_stale (struct ipam *db, tong_error *err)
{
  size_t before = db->n_leases;

  for (size_t i = 0; i < db->n_leases;)
    {
      _cleanup_free_ char *id = NULL;
      int r;
      if (!ipam_lease_stale (db, &db->leases[i]))
        {
          i++;
          continue;
        }
      id = xstrdup (db->leases[i].id);
      log_debug ("reclaiming the stale network lease of container %s", id);
      r = undo_locked (db, id, true, err);
      if (r < 0)
        return tong_err_prefix (err, "reclaim the stale lease of container %s", id);
    }
  /* Kept even if this create fails later. */
  return db->n_leases < before ? ipam_save (db, err) : 0;
}

static bool
subnet_used_by_tong (const struct ipam *db, const struct net_subnet *s)
{
  for (size_t i = 0; i < db->n_bridges; i++)
    if (net_subnets_overlap (&db->bridges[i].subnet, s))
      return true;
  return false;
}

/* The first 10.89.N.0/24 that no route of the host and no network of tong's
 * overlaps (10.88.0.0/16 is podman's default). */
static int
default_subnet (const struct ipam *db, const char *bridge, const struct in_addr *want,
                struct net_subnet *out, tong_error *err)
{
  for (unsigned n = 0; n < 256; n++)
    {
      struct net_subnet s = { { htonl (0x0a590000u | (n << 8)) }, 24 };
      char found[128];
      int r;
      /* a static address picks its /24 */
      if (subnet_used_by_tong (db, &s) || (want && !net_subnet_contains (&s, *want)))
        continue;
      r = link_route_overlap (&s, bridge, found, sizeof found, err);
      if (r < 0)
        return r;
      if (r == 0)
        {
          *out = s;
          return 0;
        }
    }
  return tong_err (err, 0,
                   "no free default subnet: every /24 of 10.89.0.0/16 %soverlaps a route "
                   "of the host or a network of tong's; set %s",
                   want ? "that holds org.tong.net.ip " : "", NET_KEY_SUBNET);
}

/* The network (bridge and subnet) the container joins, recorded in the pool. */
static int
resolve_network (struct ipam *db, const struct net_config *c, struct ipam_bridge **out,
                 tong_error *err)
{
  struct ipam_bridge *b = ipam_bridge_find (db, c->bridge);
  struct net_subnet s;
  char want[32], have[32], found[128];
  bool exists = link_exists (c->bridge);
  int r;

  if (b)
    {
      if (c->subnet_set
          && (c->subnet.addr.s_addr != b->subnet.addr.s_addr
              || c->subnet.prefix != b->subnet.prefix))
        {
          net_subnet_format (&c->subnet, want, sizeof want);
          net_subnet_format (&b->subnet, have, sizeof have);
          return tong_err (err, 0,
                           "%s %s differs from the subnet %s of bridge %s, which its "
                           "containers use: leave it out, or choose another %s",
                           NET_KEY_SUBNET, want, have, c->bridge, NET_KEY_BRIDGE);
        }
      if (!exists)
        b->created = true; /* removed behind tong's back: made anew, and removed with it */
      *out = b;
      return 0;
    }
  if (!c->subnet_set)
    {
      r = default_subnet (db, exists ? c->bridge : NULL, c->ip_set ? &c->ip : NULL, &s, err);
      if (r < 0)
        return r;
    }
  else
    {
      s = c->subnet;
      net_subnet_format (&s, want, sizeof want);
      r = link_route_overlap (&s, exists ? c->bridge : NULL, found, sizeof found, err);
      if (r < 0)
        return r;
      if (r > 0)
        return tong_err (err, 0, "%s %s collides with %s on the host: choose another subnet",
                         NET_KEY_SUBNET, want, found);
      for (size_t i = 0; i < db->n_bridges; i++)
        if (net_subnets_overlap (&db->bridges[i].subnet, &s))
          {
            net_subnet_format (&db->bridges[i].subnet, have, sizeof have);
            return tong_err (err, 0,
                             "%s %s collides with %s of tong's bridge %s: choose "
                             "another subnet",
                             NET_KEY_SUBNET, want, have, db->bridges[i].name);
          }
    }
  ipam_bridge_add (db, c->bridge, &s, !exists);
  *out = &db->bridges[db->n_bridges - 1];
  return 0;
}

/* A host port that a program of the host holds cannot be published. */
static int
check_port_free (const struct net_port *p, tong_error *err)
{
  bool tcp = p->proto == IPPROTO_TCP;
  _cleanup_close_ int fd = socket (AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa
      = { .sin_family = AF_INET, .sin_port = htons (p->host_port), .sin_addr = p->host_ip };

  if (fd < 0)
    return tong_err (err, errno, "check host port %u/%s", p->host_port, tcp ? "tcp" : "udp");
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) == 0)
    return 0;
  if (errno == EADDRINUSE)
    return tong_err (err, 0,
                     "host port %s:%u/%s is in use on the host: choose another port "
                     "in %s",
                     inet_ntoa (p->host_ip), p->host_port, tcp ? "tcp" : "udp", NET_KEY_PUBLISH);
  if (errno == EADDRNOTAVAIL)
    return tong_err (err, 0, "%s: %s is not an address of this host", NET_KEY_PUBLISH,
                     inet_ntoa (p->host_ip));
  return tong_err (err, errno, "check host port %u/%s", p->host_port, tcp ? "tcp" : "udp");
}

static int
write_record (int dirfd, const char *bridge, const char *veth, struct in_addr ip,
              const struct net_subnet *s, unsigned long long netns, tong_error *err)
{
  char a[INET_ADDRSTRLEN], sub[32];
  _cleanup_free_ char *json = NULL;

  inet_ntop (AF_INET, &ip, a, sizeof a);
  net_subnet_format (s, sub, sizeof sub);
  json = xasprintf ("{\"bridge\":\"%s\",\"veth\":\"%s\",\"ip\":\"%s\",\"subnet\":\"%s\","
                    "\"netns\":%llu}\n",
                    bridge, veth, a, sub, netns);
  return write_file_atomic_at (dirfd, NET_STATE_FILE, json, strlen (json), 0600, err);
}

/* Inside the container's network namespace: eth0's address, up, default route. */
static int
configure_inside (int netns_fd, struct in_addr ip, const struct net_subnet *s, tong_error *err)
{
  int back = -1, r;
  tong_error ignored;

  r = link_netns_enter (netns_fd, &back, err);
  if (r < 0)
    return r;
  r = link_addr_add (CONTAINER_IFNAME, ip, s->prefix, err);
  if (r == 0)
    r = link_set_up (CONTAINER_IFNAME, NULL, err);
  if (r == 0)
    r = link_route_default (CONTAINER_IFNAME, net_subnet_gateway (s), err);
  if (r < 0)
    {
      /* Being back in the host's namespace matters more than this error's text. */
      if (link_netns_leave (&back, &ignored) < 0)
        abort ();
      return r;
    }
  return link_netns_leave (&back, err);
}

/* Make the links and rules the pool now records for container id. */
static int
connect_container (const struct ipam_bridge *b, const struct net_config *c, const char *id,
                   const char *veth, struct in_addr ip, pid_t pid, tong_error *err)
{
  _cleanup_free_ char *nspath = xasprintf ("/proc/%d/ns/net", (int) pid);
  _cleanup_free_ char *localnet = NULL;
  _cleanup_close_ int netns_fd = -1;
  int r;

  if (!link_exists (b->name))
    {
      r = link_bridge_create (b->name, err);
      if (r < 0)
        return r;
    }
  r = link_addr_add (b->name, net_subnet_gateway (&b->subnet), b->subnet.prefix, err);
  if (r == 0)
    r = link_set_up (b->name, NULL, err);
  if (r == 0)
    r = link_sysctl ("/proc/sys/net/ipv4/ip_forward", "1", err);
  if (r == 0 && c->n_ports)
    {
      /* 127.0.0.1:PORT is DNATed out of the bridge, which the kernel refuses
       * for loopback addresses unless route_localnet is on. */
      localnet = xasprintf ("/proc/sys/net/ipv4/conf/%s/route_localnet", b->name);
      r = link_sysctl (localnet, "1", err);
    }
  if (r < 0)
    return r;

  netns_fd = open (nspath, O_RDONLY | O_CLOEXEC);
  if (netns_fd < 0)
    return tong_err (err, errno, "open %s", nspath);
  r = link_veth_create (veth, CONTAINER_IFNAME, netns_fd, c->mtu, err);
  if (r == 0)
    r = link_set_up (veth, b->name, err);
  if (r == 0)
    r = configure_inside (netns_fd, ip, &b->subnet, err);
  if (r == 0)
    r = nat_remove (id, err); /* chains a crash may have left */
  if (r == 0)
    r = nat_add (id, ip, &b->subnet, c->ports, c->n_ports, err);
  return r;
}

static int
check_request (bool new_netns, pid_t pid, tong_error *err)
{
  _cleanup_free_ char *nspath = xasprintf ("/proc/%d/ns/net", (int) pid);

  if (!new_netns)
    return tong_err (err, 0,
                     "%s=bridge needs a network namespace that tong creates: add "
                     "{\"type\": \"network\"} without a path to linux.namespaces "
                     "(a namespace given by path is left alone)",
                     NET_KEY_MODE);
  if (geteuid () != 0)
    return tong_err (err, 0,
                     "%s=bridge needs root: it creates links and nftables rules in "
                     "the host's network namespace",
                     NET_KEY_MODE);
  /* With a user namespace joined by path, the init unshares its network
   * namespace later: there is none of its own to connect yet. */
  if (netns_inode (nspath) == netns_inode ("/proc/self/ns/net"))
    return tong_err (err, 0,
                     "%s=bridge: the container's network namespace is not created "
                     "before its init runs (a user namespace joined by path); not "
                     "supported",
                     NET_KEY_MODE);
  return 0;
}

/* org.tong.net.mode=pasta: pasta serves the container's namespace; its pid
 * is recorded before anything else can fail, so that delete stops it. */
static int
setup_pasta (int dirfd, const struct net_config *c, bool new_netns, pid_t pid, tong_error *err)
{
  _cleanup_free_ char *json = NULL;
  char dir[64], state_dir[4096];
  unsigned long long start;
  pid_t daemon = -1;
  tong_error ignored;
  ssize_t n;
  int r;

  if (!new_netns)
    return tong_err (err, 0,
                     "%s=pasta needs a network namespace that tong creates: add "
                     "{\"type\": \"network\"} without a path to linux.namespaces",
                     NET_KEY_MODE);
  if (geteuid () == 0 && !in_user_namespace ())
    return tong_err (err, 0,
                     "%s=pasta is for containers of users other than root (pasta will not run "
                     "as root): as root use %s=bridge",
                     NET_KEY_MODE, NET_KEY_MODE);
  for (size_t i = 0; i < c->n_ports; i++)
    {
      r = check_port_free (&c->ports[i], err);
      if (r < 0)
        return r;
    }
  str_format (dir, sizeof dir, "/proc/self/fd/%d", dirfd);
  n = readlink (dir, state_dir, sizeof state_dir - 1);
  if (n < 0)
    return tong_err (err, errno, "readlink %s", dir);
  state_dir[n] = '\0';
  r = pasta_start (c, pid, state_dir, &daemon, err);
  if (r < 0)
    return r;
  start = proc_start_time (daemon);
  json = xasprintf ("{\"pasta\":%d,\"pasta_start\":%llu}\n", (int) daemon, start);
  r = write_file_atomic_at (dirfd, NET_STATE_FILE, json, strlen (json), 0600, err);
  if (r < 0)
    pasta_stop (daemon, start, &ignored);
  return r;
}

/* The container's net.json, parsed: 1 (*root is NULL if it does not
 * parse), or 0 when there is none (most containers). */
static int
read_record (int dirfd, yajl_val *root, tong_error *err)
{
  _cleanup_free_ char *text = NULL;
  char errbuf[128];
  size_t off;
  int r = read_file_if_exists_at (dirfd, NET_STATE_FILE, &text, NULL, err);

  *root = NULL;
  if (r < 0 || !text)
    return r;
  *root = json_tree_parse (text, strlen (text), errbuf, sizeof errbuf, &off);
  return 1;
}

/* The pid of the pasta a record names, or NULL: a bridge's record. */
static yajl_val
record_pasta (yajl_val root)
{
  const char *pid_path[] = { "pasta", NULL };
  yajl_val pid = root ? yajl_tree_get (root, pid_path, yajl_t_number) : NULL;

  return pid && YAJL_IS_INTEGER (pid) ? pid : NULL;
}

/* Stop the pasta of a net.json that names one; 1 if it did, 0 if the record
 * is a bridge's. */
static int
teardown_pasta (yajl_val root, tong_error *err)
{
  const char *start_path[] = { "pasta_start", NULL };
  yajl_val pid = record_pasta (root);
  yajl_val start = root ? yajl_tree_get (root, start_path, yajl_t_number) : NULL;
  int r;

  if (!pid)
    return 0;
  r = pasta_stop (
      (pid_t) YAJL_GET_INTEGER (pid),
      start && YAJL_IS_INTEGER (start) ? (unsigned long long) YAJL_GET_INTEGER (start) : 0, err);
  return r < 0 ? r : 1;
}

bool
net_setup_needs_libraries (const struct oci_map *annotations)
{
  struct net_config c;
  tong_error ignored;
  bool bridge;

  if (net_config_parse (annotations, &c, &ignored) < 0)
    return false;
  bridge = c.mode == NET_MODE_BRIDGE;
  net_config_clear (&c);
  return bridge;
}

bool
net_teardown_needs_libraries (int dirfd)
{
  tong_error ignored;
  yajl_val root;
  bool bridge;

  if (read_record (dirfd, &root, &ignored) <= 0)
    return false;
  bridge = !record_pasta (root);
  yajl_tree_free (root);
  return bridge;
}

int
net_setup (int rootfd, int dirfd, const char *id, const struct oci_map *annotations, bool new_netns,
           pid_t pid, unsigned long long start_time, char leased[NET_ADDR_LEN], tong_error *err)
{
  struct net_config c;
  struct ipam db;
  struct ipam_bridge *b = NULL;
  struct in_addr ip;
  char veth[IFNAMSIZ], bridge[IFNAMSIZ];
  struct net_subnet subnet;
  tong_error ignored;
  int r;

  leased[0] = '\0';
  r = net_config_parse (annotations, &c, err);
  if (r < 0)
    return r;
  if (c.mode == NET_MODE_NONE)
    return 0;
  if (c.mode == NET_MODE_PASTA)
    {
      r = setup_pasta (dirfd, &c, new_netns, pid, err);
      net_config_clear (&c);
      return r;
    }
  r = check_request (new_netns, pid, err);
  if (r == 0)
    r = nl_lib_load (err);
  if (r < 0)
    goto out_config;
  r = ipam_open (rootfd, &db, err);
  if (r < 0)
    goto out_config;
  r = reclaim_stale (&db, err);
  if (r == 0)
    r = resolve_network (&db, &c, &b, err);
  for (size_t i = 0; r == 0 && i < c.n_ports; i++)
    r = check_port_free (&c.ports[i], err);
  if (r == 0)
    r = ipam_lease_take (&db, id, b, c.ip_set ? &c.ip : NULL, c.ports, c.n_ports, pid, start_time,
                         &ip, err);
  if (r != 0)
    goto out_db; /* nothing made, nothing saved */

  /* Recorded before anything is made, so that a crash leaves what delete needs. */
  veth_name (id, veth);
  subnet = b->subnet;
  str_format (bridge, sizeof bridge, "%s", b->name);
  r = write_record (dirfd, bridge, veth, ip, &subnet, netns_inode ("/proc/self/ns/net"), err);
  if (r == 0)
    r = ipam_save (&db, err);
  if (r == 0)
    r = connect_container (b, &c, id, veth, ip, pid, err);
  if (r == 0)
    r = ipam_save (&db, err); /* a bridge made anew */
  if (r < 0)
    {
      if (undo_locked (&db, id, true, &ignored) == 0)
        ipam_save (&db, &ignored);
      unlinkat (dirfd, NET_STATE_FILE, 0);
      goto out_db;
    }
  inet_ntop (AF_INET, &ip, leased, NET_ADDR_LEN);
out_db:
  ipam_close (&db);
out_config:
  net_config_clear (&c);
  return r;
}

int
net_teardown (int rootfd, int dirfd, const char *id, tong_error *err)
{
  const char *path[] = { "netns", NULL };
  unsigned long long netns = 0;
  yajl_val root, v;
  struct ipam db;
  bool act;
  int r;

  r = read_record (dirfd, &root, err);
  if (r <= 0)
    return r;
  r = teardown_pasta (root, err);
  if (r != 0)
    {
      yajl_tree_free (root);
      if (r < 0)
        return tong_err_prefix (err, "remove the network of container %s", id);
      if (unlinkat (dirfd, NET_STATE_FILE, 0) < 0 && errno != ENOENT)
        return tong_err (err, errno, "remove %s of container %s", NET_STATE_FILE, id);
      return 0;
    }
  v = root ? yajl_tree_get (root, path, yajl_t_number) : NULL;
  if (v && YAJL_IS_INTEGER (v))
    netns = (unsigned long long) YAJL_GET_INTEGER (v);
  yajl_tree_free (root);
  /* Links and rules live in the network namespace tong ran in at create;
   * from another one, only the records can go. */
  act = netns != 0 && netns == netns_inode ("/proc/self/ns/net");
  if (!act)
    log_warning ("container %s was connected from another network namespace: its bridge, "
                 "veth and nftables rules there are left alone; its lease is released",
                 id);
  if (act)
    {
      r = nl_lib_load (err);
      if (r < 0)
        return r;
    }
  r = ipam_open (rootfd, &db, err);
  if (r < 0)
    return r;
  r = undo_locked (&db, id, act, err);
  if (r == 0)
    r = ipam_save (&db, err);
  ipam_close (&db);
  if (r < 0)
    return tong_err_prefix (err, "remove the network of container %s", id);
  if (unlinkat (dirfd, NET_STATE_FILE, 0) < 0 && errno != ENOENT)
    return tong_err (err, errno, "remove %s of container %s", NET_STATE_FILE, id);
  return 0;
}
