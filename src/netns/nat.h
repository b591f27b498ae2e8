/* NAT through nftables (libnftnl over libmnl): in a table of tong's own,
 * "ip tong", three base chains per container (pre-ID, out-ID, post-ID):
 * DNAT of its published ports (prerouting, and output for the host's own
 * connections, 127.0.0.1 included) and masquerade of what it sends out of
 * its subnet, and of loopback-sourced connections to it.  A container's
 * chains go without touching any other's. */
#ifndef TONG_NETNS_NAT_H
#define TONG_NETNS_NAT_H

#include <netinet/in.h>
#include <stddef.h>

#include "src/base/error.h"
#include "src/netns/annotations.h"

#define NAT_TABLE "tong"

/* Add the container's chains and rules, one netlink batch. */
int nat_add (const char *id, struct in_addr ip, const struct net_subnet *subnet,
             const struct net_port *ports, size_t n_ports, tong_error *err);
/* Remove the container's chains (those absent are not an error). */
int nat_remove (const char *id, tong_error *err);
/* Remove tong's table if no chain is left in it. */
int nat_table_remove (tong_error *err);

#endif
