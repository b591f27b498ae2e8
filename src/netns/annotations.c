#include "annotations.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/util.h"

uint32_t
net_subnet_mask (unsigned prefix)
{
  return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

bool
net_subnet_contains (const struct net_subnet *s, struct in_addr a)
{
  uint32_t m = net_subnet_mask (s->prefix);
  return (ntohl (a.s_addr) & m) == (ntohl (s->addr.s_addr) & m);
}

bool
net_subnets_overlap (const struct net_subnet *a, const struct net_subnet *b)
{
  unsigned p = a->prefix < b->prefix ? a->prefix : b->prefix;
  uint32_t m = net_subnet_mask (p);
  return (ntohl (a->addr.s_addr) & m) == (ntohl (b->addr.s_addr) & m);
}

struct in_addr
net_subnet_gateway (const struct net_subnet *s)
{
  struct in_addr g = { htonl (ntohl (s->addr.s_addr) + 1) };
  return g;
}

void
net_subnet_format (const struct net_subnet *s, char *buf, size_t len)
{
  char a[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &s->addr, a, sizeof a);
  str_format (buf, len, "%s/%u", a, s->prefix);
}

/* A decimal number in [min, max], nothing else. */
static bool
parse_uint (const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
  unsigned long v;

  if (!decimal_parse (s, &v) || v < min || v > max)
    return false;
  *out = v;
  return true;
}

static bool
parse_ipv4 (const char *s, struct in_addr *a)
{
  return inet_pton (AF_INET, s, a) == 1;
}

int
net_subnet_parse (const char *s, const char *what, struct net_subnet *out, tong_error *err)
{
  _cleanup_free_ char *copy = xstrdup (s);
  char *slash = strchr (copy, '/');
  unsigned long prefix;
  struct net_subnet n;

  if (!slash)
    return tong_err (err, 0,
                     "%s \"%s\" is not a CIDR subnet: write it as ADDRESS/PREFIX, "
                     "e.g. 10.89.0.0/24",
                     what, s);
  *slash = '\0';
  if (!parse_ipv4 (copy, &n.addr))
    return tong_err (err, 0, "%s \"%s\": \"%s\" is not an IPv4 address", what, s, copy);
  if (!parse_uint (slash + 1, 0, 32, &prefix))
    return tong_err (err, 0, "%s \"%s\": the prefix length \"%s\" is not a number in 0..32", what,
                     s, slash + 1);
  if (prefix < 1 || prefix > 30)
    return tong_err (err, 0,
                     "%s \"%s\": a prefix of /%lu leaves no room for a gateway and "
                     "a container; use /1 to /30",
                     what, s, prefix);
  n.prefix = (unsigned) prefix;
  if (ntohl (n.addr.s_addr) & ~net_subnet_mask (n.prefix))
    {
      struct net_subnet fixed
          = { { htonl (ntohl (n.addr.s_addr) & net_subnet_mask (n.prefix)) }, n.prefix };
      char f[32];
      net_subnet_format (&fixed, f, sizeof f);
      return tong_err (err, 0, "%s \"%s\" has host bits set: did you mean %s?", what, s, f);
    }
  {
    static const struct
    {
      uint32_t net;
      unsigned prefix;
      const char *what;
    } reserved[] = {
      { 0x00000000u, 8, "\"this network\" (0.0.0.0/8)" },
      { 0x7f000000u, 8, "loopback (127.0.0.0/8)" },
      { 0xa9fe0000u, 16, "link-local (169.254.0.0/16)" },
      { 0xe0000000u, 3, "multicast and reserved (224.0.0.0/3)" },
    };
    for (size_t i = 0; i < ARRAY_SIZE (reserved); i++)
      {
        struct net_subnet r = { { htonl (reserved[i].net) }, reserved[i].prefix };
        if (net_subnets_overlap (&n, &r))
          return tong_err (err, 0,
                           "%s \"%s\" overlaps the %s range: choose a private subnet, "
                           "e.g. in 10.0.0.0/8 or 172.16.0.0/12",
                           what, s, reserved[i].what);
      }
  }
  *out = n;
  return 0;
}

int
net_port_parse (const char *s, struct net_port *out, tong_error *err)
{
  _cleanup_free_ char *copy = xstrdup (s);
  char *fields[3], *proto, *p = copy;
  size_t n = 0;
  unsigned long hp, cp;
  struct net_port port = { .proto = IPPROTO_TCP, .host_ip = { INADDR_ANY } };

  proto = strchr (copy, '/');
  if (proto)
    {
      *proto++ = '\0';
      if (strcmp (proto, "tcp") == 0)
        port.proto = IPPROTO_TCP;
      else if (strcmp (proto, "udp") == 0)
        port.proto = IPPROTO_UDP;
      else
        return tong_err (err, 0,
                         "%s: published port \"%s\": protocol \"%s\" is neither tcp "
                         "nor udp",
                         NET_KEY_PUBLISH, s, proto);
    }
  for (;;)
    {
      char *colon = strchr (p, ':');
      if (n == ARRAY_SIZE (fields))
        goto syntax;
      fields[n++] = p;
      if (!colon)
        break;
      *colon = '\0';
      p = colon + 1;
    }
  if (n < 2)
    goto syntax;
  if (n == 3 && !parse_ipv4 (fields[0], &port.host_ip))
    return tong_err (err, 0,
                     "%s: published port \"%s\": \"%s\" is not an IPv4 address of "
                     "the host",
                     NET_KEY_PUBLISH, s, fields[0]);
  if (!parse_uint (fields[n - 2], 1, 65535, &hp))
    return tong_err (err, 0, "%s: published port \"%s\": host port \"%s\" is not in 1..65535",
                     NET_KEY_PUBLISH, s, fields[n - 2]);
  if (!parse_uint (fields[n - 1], 1, 65535, &cp))
    return tong_err (err, 0,
                     "%s: published port \"%s\": container port \"%s\" is not in "
                     "1..65535",
                     NET_KEY_PUBLISH, s, fields[n - 1]);
  port.host_port = (uint16_t) hp;
  port.container_port = (uint16_t) cp;
  *out = port;
  return 0;

syntax:
  return tong_err (err, 0,
                   "%s: published port \"%s\" is not [HOSTIP:]HOSTPORT:CONTAINERPORT"
                   "[/tcp|udp]",
                   NET_KEY_PUBLISH, s);
}

static bool
ports_clash (const struct net_port *a, const struct net_port *b)
{
  return a->proto == b->proto && a->host_port == b->host_port
         && (a->host_ip.s_addr == INADDR_ANY || b->host_ip.s_addr == INADDR_ANY
             || a->host_ip.s_addr == b->host_ip.s_addr);
}

static int
parse_publish (const char *value, struct net_config *c, tong_error *err)
{
  _cleanup_free_ char *copy = xstrdup (value);
  char *save = NULL;

  for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    {
      struct net_port p;
      int r = net_port_parse (tok, &p, err);
      if (r < 0)
        return r;
      for (size_t i = 0; i < c->n_ports; i++)
        if (ports_clash (&c->ports[i], &p))
          return tong_err (err, 0, "%s: host port %u/%s is published twice", NET_KEY_PUBLISH,
                           p.host_port, p.proto == IPPROTO_TCP ? "tcp" : "udp");
      c->ports = xrealloc (c->ports, (c->n_ports + 1) * sizeof *c->ports);
      c->ports[c->n_ports++] = p;
    }
  return 0;
}

static int
parse_key (const char *key, const char *value, struct net_config *c, tong_error *err)
{
  unsigned long v;

  if (strcmp (key, NET_KEY_MODE) == 0)
    {
      if (strcmp (value, "none") == 0)
        c->mode = NET_MODE_NONE;
      else if (strcmp (value, "bridge") == 0)
        c->mode = NET_MODE_BRIDGE;
      else if (strcmp (value, "pasta") == 0)
        c->mode = NET_MODE_PASTA;
      else
        return tong_err (err, 0, "%s \"%s\": use \"none\", \"bridge\" or \"pasta\"", key, value);
      return 0;
    }
  if (strcmp (key, NET_KEY_BRIDGE) == 0)
    {
      size_t n = strlen (value);
      if (n == 0 || n >= IFNAMSIZ || strcmp (value, ".") == 0 || strcmp (value, "..") == 0
          || strpbrk (value, "/: \t\n\"\\"))
        return tong_err (err, 0,
                         "%s \"%s\" is not an interface name: use 1 to %d characters "
                         "without '/', ':', quotes or spaces",
                         key, value, IFNAMSIZ - 1);
      memcpy (c->bridge, value, n + 1);
      return 0;
    }
  if (strcmp (key, NET_KEY_SUBNET) == 0)
    {
      c->subnet_set = true;
      return net_subnet_parse (value, key, &c->subnet, err);
    }
  if (strcmp (key, NET_KEY_IP) == 0)
    {
      if (!parse_ipv4 (value, &c->ip))
        return tong_err (err, 0, "%s \"%s\" is not an IPv4 address", key, value);
      c->ip_set = true;
      return 0;
    }
  if (strcmp (key, NET_KEY_MTU) == 0)
    {
      if (!parse_uint (value, 68, 65535, &v))
        return tong_err (err, 0, "%s \"%s\" is not a number in 68..65535", key, value);
      c->mtu = (unsigned) v;
      return 0;
    }
  if (strcmp (key, NET_KEY_PUBLISH) == 0)
    return parse_publish (value, c, err);
  return tong_err (err, 0, "unknown annotation %s: tong knows %s, %s, %s, %s, %s and %s", key,
                   NET_KEY_MODE, NET_KEY_BRIDGE, NET_KEY_SUBNET, NET_KEY_IP, NET_KEY_MTU,
                   NET_KEY_PUBLISH);
}

bool
net_annotated (const struct oci_map *annotations)
{
  for (size_t i = 0; i < annotations->len; i++)
    if (strncmp (annotations->items[i].key, NET_KEY_PREFIX, strlen (NET_KEY_PREFIX)) == 0)
      return true;
  return false;
}

int
net_config_parse (const struct oci_map *annotations, struct net_config *c, tong_error *err)
{
  memset (c, 0, sizeof *c);
  strcpy (c->bridge, NET_DEFAULT_BRIDGE);
  c->mtu = NET_DEFAULT_MTU;
  for (size_t i = 0; i < annotations->len; i++)
    {
      const struct oci_kv *kv = &annotations->items[i];
      int r;
      if (strncmp (kv->key, NET_KEY_PREFIX, strlen (NET_KEY_PREFIX)) != 0)
        continue;
      r = parse_key (kv->key, kv->value, c, err);
      if (r < 0)
        {
          net_config_clear (c);
          return r;
        }
    }
  if (c->mode == NET_MODE_NONE)
    for (size_t i = 0; i < annotations->len; i++)
      if (strncmp (annotations->items[i].key, NET_KEY_PREFIX, strlen (NET_KEY_PREFIX)) == 0
          && strcmp (annotations->items[i].key, NET_KEY_MODE) != 0)
        {
          int r = tong_err (err, 0, "annotation %s needs %s=bridge", annotations->items[i].key,
                            NET_KEY_MODE);
          net_config_clear (c);
          return r;
        }
  /* pasta takes the host's addresses: only published ports are its to choose. */
  if (c->mode == NET_MODE_PASTA)
    for (size_t i = 0; i < annotations->len; i++)
      {
        const char *key = annotations->items[i].key;
        if (strncmp (key, NET_KEY_PREFIX, strlen (NET_KEY_PREFIX)) == 0
            && strcmp (key, NET_KEY_MODE) != 0 && strcmp (key, NET_KEY_PUBLISH) != 0)
          {
            int r = tong_err (err, 0, "annotation %s needs %s=bridge (with pasta only %s applies)",
                              key, NET_KEY_MODE, NET_KEY_PUBLISH);
            net_config_clear (c);
            return r;
          }
      }
  if (c->ip_set && c->subnet_set && !net_subnet_contains (&c->subnet, c->ip))
    {
      char s[32];
      net_subnet_format (&c->subnet, s, sizeof s);
      int r = tong_err (err, 0, "%s %s is not in %s %s", NET_KEY_IP, inet_ntoa (c->ip),
                        NET_KEY_SUBNET, s);
      net_config_clear (c);
      return r;
    }
  return 0;
}

void
net_config_clear (struct net_config *c)
{
  free (c->ports);
  c->ports = NULL;
  c->n_ports = 0;
}
