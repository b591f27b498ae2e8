#include "nat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "src/netns/nl-lib.h"
#include "src/base/util.h"

/* A batch under construction: the messages and how many of them want an ack. */
struct batch
{
  struct mnl_nlmsg_batch *b;
  char *buf;
  uint32_t seq;
  unsigned acks;
};

static void
batch_start (struct batch *bt)
{
  size_t size = 64 * 1024;
  bt->buf = xmalloc (size);
  bt->b = nl_lib.mnl_nlmsg_batch_start (bt->buf, size);
  bt->seq = (uint32_t) time (NULL);
  bt->acks = 0;
  nl_lib.nftnl_batch_begin (nl_lib.mnl_nlmsg_batch_current (bt->b), bt->seq++);
  nl_lib.mnl_nlmsg_batch_next (bt->b);
}

static void
batch_free (struct batch *bt)
{
  if (bt->b)
    nl_lib.mnl_nlmsg_batch_stop (bt->b);
  free (bt->buf);
}

static struct nlmsghdr *
batch_msg (struct batch *bt, int type, int flags)
{
  struct nlmsghdr *nlh
      = nl_lib.nftnl_nlmsg_build_hdr (nl_lib.mnl_nlmsg_batch_current (bt->b), (uint16_t) type,
                                      NFPROTO_IPV4, (uint16_t) (flags | NLM_F_ACK), bt->seq++);
  bt->acks++;
  return nlh;
}

/* Send the batch and wait for every ack; the first error the kernel reports
 * is returned (the kernel then applies nothing of the batch). */
static int
batch_send (struct batch *bt)
{
  struct mnl_socket *s;
  char buf[MNL_SOCKET_BUFFER_SIZE];
  unsigned acked = 0;
  int r = 0;

  nl_lib.nftnl_batch_end (nl_lib.mnl_nlmsg_batch_current (bt->b), bt->seq++);
  nl_lib.mnl_nlmsg_batch_next (bt->b);
  s = nl_lib.mnl_socket_open2 (NETLINK_NETFILTER, SOCK_CLOEXEC);
  if (!s)
    return -errno;
  if (nl_lib.mnl_socket_bind (s, 0, MNL_SOCKET_AUTOPID) < 0
      || nl_lib.mnl_socket_sendto (s, nl_lib.mnl_nlmsg_batch_head (bt->b),
                                   nl_lib.mnl_nlmsg_batch_size (bt->b))
             < 0)
    {
      r = -errno;
      goto out;
    }
  while (acked < bt->acks && r == 0)
    {
      struct pollfd p = { .fd = nl_lib.mnl_socket_get_fd (s), .events = POLLIN };
      int n = poll (&p, 1, 10000);
      ssize_t got;
      int len;
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          r = n < 0 ? -errno : -ETIMEDOUT;
          break;
        }
      got = nl_lib.mnl_socket_recvfrom (s, buf, sizeof buf);
      if (got < 0)
        {
          r = -errno;
          break;
        }
      len = (int) got;
      for (struct nlmsghdr *nlh = (struct nlmsghdr *) buf; nl_lib.mnl_nlmsg_ok (nlh, len);
           nlh = nl_lib.mnl_nlmsg_next (nlh, &len))
        if (nlh->nlmsg_type == NLMSG_ERROR)
          {
            const struct nlmsgerr *e = nl_lib.mnl_nlmsg_get_payload (nlh);
            acked++;
            if (e->error < 0 && r == 0)
              r = e->error;
          }
    }
out:
  nl_lib.mnl_socket_close (s);
  return r;
}

