/* Networking for a container of a user other than root: pasta (Debian's
 * passt package), a user-space network stack that gives the container's
 * network namespace a tap interface with the host's addresses and routes,
 * carries its traffic through the host's sockets, and forwards published
 * ports.  No root, no links or rules on the host. */
#ifndef TONG_NETNS_PASTA_H
#define TONG_NETNS_PASTA_H

#include <sys/types.h>

#include "src/base/error.h"
#include "src/netns/annotations.h"

/* Start pasta for the network namespace of pid (joining its user namespace
 * when it has one of its own), forwarding c's published ports; pasta puts
 * itself in the background once the namespace is configured.  state_dir
 * receives its pid file.  The daemon's pid in *out. */
int pasta_start (const struct net_config *c, pid_t pid, const char *state_dir, pid_t *out,
                 tong_error *err);

/* Stop the pasta daemon pid if it is still the one started at start_time
 * (field 22 of /proc/PID/stat); SIGTERM, SIGKILL after a second. */
int pasta_stop (pid_t pid, unsigned long long start_time, tong_error *err);

#endif
