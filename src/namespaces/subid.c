#include "subid.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/base/util.h"

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

void
subid_maps_of_caller (struct subid_maps *m)
{
  struct passwd *pw = getpwuid (geteuid ());
  const char *name = pw ? pw->pw_name : NULL;

  if (name)
    str_format (m->user, sizeof m->user, "%s", name);
  else
    str_format (m->user, sizeof m->user, "%u", (unsigned) geteuid ());
  m->n_uids = build_maps (m->uids, geteuid (), "/etc/subuid", name, geteuid ());
  m->n_gids = build_maps (m->gids, getegid (), "/etc/subgid", name, geteuid ());
}