static void
add_table (struct batch *bt, int type, int flags)
{
  struct nftnl_table *t = nl_lib.nftnl_table_alloc ();
  struct nlmsghdr *nlh;

  nl_lib.nftnl_table_set_str (t, NFTNL_TABLE_NAME, NAT_TABLE);
  nl_lib.nftnl_table_set_u32 (t, NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
  nlh = batch_msg (bt, type, flags);
  nl_lib.nftnl_table_nlmsg_build_payload (nlh, t);
  nl_lib.mnl_nlmsg_batch_next (bt->b);
  nl_lib.nftnl_table_free (t);
}

static void
add_chain (struct batch *bt, int type, int flags, const char *name, int hook, int prio)
{
  struct nftnl_chain *c = nl_lib.nftnl_chain_alloc ();
  struct nlmsghdr *nlh;

  nl_lib.nftnl_chain_set_str (c, NFTNL_CHAIN_TABLE, NAT_TABLE);
  nl_lib.nftnl_chain_set_str (c, NFTNL_CHAIN_NAME, name);
  if (type == NFT_MSG_NEWCHAIN)
    {
      nl_lib.nftnl_chain_set_str (c, NFTNL_CHAIN_TYPE, "nat");
      nl_lib.nftnl_chain_set_u32 (c, NFTNL_CHAIN_HOOKNUM, (uint32_t) hook);
      nl_lib.nftnl_chain_set_s32 (c, NFTNL_CHAIN_PRIO, prio);
    }
  nlh = batch_msg (bt, type, flags);
  nl_lib.nftnl_chain_nlmsg_build_payload (nlh, c);
  nl_lib.mnl_nlmsg_batch_next (bt->b);
  nl_lib.nftnl_chain_free (c);
}

/* Expressions, each added to rule r. */
static void
e_payload (struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len)
{
  struct nftnl_expr *e = nl_lib.nftnl_expr_alloc ("payload");
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_PAYLOAD_BASE, base);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_PAYLOAD_LEN, len);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
  nl_lib.nftnl_rule_add_expr (r, e);
}

static void
e_cmp (struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
  struct nftnl_expr *e = nl_lib.nftnl_expr_alloc ("cmp");
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_CMP_OP, op);
  nl_lib.nftnl_expr_set (e, NFTNL_EXPR_CMP_DATA, data, len);
  nl_lib.nftnl_rule_add_expr (r, e);
}

static void
e_mask (struct nftnl_rule *r, uint32_t mask)
{
  struct nftnl_expr *e = nl_lib.nftnl_expr_alloc ("bitwise");
  uint32_t zero = 0;
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_BITWISE_LEN, sizeof mask);
  nl_lib.nftnl_expr_set (e, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof mask);
  nl_lib.nftnl_expr_set (e, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof zero);
  nl_lib.nftnl_rule_add_expr (r, e);
}

/* ip saddr/daddr (offset 12/16) == addr */
static void
m_ip (struct nftnl_rule *r, uint32_t offset, struct in_addr a)
{
  e_payload (r, NFT_PAYLOAD_NETWORK_HEADER, offset, sizeof a.s_addr);
  e_cmp (r, NFT_CMP_EQ, &a.s_addr, sizeof a.s_addr);
}

/* ip saddr/daddr in (or not in) a subnet */
static void
m_subnet (struct nftnl_rule *r, uint32_t offset, const struct net_subnet *s, uint32_t op)
{
  uint32_t net = s->addr.s_addr;
  e_payload (r, NFT_PAYLOAD_NETWORK_HEADER, offset, sizeof net);
  e_mask (r, htonl (net_subnet_mask (s->prefix)));
  e_cmp (r, op, &net, sizeof net);
}

/* the destination is an address of the host */
static void
m_daddr_local (struct nftnl_rule *r)
{
  struct nftnl_expr *e = nl_lib.nftnl_expr_alloc ("fib");
  uint32_t local = RTN_LOCAL;
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
  nl_lib.nftnl_rule_add_expr (r, e);
  e_cmp (r, NFT_CMP_EQ, &local, sizeof local);
}

/* the connection was DNATed (ct status dnat) */
static void
m_ct_dnat (struct nftnl_rule *r)
{
  struct nftnl_expr *e = nl_lib.nftnl_expr_alloc ("ct");
  uint32_t zero = 0;
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_CT_KEY, NFT_CT_STATUS);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
  nl_lib.nftnl_rule_add_expr (r, e);
  e_mask (r, IPS_DST_NAT); /* ct status is in host byte order */
  e_cmp (r, NFT_CMP_NEQ, &zero, sizeof zero);
}

static void
m_port (struct nftnl_rule *r, uint8_t proto, uint16_t port)
{
  struct nftnl_expr *e = nl_lib.nftnl_expr_alloc ("meta");
  uint16_t be = htons (port);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_META_DREG, NFT_REG_1);
  nl_lib.nftnl_rule_add_expr (r, e);
  e_cmp (r, NFT_CMP_EQ, &proto, sizeof proto);
  e_payload (r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, sizeof be);
  e_cmp (r, NFT_CMP_EQ, &be, sizeof be);
}

