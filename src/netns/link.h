/* rtnetlink (libmnl) for the links of veth/bridge networking: bridges, veth
 * pairs, addresses and routes, in the network namespace of the caller, plus
 * the /proc/sys switches they need and entering another network namespace. */
#ifndef TONG_NETNS_LINK_H
#define TONG_NETNS_LINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/base/error.h"
#include "src/netns/annotations.h"

/* Does a link of this name exist? */
bool link_exists (const char *name);
/* Create a bridge (down, no address). */
int link_bridge_create (const char *name, tong_error *err);
/* Create a veth pair: `host` here, its peer `peer` directly in the network
 * namespace netns_fd, both with the given MTU. */
int link_veth_create (const char *host, const char *peer, int netns_fd, unsigned mtu,
                      tong_error *err);
/* Enslave `name` to `master` (NULL: none) and bring it up. */
int link_set_up (const char *name, const char *master, tong_error *err);
/* Delete a link; one that does not exist is not an error. */
int link_delete (const char *name, tong_error *err);
/* How many links are enslaved to a bridge (0 if it does not exist). */
int link_bridge_ports (const char *name, unsigned *n, tong_error *err);
/* Add an IPv4 address; one already there is not an error. */
int link_addr_add (const char *name, struct in_addr addr, unsigned prefix, tong_error *err);
/* Add the default route via gw on `name`. */
int link_route_default (const char *name, struct in_addr gw, tong_error *err);

/* Find an IPv4 route of the main table that overlaps `s` and does not go out
 * of `skip_dev` (NULL: none); the default route never counts.  Returns 1 and
 * fills `found` ("10.0.0.0/8 on eth0") when there is one, 0 when not. */
int link_route_overlap (const struct net_subnet *s, const char *skip_dev, char *found, size_t len,
                        tong_error *err);

/* Write a /proc/sys file (of the caller's network namespace for net/). */
int link_sysctl (const char *path, const char *value, tong_error *err);

/* Enter the network namespace netns_fd; *back gets an fd of the one left,
 * for link_netns_leave. */
int link_netns_enter (int netns_fd, int *back, tong_error *err);
/* Return to the namespace saved by link_netns_enter and close it. */
int link_netns_leave (int *back, tong_error *err);

#endif
