#include "cgroup-tree.h"

#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "src/base/util.h"
#include "src/cgroups/hierarchy.h"

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash ? slash + 1 : path;
}

static void
add (struct cgroup_tree *t, const char *name, const char *source, const char *link)
{
  for (size_t i = 0; i < t->n; i++)
    if (strcmp (t->entries[i].name, name) == 0)
      return;
  t->entries = xrealloc (t->entries, (t->n + 1) * sizeof *t->entries);
  t->entries[t->n++] = (struct rootfs_cgroup_entry){ name, source, link };
}

/* s (or NULL), kept until the tree is freed. */
static const char *
own (struct cgroup_tree *t, char *s)
{
  if (s)
    {
      t->owned = xrealloc (t->owned, (t->n_owned + 1) * sizeof *t->owned);
      t->owned[t->n_owned++] = s;
    }
  return s;
}

void
cgroup_tree_build (const struct cgroup_handle *cg, struct cgroup_tree *t)
{
  const struct cgroup_host *h = cgroup_host_get ();

  *t = (struct cgroup_tree){ 0 };
  /* The directories first: a link never takes a hierarchy's name. */
  for (size_t i = 0; i < h->n_v1; i++)
    {
      const struct cgroup_v1_hierarchy *hier = &h->v1[i];
      _cleanup_free_ char *first = xstrndup (hier->controllers, strcspn (hier->controllers, ","));
      const char *dir = oci_map_get (&cg->v1_paths, first);

      if (!dir)
        dir = own (t, cgroup_v1_dir_of (hier, *hier->own ? hier->own : "/"));
      if (dir)
        add (t, base_name (hier->mount), dir, NULL);
    }
  for (size_t i = 0; i < h->n_v1; i++)
    {
      const struct cgroup_v1_hierarchy *hier = &h->v1[i];
      const char *name = base_name (hier->mount);

      for (const char *c = hier->controllers; c; c = strchr (c, ',') ? strchr (c, ',') + 1 : NULL)
        {
          size_t len = strcspn (c, ",");
          if (strncmp (c, "name=", 5) != 0 && (strlen (name) != len || strncmp (c, name, len) != 0))
            add (t, own (t, xstrndup (c, len)), NULL, name);
        }
    }
  if (h->mode == CGROUP_MODE_HYBRID && h->v2_mount)
    add (t, base_name (h->v2_mount),
         cg->path ? cg->path : own (t, xasprintf ("%s%s", h->v2_mount, h->v2_own ? h->v2_own : "")),
         NULL);
}

void
cgroup_tree_free (struct cgroup_tree *t)
{
  free (t->entries);
  for (size_t i = 0; i < t->n_owned; i++)
    free (t->owned[i]);
  free (t->owned);
  *t = (struct cgroup_tree){ 0 };
}