static void
a_dnat (struct nftnl_rule *r, struct in_addr to, uint16_t port)
{
  struct nftnl_expr *e = nl_lib.nftnl_expr_alloc ("immediate");
  uint16_t be = htons (port);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
  nl_lib.nftnl_expr_set (e, NFTNL_EXPR_IMM_DATA, &to.s_addr, sizeof to.s_addr);
  nl_lib.nftnl_rule_add_expr (r, e);
  e = nl_lib.nftnl_expr_alloc ("immediate");
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_IMM_DREG, NFT_REG_2);
  nl_lib.nftnl_expr_set (e, NFTNL_EXPR_IMM_DATA, &be, sizeof be);
  nl_lib.nftnl_rule_add_expr (r, e);
  e = nl_lib.nftnl_expr_alloc ("nat");
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
  nl_lib.nftnl_expr_set_u32 (e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
  nl_lib.nftnl_rule_add_expr (r, e);
}

static void
a_masquerade (struct nftnl_rule *r)
{
  nl_lib.nftnl_rule_add_expr (r, nl_lib.nftnl_expr_alloc ("masq"));
}

static struct nftnl_rule *
rule_new (const char *chain)
{
  struct nftnl_rule *r = nl_lib.nftnl_rule_alloc ();
  nl_lib.nftnl_rule_set_str (r, NFTNL_RULE_TABLE, NAT_TABLE);
  nl_lib.nftnl_rule_set_str (r, NFTNL_RULE_CHAIN, chain);
  nl_lib.nftnl_rule_set_u32 (r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
  return r;
}

static void
rule_add (struct batch *bt, struct nftnl_rule *r)
{
  struct nlmsghdr *nlh = batch_msg (bt, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
  nl_lib.nftnl_rule_nlmsg_build_payload (nlh, r);
  nl_lib.mnl_nlmsg_batch_next (bt->b);
  nl_lib.nftnl_rule_free (r);
}

static void
dnat_rules (struct batch *bt, const char *chain, struct in_addr ip, const struct net_port *ports,
            size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      struct nftnl_rule *r = rule_new (chain);
      if (ports[i].host_ip.s_addr == INADDR_ANY)
        m_daddr_local (r);
      else
        m_ip (r, 16, ports[i].host_ip);
      m_port (r, ports[i].proto, ports[i].host_port);
      a_dnat (r, ip, ports[i].container_port);
      rule_add (bt, r);
    }
}

static void
chain_names (const char *id, char **pre, char **out, char **post)
{
  *pre = xasprintf ("pre-%s", id);
  *out = xasprintf ("out-%s", id);
  *post = xasprintf ("post-%s", id);
}

int
nat_add (const char *id, struct in_addr ip, const struct net_subnet *subnet,
         const struct net_port *ports, size_t n_ports, tong_error *err)
{
  _cleanup_free_ char *pre = NULL, *out = NULL, *post = NULL;
  struct net_subnet lo = { { htonl (0x7f000000) }, 8 };
  struct batch bt;
  struct nftnl_rule *r;
  int ret;

  chain_names (id, &pre, &out, &post);
  batch_start (&bt);
  add_table (&bt, NFT_MSG_NEWTABLE, NLM_F_CREATE);
  add_chain (&bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL, pre, NF_INET_PRE_ROUTING, -100);
  add_chain (&bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL, out, NF_INET_LOCAL_OUT, -100);
  add_chain (&bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL, post, NF_INET_POST_ROUTING, 100);
  dnat_rules (&bt, pre, ip, ports, n_ports);
  dnat_rules (&bt, out, ip, ports, n_ports);
  /* outbound: what the container sends out of its subnet leaves with the host's address */
  r = rule_new (post);
  m_ip (r, 12, ip);
  m_subnet (r, 16, subnet, NFT_CMP_NEQ);
  a_masquerade (r);
  rule_add (&bt, r);
  if (n_ports)
    {
      /* 127.0.0.1:PORT from the host: the container must answer to the bridge's address */
      r = rule_new (post);
      m_subnet (r, 12, &lo, NFT_CMP_EQ);
      m_ip (r, 16, ip);
      a_masquerade (r);
      rule_add (&bt, r);
      /* hairpin: a container of the subnet at HOSTIP:PORT, DNATed back onto the
       * bridge, must get the answer through the host too */
      r = rule_new (post);
      m_subnet (r, 12, subnet, NFT_CMP_EQ);
      m_ip (r, 16, ip);
      m_ct_dnat (r);
      a_masquerade (r);
      rule_add (&bt, r);
    }
  ret = batch_send (&bt);
  batch_free (&bt);
  if (ret < 0)
    return tong_err (err, -ret, "add the nftables rules of container %s to table ip %s%s", id,
                     NAT_TABLE,
                     ret == -ENOENT || ret == -EOPNOTSUPP
                         ? " (is the kernel built with nf_tables, nft_nat, nft_fib and nft_masq?)"
                         : "");
  return 0;
}

static int
delete_chain (const char *name)
{
  struct batch bt;
  int r;

  batch_start (&bt);
  add_chain (&bt, NFT_MSG_DELCHAIN, 0, name, 0, 0);
  r = batch_send (&bt);
  batch_free (&bt);
  return r == -ENOENT ? 0 : r;
}

int
nat_remove (const char *id, tong_error *err)
{
  _cleanup_free_ char *pre = NULL, *out = NULL, *post = NULL;
  const char *names[3];

  chain_names (id, &pre, &out, &post);
  names[0] = pre;
  names[1] = out;
  names[2] = post;
  for (size_t i = 0; i < ARRAY_SIZE (names); i++)
    {
      int r = delete_chain (names[i]);
      if (r < 0)
        return tong_err (err, -r, "delete nftables chain %s of table ip %s", names[i], NAT_TABLE);
    }
  return 0;
}

static int
chain_count_cb (const struct nlmsghdr *nlh, void *data)
{
  struct nftnl_chain *c = nl_lib.nftnl_chain_alloc ();
  unsigned *n = data;

  if (nl_lib.nftnl_chain_nlmsg_parse (nlh, c) == 0
      && strcmp (nl_lib.nftnl_chain_get_str (c, NFTNL_CHAIN_TABLE), NAT_TABLE) == 0)
    (*n)++;
  nl_lib.nftnl_chain_free (c);
  return MNL_CB_OK;
}

/* How many chains tong's table holds (0 when there is no table). */
static int
table_chains (unsigned *n)
{
  char buf[32768]; /* the biggest message of a dump */
  struct mnl_socket *s = nl_lib.mnl_socket_open2 (NETLINK_NETFILTER, SOCK_CLOEXEC);
  uint32_t seq = (uint32_t) time (NULL);
  struct nlmsghdr *nlh;
  ssize_t len;
  int r = 0;

  *n = 0;
  if (!s)
    return -errno;
  nlh = nl_lib.nftnl_nlmsg_build_hdr (buf, NFT_MSG_GETCHAIN, NFPROTO_IPV4, NLM_F_DUMP, seq);
  if (nl_lib.mnl_socket_bind (s, 0, MNL_SOCKET_AUTOPID) < 0
      || nl_lib.mnl_socket_sendto (s, nlh, nlh->nlmsg_len) < 0)
    r = -errno;
  while (r == 0)
    {
      len = nl_lib.mnl_socket_recvfrom (s, buf, sizeof buf);
      if (len < 0)
        {
          r = -errno;
          break;
        }
      r = nl_lib.mnl_cb_run (buf, (size_t) len, seq, nl_lib.mnl_socket_get_portid (s),
                             chain_count_cb, n);
      if (r <= 0)
        {
          r = r < 0 ? -errno : 0;
          break;
        }
      r = 0;
    }
  nl_lib.mnl_socket_close (s);
  return r;
}

int
nat_table_remove (tong_error *err)
{
  struct batch bt;
  unsigned chains;
  int r;

  /* Another state root's containers may have chains here too. */
  r = table_chains (&chains);
  if (r < 0)
    return tong_err (err, -r, "list the chains of nftables table ip %s", NAT_TABLE);
  if (chains > 0)
    return 0;

  batch_start (&bt);
  add_table (&bt, NFT_MSG_DELTABLE, 0);
  r = batch_send (&bt);
  batch_free (&bt);
  if (r < 0 && r != -ENOENT)
    return tong_err (err, -r, "delete nftables table ip %s", NAT_TABLE);
  return 0;
}
