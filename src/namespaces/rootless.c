/* A user namespace for a container that a user other than root creates from
 * a spec without one, as crun gives it: without it nothing else could be set up. */
#include "rootless.h"

#include <errno.h>
#include <unistd.h>

#include "oci/config.h"
#include "src/base/log.h"
#include "src/namespaces/subid.h"
#include "src/base/util.h"

int
rootless_user_namespace (const struct oci_spec *spec, bool *needed, struct subid_maps *maps,
                         tong_error *err)
{
  const struct oci_linux *l = spec->linux_;

  *needed = false;
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
  subid_maps_of_caller (maps);
  *needed = true;
  log_debug ("no user namespace in the spec: created one mapping uid %u to root%s", geteuid (),
             maps->n_uids > 1 ? " and the subordinate range of /etc/subuid above it" : "");
  return 0;
}
