/* veth/bridge networking of a container, asked for with the org.tong.net.*
 * annotations (docs/networking.md): what `create` sets up once the init
 * exists, and what `delete` (or a failed create) tears down. */
#ifndef TONG_NETNS_NET_H
#define TONG_NETNS_NET_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "src/base/error.h"

#define NET_STATE_FILE "net.json"

/* An IPv4 address as text, with its NUL (INET_ADDRSTRLEN). */
#define NET_ADDR_LEN 16

/* With org.tong.net.mode=bridge: lease an address, make the bridge if needed,
 * a veth pair into the init's network namespace (new_netns: tong created it),
 * eth0 configured there, NAT rules; record all of it in the container's
 * directory (net.json) and put the address in leased (the state records it
 * as org.tong.net.ip); without a lease, leased is "".  Mode none: only
 * checks the annotations.  On failure nothing is left. */
int net_setup (int rootfd, int dirfd, const char *id, const struct oci_map *annotations,
               bool new_netns, pid_t pid, unsigned long long start_time, char leased[NET_ADDR_LEN],
               tong_error *err);

/* Does net_setup need libmnl and libnftnl (org.tong.net.mode=bridge)?
 * Annotations it cannot parse say no: net_setup reports them. */
bool net_setup_needs_libraries (const struct oci_map *annotations);

/* Does net_teardown need them: a net.json of a bridge's? */
bool net_teardown_needs_libraries (int dirfd);

/* Undo net_setup, from net.json; a container without one has nothing to undo.
 * Safe to call again, and after the container died or the host rebooted. */
int net_teardown (int rootfd, int dirfd, const char *id, tong_error *err);

#endif
