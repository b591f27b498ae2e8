/* The bundle annotations that ask for veth/bridge networking (org.tong.net.*),
 * parsed and validated into plain data: no system call, testable without root. */
#ifndef TONG_NETNS_CONFIG_H
#define TONG_NETNS_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "oci/spec.h"
#include "src/base/error.h"

#define NET_KEY_PREFIX "org.tong.net."
#define NET_KEY_MODE "org.tong.net.mode"
#define NET_KEY_BRIDGE "org.tong.net.bridge"
#define NET_KEY_SUBNET "org.tong.net.subnet"
#define NET_KEY_IP "org.tong.net.ip"
#define NET_KEY_MTU "org.tong.net.mtu"
#define NET_KEY_PUBLISH "org.tong.net.publish"

#define NET_DEFAULT_BRIDGE "tong0"
#define NET_DEFAULT_MTU 1500

enum net_mode
{
  NET_MODE_NONE,
  NET_MODE_BRIDGE,
  NET_MODE_PASTA, /* rootless: pasta (src/netns/pasta.h) */
};

/* A published port: HOSTIP:HOSTPORT on the host to CONTAINERPORT. */
struct net_port
{
  uint8_t proto;          /* IPPROTO_TCP or IPPROTO_UDP */
  struct in_addr host_ip; /* INADDR_ANY: every address of the host */
  uint16_t host_port;
  uint16_t container_port;
};

/* An IPv4 subnet: network address (host bits zero) and prefix length. */
struct net_subnet
{
  struct in_addr addr;
  unsigned prefix;
};

struct net_config
{
  enum net_mode mode;
  char bridge[IFNAMSIZ];
  bool subnet_set;
  struct net_subnet subnet;
  bool ip_set;
  struct in_addr ip;
  unsigned mtu;
  struct net_port *ports;
  size_t n_ports;
};

/* Parse the org.tong.net.* annotations; other annotations are ignored, an
 * unknown org.tong.net.* key is an error. */
int net_config_parse (const struct oci_map *annotations, struct net_config *c, tong_error *err);
void net_config_clear (struct net_config *c);
/* Whether the annotations ask anything of net_setup (any org.tong.net.* key). */
bool net_annotated (const struct oci_map *annotations);

/* "10.89.0.0/24": the host bits must be zero, the prefix 1..30.  `what`
 * names the value in errors. */
int net_subnet_parse (const char *s, const char *what, struct net_subnet *out, tong_error *err);
/* "[HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp]" */
int net_port_parse (const char *s, struct net_port *out, tong_error *err);

/* Subnet arithmetic, in host byte order where it returns a number. */
uint32_t net_subnet_mask (unsigned prefix);
bool net_subnet_contains (const struct net_subnet *s, struct in_addr a);
bool net_subnets_overlap (const struct net_subnet *a, const struct net_subnet *b);
/* The gateway (first host) of a subnet, the bridge's address. */
struct in_addr net_subnet_gateway (const struct net_subnet *s);
/* "10.89.0.0/24" into buf (at least 19 bytes). */
void net_subnet_format (const struct net_subnet *s, char *buf, size_t len);

#endif
