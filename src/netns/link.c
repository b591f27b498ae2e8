#include "link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "src/netns/nl-lib.h"
#include "src/base/util.h"

/* Large enough for the biggest message of a dump, as libmnl advises. */
#define NL_DUMP_BUFFER_SIZE 32768

static void
mnl_closep (struct mnl_socket **s)
{
  if (*s)
    nl_lib.mnl_socket_close (*s);
}
#define _cleanup_mnl_ __attribute__ ((cleanup (mnl_closep)))

static struct mnl_socket *
rtnl_open (void)
{
  struct mnl_socket *s = nl_lib.mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (s && nl_lib.mnl_socket_bind (s, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      int e = errno;
      nl_lib.mnl_socket_close (s);
      errno = e;
      return NULL;
    }
  return s;
}

/* Send one request and read until its ack (or the end of a dump), feeding
 * data messages to cb.  Returns 0 or -errno (the kernel's answer). */
static int
rtnl_talk (struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
  _cleanup_mnl_ struct mnl_socket *s = rtnl_open ();
  char buf[NL_DUMP_BUFFER_SIZE];
  unsigned portid, seq;
  ssize_t n;
  int r;

  if (!s)
    return -errno;
  portid = nl_lib.mnl_socket_get_portid (s);
  seq = nlh->nlmsg_seq = (unsigned) time (NULL);
  if (nl_lib.mnl_socket_sendto (s, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  do
    {
      n = nl_lib.mnl_socket_recvfrom (s, buf, sizeof buf);
      if (n < 0)
        return -errno;
      r = nl_lib.mnl_cb_run (buf, (size_t) n, seq, portid, cb, data);
    }
  while (r > 0);
  return r < 0 ? -errno : 0;
}

static struct nlmsghdr *
link_msg (char *buf, int type, int flags, const char *name)
{
  struct nlmsghdr *nlh = nl_lib.mnl_nlmsg_put_header (buf);
  struct ifinfomsg *ifi;

  nlh->nlmsg_type = (uint16_t) type;
  nlh->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | NLM_F_ACK | flags);
  ifi = nl_lib.mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  if (name)
    nl_lib.mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  return nlh;
}

bool
link_exists (const char *name)
{
  return if_nametoindex (name) != 0;
}

int
link_bridge_create (const char *name, tong_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name);
  struct nlattr *info;
  unsigned char mac[6];
  int r;

  /* A MAC of its own: without one a bridge takes its ports' lowest, which
   * changes as containers come and go and leaves stale gateway entries in
   * the ARP caches of the others. */
  if (getrandom (mac, sizeof mac, 0) != (ssize_t) sizeof mac)
    return tong_err (err, errno, "create bridge %s: random MAC address", name);
  mac[0] = (unsigned char) ((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
  nl_lib.mnl_attr_put (nlh, IFLA_ADDRESS, sizeof mac, mac);
  info = nl_lib.mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  nl_lib.mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "bridge");
  nl_lib.mnl_attr_nest_end (nlh, info);
  r = rtnl_talk (nlh, NULL, NULL);
  if (r < 0)
    return tong_err (err, -r, "create bridge %s", name);
  return 0;
}

int
link_veth_create (const char *host, const char *peer, int netns_fd, unsigned mtu, tong_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, host);
  struct nlattr *info, *data, *peer_nest;
  struct ifinfomsg *pifi;
  int r;

  nl_lib.mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  info = nl_lib.mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  nl_lib.mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  data = nl_lib.mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  peer_nest = nl_lib.mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  /* The peer's attributes follow an ifinfomsg of its own. */
  pifi = nl_lib.mnl_nlmsg_get_payload_tail (nlh);
  memset (pifi, 0, sizeof *pifi);
  pifi->ifi_family = AF_UNSPEC;
  nlh->nlmsg_len += MNL_ALIGN (sizeof *pifi);
  nl_lib.mnl_attr_put_strz (nlh, IFLA_IFNAME, peer);
  nl_lib.mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  nl_lib.mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t) netns_fd);
  nl_lib.mnl_attr_nest_end (nlh, peer_nest);
  nl_lib.mnl_attr_nest_end (nlh, data);
  nl_lib.mnl_attr_nest_end (nlh, info);
  r = rtnl_talk (nlh, NULL, NULL);
  if (r == -EEXIST)
    return tong_err (err, EEXIST,
                     "create veth pair %s: a link of that name exists (left by "
                     "another container? delete it, or that container)",
                     host);
  if (r < 0)
    return tong_err (err, -r, "create veth pair %s/%s", host, peer);
  return 0;
}

