/* A user namespace for a container that a user other than root creates from
 * a spec without one, as crun does: without it nothing else could be set up. */
#include "rootless.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/config.h"
#include "src/base/log.h"
#include "src/namespaces/subid.h"
#include "src/base/util.h"

int
rootless_add_user_namespace (struct oci_spec *spec, bool *added, tong_error *err)
{
  struct oci_linux *l = spec->linux_;
  struct subid_maps m;

  *added = false;
  if (geteuid () == 0 || oci_spec_namespace (spec, OCI_NS_USER))
    return 0;
  if (!l)
    return tong_err (err, 0,
                     "the spec has no \"linux\" section: a container created by a user "
                     "other than root needs at least its namespaces");
  if (l->uid_mappings_len || l->gid_mappings_len)
    return tong_err (err, 0,
                     "linux.uidMappings/gidMappings are given, but linux.namespaces has "
                     "no \"user\" namespace to apply them to");

  subid_maps_of_caller (&m);

  l->namespaces = xrealloc (l->namespaces, (l->namespaces_len + 1) * sizeof *l->namespaces);
  l->namespaces[l->namespaces_len++] = (struct oci_namespace){ .type = OCI_NS_USER };
  l->uid_mappings = xmalloc (m.n_uids * sizeof *m.uids);
  memcpy (l->uid_mappings, m.uids, m.n_uids * sizeof *m.uids);
  l->uid_mappings_len = m.n_uids;
  l->gid_mappings = xmalloc (m.n_gids * sizeof *m.gids);
  memcpy (l->gid_mappings, m.gids, m.n_gids * sizeof *m.gids);
  l->gid_mappings_len = m.n_gids;
  *added = true;
  log_debug ("no user namespace in the spec: created one mapping uid %u to root%s", geteuid (),
             m.n_uids > 1 ? " and the subordinate range of /etc/subuid above it" : "");
  return 0;
}
