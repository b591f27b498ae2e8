/* Unit test: the org.tong.net.* annotations, subnets and published ports. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "src/netns/annotations.h"
#include "tests/unit/check.h"

/* Parse annotations given as key, value, ..., NULL. */
static int
parse (struct net_config *c, tong_error *err, ...)
{
  struct oci_kv items[16];
  struct oci_map m = { items, 0 };
  va_list ap;
  const char *k;

  va_start (ap, err);
  while ((k = va_arg (ap, const char *)))
    {
      items[m.len].key = (char *) k;
      items[m.len].value = va_arg (ap, char *);
      m.len++;
    }
  va_end (ap);
  return net_config_parse (&m, c, err);
}

static bool
addr_is (struct in_addr a, const char *s)
{
  struct in_addr b;
  return inet_pton (AF_INET, s, &b) == 1 && a.s_addr == b.s_addr;
}

static void
test_defaults (void)
{
  struct net_config c;
  tong_error err;

  CHECK (parse (&c, &err, "other.key", "x", NULL) == 0);
  CHECK (c.mode == NET_MODE_NONE);
  CHECK (parse (&c, &err, NET_KEY_MODE, "bridge", NULL) == 0);
  CHECK (c.mode == NET_MODE_BRIDGE);
  CHECK (strcmp (c.bridge, "tong0") == 0);
  CHECK (!c.subnet_set && !c.ip_set);
  CHECK (c.mtu == 1500);
  CHECK (c.n_ports == 0);
  net_config_clear (&c);
}

static void
test_everything (void)
{
  struct net_config c;
  tong_error err;

  CHECK (parse (&c, &err, NET_KEY_MODE, "bridge", NET_KEY_BRIDGE, "br1", NET_KEY_SUBNET,
                "172.20.0.0/16", NET_KEY_IP, "172.20.3.4", NET_KEY_MTU, "9000", NET_KEY_PUBLISH,
                "8080:80,127.0.0.1:5353:53/udp,9000:9000/tcp", NULL)
         == 0);
  CHECK (strcmp (c.bridge, "br1") == 0);
  CHECK (c.subnet_set && addr_is (c.subnet.addr, "172.20.0.0") && c.subnet.prefix == 16);
  CHECK (c.ip_set && addr_is (c.ip, "172.20.3.4"));
  CHECK (c.mtu == 9000);
  CHECK (c.n_ports == 3);
  CHECK (c.ports[0].proto == IPPROTO_TCP && c.ports[0].host_ip.s_addr == INADDR_ANY
         && c.ports[0].host_port == 8080 && c.ports[0].container_port == 80);
  CHECK (c.ports[1].proto == IPPROTO_UDP && addr_is (c.ports[1].host_ip, "127.0.0.1")
         && c.ports[1].host_port == 5353 && c.ports[1].container_port == 53);
  CHECK (c.ports[2].proto == IPPROTO_TCP && c.ports[2].host_port == 9000);
  net_config_clear (&c);
}

/* Each bad value fails, and its message contains `want`. */
static void
bad (const char *key, const char *value, const char *want)
{
  struct net_config c;
  tong_error err = { 0 };
  int r = parse (&c, &err, NET_KEY_MODE, "bridge", key, value, NULL);

  report (value, r == -EINVAL && strstr (err.msg, want) != NULL, "%s=%s: got %d \"%s\"", key, value,
          r, err.msg);
}

static void
test_subnet_math (void)
{
  struct net_subnet a, b;
  tong_error err;
  char buf[32];

  CHECK (net_subnet_parse ("10.0.0.0/8", "s", &a, &err) == 0);
  CHECK (net_subnet_parse ("10.89.3.0/24", "s", &b, &err) == 0);
  CHECK (net_subnets_overlap (&a, &b) && net_subnets_overlap (&b, &a));
  CHECK (net_subnet_parse ("10.89.4.0/24", "s", &a, &err) == 0);
  CHECK (!net_subnets_overlap (&a, &b));
  CHECK (addr_is (net_subnet_gateway (&b), "10.89.3.1"));
  CHECK (net_subnet_contains (&b, net_subnet_gateway (&b)));
  CHECK (!net_subnet_contains (&a, net_subnet_gateway (&b)));
  net_subnet_format (&b, buf, sizeof buf);
  CHECK (strcmp (buf, "10.89.3.0/24") == 0);
  CHECK (net_subnet_mask (24) == 0xffffff00u && net_subnet_mask (1) == 0x80000000u);
}