int
link_set_up (const char *name, const char *master, tong_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_NEWLINK, 0, name);
  struct ifinfomsg *ifi = nl_lib.mnl_nlmsg_get_payload (nlh);
  int r;

  ifi->ifi_change = IFF_UP;
  ifi->ifi_flags = IFF_UP;
  if (master)
    {
      unsigned idx = if_nametoindex (master);
      if (idx == 0)
        return tong_err (err, errno, "attach %s to bridge %s", name, master);
      nl_lib.mnl_attr_put_u32 (nlh, IFLA_MASTER, idx);
    }
  r = rtnl_talk (nlh, NULL, NULL);
  if (r < 0)
    return master ? tong_err (err, -r, "attach %s to bridge %s and bring it up", name, master)
                  : tong_err (err, -r, "bring up %s", name);
  return 0;
}

int
link_delete (const char *name, tong_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_DELLINK, 0, name);
  int r = rtnl_talk (nlh, NULL, NULL);

  if (r < 0 && r != -ENODEV)
    return tong_err (err, -r, "delete link %s", name);
  return 0;
}

struct port_count
{
  unsigned master;
  unsigned n;
};

static int
link_attr_cb (const struct nlattr *a, void *data)
{
  const struct nlattr **tb = data;

  if (nl_lib.mnl_attr_type_valid (a, IFLA_MAX) < 0)
    return MNL_CB_OK;
  if (nl_lib.mnl_attr_get_type (a) == IFLA_MASTER && nl_lib.mnl_attr_validate (a, MNL_TYPE_U32) < 0)
    return MNL_CB_OK;
  tb[nl_lib.mnl_attr_get_type (a)] = a;
  return MNL_CB_OK;
}

static int
port_cb (const struct nlmsghdr *nlh, void *data)
{
  struct port_count *pc = data;
  const struct nlattr *tb[IFLA_MAX + 1] = { 0 };

  nl_lib.mnl_attr_parse (nlh, sizeof (struct ifinfomsg), link_attr_cb, tb);
  if (tb[IFLA_MASTER] && nl_lib.mnl_attr_get_u32 (tb[IFLA_MASTER]) == pc->master)
    pc->n++;
  return MNL_CB_OK;
}

int
link_bridge_ports (const char *name, unsigned *n, tong_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_lib.mnl_nlmsg_put_header (buf);
  struct ifinfomsg *ifi;
  struct port_count pc = { if_nametoindex (name), 0 };
  int r;

  *n = 0;
  if (pc.master == 0)
    return 0;
  nlh->nlmsg_type = RTM_GETLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  ifi = nl_lib.mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  r = rtnl_talk (nlh, port_cb, &pc);
  if (r < 0)
    return tong_err (err, -r, "list the ports of bridge %s", name);
  *n = pc.n;
  return 0;
}

int
link_addr_add (const char *name, struct in_addr addr, unsigned prefix, tong_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_lib.mnl_nlmsg_put_header (buf);
  struct ifaddrmsg *ifa;
  unsigned idx = if_nametoindex (name);
  int r;

  if (idx == 0)
    return tong_err (err, errno, "add address %s/%u to %s", inet_ntoa (addr), prefix, name);
  nlh->nlmsg_type = RTM_NEWADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  ifa = nl_lib.mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = (unsigned char) prefix;
  ifa->ifa_index = idx;
  nl_lib.mnl_attr_put_u32 (nlh, IFA_LOCAL, addr.s_addr);
  nl_lib.mnl_attr_put_u32 (nlh, IFA_ADDRESS, addr.s_addr);
  r = rtnl_talk (nlh, NULL, NULL);
  if (r < 0 && r != -EEXIST)
    return tong_err (err, -r, "add address %s/%u to %s", inet_ntoa (addr), prefix, name);
  return 0;
}

