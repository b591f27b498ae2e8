/* The id maps of a user other than root: its own uid and gid as 0 and the
 * subordinate ranges /etc/subuid and /etc/subgid grant it as 1..N.  tong
 * gives a rootless container these maps, and tong-shim unpacks and removes
 * a rootless store's files under the same ones, so both see the same owners. */
#ifndef TONG_SUBID_H
#define TONG_SUBID_H

#include <stddef.h>

#include "oci/spec.h"

struct subid_maps
{
  struct oci_id_mapping uids[2], gids[2];
  size_t n_uids, n_gids; /* 1 when the user has no subordinate range, else 2 */
  char user[64];         /* the user's name, or its number when it has none */
};

/* The maps of the effective user, read from /etc/passwd, /etc/subuid and
 * /etc/subgid as newuidmap reads them. */
void subid_maps_of_caller (struct subid_maps *m);

#endif
