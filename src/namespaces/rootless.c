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
#include "src/log.h"
#include "src/util.h"

/* An owner field names the user or gives its number. */
static bool
owner_is (const char *owner, const char *name, unsigned long id)
{
  char *end;
  unsigned long n;

  if (name && strcmp (owner, name) == 0)
    return true;
  errno = 0;
  n = strtoul (owner, &end, 10);
  return owner[0] >= '0' && owner[0] <= '9' && !errno && *end == '\0' && n == id;
}

/* The first range /etc/subuid (or /etc/subgid) grants to the user, by name or
 * by number, as newuidmap reads it; false when there is none. */
static bool
subordinate_range (const char *file, const char *name, unsigned long id, uint32_t *start,
                   uint32_t *count)
{
  _cleanup_fclose_ FILE *f = fopen (file, "re");
  char line[512];

  if (!f)
    return false;
  while (fgets (line, sizeof line, f))
    {
      char *owner = line, *s, *c, *end;
      unsigned long long vs, vc;

      s = strchr (owner, ':');
      if (!s)
        continue;
      *s++ = '\0';
      c = strchr (s, ':');
      if (!c)
        continue;
      *c++ = '\0';
      errno = 0;
      vs = strtoull (s, &end, 10);
      if (errno || end == s || *end)
        continue;
      vc = strtoull (c, &end, 10);
      if (errno || end == c || (*end && *end != '\n') || vc == 0)
        continue;
      if (vs > UINT32_MAX || vc > UINT32_MAX - vs)
        continue;
      if (owner_is (owner, name, id))
        {
          *start = (uint32_t) vs;
          *count = (uint32_t) vc;
          return true;
        }
    }
  return false;
}

/* Container id 0 is the caller; ids 1..count are its subordinate range. */
static size_t
build_maps (struct oci_id_mapping maps[2], uint32_t own, const char *file, const char *name,
            unsigned long id)
{
  uint32_t start, count;
  size_t n = 0;

  maps[n++] = (struct oci_id_mapping){ .container_id = 0, .host_id = own, .size = 1 };
  if (subordinate_range (file, name, id, &start, &count))
    maps[n++] = (struct oci_id_mapping){ .container_id = 1, .host_id = start, .size = count };
  return n;
}

int
rootless_add_user_namespace (struct oci_spec *spec, bool *added, tong_error *err)
{
  struct oci_linux *l = spec->linux_;
  struct oci_id_mapping uids[2], gids[2];
  struct passwd *pw;
  const char *name;
  size_t nu, ng;

  *added = false;
  if (geteuid () == 0 || oci_spec_namespace (spec, OCI_NS_USER))
    return 0;
  if (!l)
    return tong_err (err, 0, "the spec has no \"linux\" section: a container created by a user "
                             "other than root needs at least its namespaces");
  if (l->uid_mappings_len || l->gid_mappings_len)
    return tong_err (err, 0, "linux.uidMappings/gidMappings are given, but linux.namespaces has "
                             "no \"user\" namespace to apply them to");

  pw = getpwuid (geteuid ());
  name = pw ? pw->pw_name : NULL;
  nu = build_maps (uids, geteuid (), "/etc/subuid", name, geteuid ());
  ng = build_maps (gids, getegid (), "/etc/subgid", name, geteuid ());

  l->namespaces = xrealloc (l->namespaces, (l->namespaces_len + 1) * sizeof *l->namespaces);
  l->namespaces[l->namespaces_len++] = (struct oci_namespace){ .type = OCI_NS_USER };
  l->uid_mappings = xmalloc (nu * sizeof *uids);
  memcpy (l->uid_mappings, uids, nu * sizeof *uids);
  l->uid_mappings_len = nu;
  l->gid_mappings = xmalloc (ng * sizeof *gids);
  memcpy (l->gid_mappings, gids, ng * sizeof *gids);
  l->gid_mappings_len = ng;
  *added = true;
  log_debug ("no user namespace in the spec: created one mapping uid %u to root%s", geteuid (),
             nu > 1 ? " and the subordinate range of /etc/subuid above it" : "");
  return 0;
}