int
main (void)
{
  RUN (test_defaults);
  RUN (test_everything);
  RUN (test_subnet_math);
  bad (NET_KEY_SUBNET, "10.89.0.0", "is not a CIDR subnet");
  bad (NET_KEY_SUBNET, "10.89.0.0/33", "is not a number in 0..32");
  bad (NET_KEY_SUBNET, "10.89.0/24", "is not an IPv4 address");
  bad (NET_KEY_SUBNET, "10.89.0.0/31", "use /1 to /30");
  bad (NET_KEY_SUBNET, "10.89.0.9/24", "did you mean 10.89.0.0/24?");
  bad (NET_KEY_SUBNET, "127.1.0.0/16", "overlaps the loopback (127.0.0.0/8) range");
  bad (NET_KEY_SUBNET, "169.254.1.0/24", "link-local");
  bad (NET_KEY_SUBNET, "230.0.0.0/24", "multicast");
  bad (NET_KEY_SUBNET, "0.0.0.0/1", "\"this network\"");
  bad (NET_KEY_IP, "10.89.0.300", "is not an IPv4 address");
  bad (NET_KEY_MTU, "67", "68..65535");
  bad (NET_KEY_MTU, "1500x", "68..65535");
  bad (NET_KEY_BRIDGE, "a-name-much-too-long", "is not an interface name");
  bad (NET_KEY_BRIDGE, "br/0", "is not an interface name");
  bad (NET_KEY_PUBLISH, "80", "is not [HOSTIP:]HOSTPORT:CONTAINERPORT");
  bad (NET_KEY_PUBLISH, "1.2.3.4:80:80:80", "is not [HOSTIP:]HOSTPORT:CONTAINERPORT");
  bad (NET_KEY_PUBLISH, "8080:65536", "container port \"65536\" is not in 1..65535");
  bad (NET_KEY_PUBLISH, "0:80", "host port \"0\" is not in 1..65535");
  bad (NET_KEY_PUBLISH, "-1:80", "host port \"-1\"");
  bad (NET_KEY_PUBLISH, "8080:80/sctp", "protocol \"sctp\"");
  bad (NET_KEY_PUBLISH, "localhost:8080:80", "\"localhost\" is not an IPv4 address");
  bad (NET_KEY_PUBLISH, "8080:80,8080:81", "host port 8080/tcp is published twice");
  bad (NET_KEY_PUBLISH, "1.2.3.4:8080:80,8080:81", "published twice");
  bad (NET_KEY_MODE, "nat", "use \"none\", \"bridge\" or \"pasta\"");
  bad ("org.tong.net.color", "blue", "unknown annotation org.tong.net.color");
  {
    struct net_config c;
    tong_error err = { 0 };
    int r = parse (&c, &err, NET_KEY_SUBNET, "10.1.0.0/24", NET_KEY_IP, "10.2.0.5", NULL);
    report ("ip outside the subnet / without mode bridge", r == -EINVAL, "got %d", r);
    r = parse (&c, &err, NET_KEY_MODE, "bridge", NET_KEY_SUBNET, "10.1.0.0/24", NET_KEY_IP,
               "10.2.0.5", NULL);
    report ("ip outside the subnet", r == -EINVAL && strstr (err.msg, "is not in"), "%s", err.msg);
    r = parse (&c, &err, NET_KEY_PUBLISH, "80:80", NULL);
    report ("publish needs mode bridge",
            r == -EINVAL && strstr (err.msg, "needs org.tong.net.mode=bridge"), "%s", err.msg);
    r = parse (&c, &err, NET_KEY_MODE, "pasta", NET_KEY_PUBLISH, "127.0.0.1:8080:80,53:53/udp",
               NULL);
    report ("pasta with published ports", r == 0 && c.mode == NET_MODE_PASTA && c.n_ports == 2,
            "%d %s", r, err.msg);
    if (r == 0)
      net_config_clear (&c);
    r = parse (&c, &err, NET_KEY_MODE, "pasta", NET_KEY_SUBNET, "10.1.0.0/24", NULL);
    report ("pasta takes no subnet",
            r == -EINVAL && strstr (err.msg, "with pasta only org.tong.net.publish applies"), "%s",
            err.msg);
  }
  return failures ? 1 : 0;
}
