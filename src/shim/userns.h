/* tong-shim as a user other than root.  Its store holds files of many owners
 * (an image's root, its daemons' users), which on the host belong to the
 * user's subordinate ids.  Unpacking, reading and removing them happens in a
 * user namespace with the maps tong gives a rootless container (the user as
 * 0, the /etc/subuid range as 1..N), so both see the same owners. */
#ifndef TONG_SHIM_USERNS_H
#define TONG_SHIM_USERNS_H

#include "src/base/error.h"
#include "src/shim/shim.h"

/* Move this process (single-threaded) into a new user and mount namespace
 * with those maps, as root in it.  Fails, naming the fix, when the user has
 * no subordinate ranges or newuidmap/newgidmap are missing. */
int shim_userns_enter (tong_error *err);

/* Run fn in a child that entered such a namespace; fn's return value (0, a
 * positive result, or -errno) comes back as this function's, and with any
 * result but 0 the error fn set. */
int shim_userns_call (int (*fn) (void *arg, tong_error *err), void *arg, tong_error *err);

/* Remove a directory tree of the store: directly as root, in a user
 * namespace (shim_userns_call) when rootless.  A missing path is fine. */
int shim_remove_tree (const struct shim_globals *g, const char *path, tong_error *err);

#endif