int
link_route_default (const char *name, struct in_addr gw, tong_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_lib.mnl_nlmsg_put_header (buf);
  struct rtmsg *rtm;
  unsigned idx = if_nametoindex (name);
  int r;

  if (idx == 0)
    return tong_err (err, errno, "add default route on %s", name);
  nlh->nlmsg_type = RTM_NEWROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  rtm = nl_lib.mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  rtm->rtm_family = AF_INET;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  nl_lib.mnl_attr_put_u32 (nlh, RTA_GATEWAY, gw.s_addr);
  nl_lib.mnl_attr_put_u32 (nlh, RTA_OIF, idx);
  r = rtnl_talk (nlh, NULL, NULL);
  if (r < 0)
    return tong_err (err, -r, "add default route via %s on %s", inet_ntoa (gw), name);
  return 0;
}

struct overlap_search
{
  const struct net_subnet *want;
  unsigned skip_idx;
  bool found;
  char *buf;
  size_t len;
};

static int
route_attr_cb (const struct nlattr *a, void *data)
{
  const struct nlattr **tb = data;
  int type = nl_lib.mnl_attr_get_type (a);

  if (nl_lib.mnl_attr_type_valid (a, RTA_MAX) < 0)
    return MNL_CB_OK;
  if ((type == RTA_DST || type == RTA_OIF || type == RTA_TABLE)
      && nl_lib.mnl_attr_validate (a, MNL_TYPE_U32) < 0)
    return MNL_CB_OK;
  tb[type] = a;
  return MNL_CB_OK;
}

static int
route_cb (const struct nlmsghdr *nlh, void *data)
{
  struct overlap_search *o = data;
  const struct rtmsg *rtm = nl_lib.mnl_nlmsg_get_payload (nlh);
  const struct nlattr *tb[RTA_MAX + 1] = { 0 };
  struct net_subnet s;
  unsigned table, oif = 0;
  char dev[IF_NAMESIZE] = "?", net[32];

  if (o->found || rtm->rtm_family != AF_INET || rtm->rtm_dst_len == 0)
    return MNL_CB_OK;
  nl_lib.mnl_attr_parse (nlh, sizeof *rtm, route_attr_cb, tb);
  table = tb[RTA_TABLE] ? nl_lib.mnl_attr_get_u32 (tb[RTA_TABLE]) : rtm->rtm_table;
  if (table != RT_TABLE_MAIN || !tb[RTA_DST])
    return MNL_CB_OK;
  if (tb[RTA_OIF])
    oif = nl_lib.mnl_attr_get_u32 (tb[RTA_OIF]);
  if (o->skip_idx && oif == o->skip_idx)
    return MNL_CB_OK;
  s.addr.s_addr = nl_lib.mnl_attr_get_u32 (tb[RTA_DST]);
  s.prefix = rtm->rtm_dst_len;
  if (!net_subnets_overlap (&s, o->want))
    return MNL_CB_OK;
  if (oif)
    if_indextoname (oif, dev);
  net_subnet_format (&s, net, sizeof net);
  str_format (o->buf, o->len, "%s (routed on %s)", net, dev);
  o->found = true;
  return MNL_CB_OK;
}

int
link_route_overlap (const struct net_subnet *s, const char *skip_dev, char *found, size_t len,
                    tong_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_lib.mnl_nlmsg_put_header (buf);
  struct rtmsg *rtm;
  struct overlap_search o = { s, skip_dev ? if_nametoindex (skip_dev) : 0, false, found, len };
  int r;

  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  rtm = nl_lib.mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  rtm->rtm_family = AF_INET;
  r = rtnl_talk (nlh, route_cb, &o);
  if (r < 0)
    return tong_err (err, -r, "list the host's IPv4 routes");
  return o.found ? 1 : 0;
}

int
link_sysctl (const char *path, const char *value, tong_error *err)
{
  int r = write_file_at (AT_FDCWD, path, value, strlen (value), err);
  if (r < 0)
    return tong_err_prefix (err, "set %s to %s", path, value);
  return 0;
}

int
link_netns_enter (int netns_fd, int *back, tong_error *err)
{
  int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

  if (self < 0)
    return tong_err (err, errno, "open /proc/self/ns/net");
  if (setns (netns_fd, CLONE_NEWNET) < 0)
    {
      int e = errno;
      close (self);
      return tong_err (err, e, "enter the container's network namespace");
    }
  *back = self;
  return 0;
}

int
link_netns_leave (int *back, tong_error *err)
{
  int r = 0;

  if (*back < 0)
    return 0;
  if (setns (*back, CLONE_NEWNET) < 0)
    r = tong_err (err, errno, "return to the host's network namespace");
  close (*back);
  *back = -1;
  return r;
}
