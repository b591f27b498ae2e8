/* IPAM: the addresses and published ports handed to containers, and the
 * bridges tong made, in one file under the state root ("net:leases"),
 * read and written under an flock of "net:lock" so that parallel creates
 * never hand out one address or port twice.  (':' cannot appear in a
 * container id, so these names never clash with a container's directory.) */
#ifndef TONG_NETNS_IPAM_H
#define TONG_NETNS_IPAM_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

#include "src/base/error.h"
#include "src/netns/annotations.h"

#define IPAM_LOCK "net:lock"
#define IPAM_FILE "net:leases"

struct ipam_bridge
{
  char name[IFNAMSIZ];
  struct net_subnet subnet;
  bool created; /* made by tong: deleted with its last container */
};

struct ipam_lease
{
  char *id;
  char bridge[IFNAMSIZ];
  struct in_addr ip;
  pid_t pid;                     /* the container's init, to find leases of dead containers */
  unsigned long long start_time; /* with pid: guards against pid reuse */
  struct net_port *ports;
  size_t n_ports;
};

struct ipam
{
  int rootfd;
  int lockfd;
  struct ipam_bridge *bridges;
  size_t n_bridges;
  struct ipam_lease *leases;
  size_t n_leases;
};

/* Lock and read the pool (an absent file is an empty pool). */
int ipam_open (int rootfd, struct ipam *db, tong_error *err);
/* Write the pool back (atomically; the file goes when the pool is empty). */
int ipam_save (struct ipam *db, tong_error *err);
/* Free and unlock. */
void ipam_close (struct ipam *db);

/* A lease whose container's state directory is gone, or whose init is dead
 * (or its pid reused): its network namespace, and so its veth, are gone. */
bool ipam_lease_stale (const struct ipam *db, const struct ipam_lease *l);

struct ipam_bridge *ipam_bridge_find (struct ipam *db, const char *name);
void ipam_bridge_add (struct ipam *db, const char *name, const struct net_subnet *s, bool created);
void ipam_bridge_remove (struct ipam *db, const char *name);
/* How many leases are on a bridge. */
size_t ipam_bridge_users (const struct ipam *db, const char *name);

/* Lease an address on bridge `b` for container id: `want` if not NULL (it
 * must be a free host address of the subnet), else the lowest free one after
 * the gateway.  Published ports must not clash with another lease's. */
int ipam_lease_take (struct ipam *db, const char *id, const struct ipam_bridge *b,
                     const struct in_addr *want, const struct net_port *ports, size_t n_ports,
                     pid_t pid, unsigned long long start_time, struct in_addr *out,
                     tong_error *err);
struct ipam_lease *ipam_lease_find (struct ipam *db, const char *id);
void ipam_lease_remove (struct ipam *db, const char *id);

#endif
