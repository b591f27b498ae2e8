#include "rootfs-plan.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "src/base/util.h"

static bool
is_bind (const struct oci_mount *m, const struct mount_options *o)
{
  return (o->flags & MS_BIND) || (m->type && strcmp (m->type, "bind") == 0);
}

static int
plan_mount (const struct oci_mount *m, size_t i, struct rootfs_mount *op, tong_error *err)
{
  int r;

  op->m = m;
  if (m->destination == NULL || *m->destination == '\0')
    return tong_err (err, 0, "mounts[%zu]: a mount has no destination", i);
  op->replaces_root = path_equal (m->destination, "/");
  if (op->replaces_root && i > 0)
    return tong_err (err, 0, "mounts[%zu]: a mount on `/` replaces the root and must come first",
                     i);
  r = mount_options_parse (m->options, &op->o, err);
  if (r < 0)
    return tong_err_prefix (err, "mounts[%zu]: mount on `%s`", i, m->destination);
  if (is_bind (m, &op->o))
    {
      op->kind = ROOTFS_BIND;
      op->o.flags |= MS_BIND;
      if (m->source == NULL || *m->source == '\0')
        return tong_err (err, 0, "mounts[%zu]: bind mount on `%s` has no source", i,
                         m->destination);
      return 0;
    }
  if (m->type == NULL || *m->type == '\0')
    return tong_err (err, 0,
                     "mounts[%zu]: mount on `%s` has no type (use e.g. \"bind\", \"tmpfs\")", i,
                     m->destination);
  op->kind = ROOTFS_MOUNT;
  /* "cgroup" is cgroup v1's name; tong targets cgroup v2. */
  op->type = strcmp (m->type, "cgroup") == 0 ? "cgroup2" : m->type;
  if (strcmp (op->type, "tmpfs") == 0 && (op->o.flags & MS_RDONLY) && !(op->o.flags & MS_REMOUNT))
    {
      op->readonly_later = op->o.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
      op->o.flags &= ~(unsigned long) MS_RDONLY;
    }
  return 0;
}

int
rootfs_plan_build (const struct oci_spec *spec, struct rootfs_plan *plan, tong_error *err)
{
  const struct oci_linux *l = spec->linux_;
  int r;

  memset (plan, 0, sizeof *plan);
  if (l && l->rootfs_propagation && *l->rootfs_propagation)
    {
      r = mount_propagation_parse (l->rootfs_propagation, &plan->propagation, err);
      if (r < 0)
        return r;
    }
  plan->mounts = spec->mounts_len ? xcalloc (spec->mounts_len, sizeof *plan->mounts) : NULL;
  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      struct rootfs_mount *op = &plan->mounts[i];

      r = plan_mount (&spec->mounts[i], i, op, err);
      plan->n_mounts = i + 1;
      if (r < 0)
        {
          rootfs_plan_free (plan);
          return r;
        }
      if (path_equal (op->m->destination, "/dev") && op->kind == ROOTFS_BIND)
        plan->dev_bound = true;
      if (path_equal (op->m->destination, "/dev/pts") && op->kind == ROOTFS_MOUNT
          && strcmp (op->type, "devpts") == 0)
        plan->devpts = true;
    }
  return 0;
}

void
rootfs_plan_free (struct rootfs_plan *plan)
{
  for (size_t i = 0; plan->mounts && i < plan->n_mounts; i++)
    mount_options_release (&plan->mounts[i].o);
  free (plan->mounts);
  plan->mounts = NULL;
  plan->n_mounts = 0;
}

char *
rootfs_plan_describe (const struct rootfs_plan *plan)
{
  char *text = xstrdup ("");

  for (size_t i = 0; i < plan->n_mounts; i++)
    {
      const struct rootfs_mount *op = &plan->mounts[i];
      const char *data = op->o.data ? op->o.data : "";
      char *line;

      if (op->kind == ROOTFS_BIND)
        line = xasprintf ("%sbind %s on %s flags=%#lx remount=%#lx propagation=%#lx\n", text,
                          op->m->source, op->m->destination, op->o.flags,
                          mount_options_bind_remount_flags (&op->o), op->o.propagation);
      else
        line = xasprintf ("%smount %s %s on %s flags=%#lx data=%s propagation=%#lx%s%s\n", text,
                          op->type, op->m->source && *op->m->source ? op->m->source : op->type,
                          op->m->destination, op->o.flags, data, op->o.propagation,
                          op->readonly_later ? " then read-only" : "",
                          op->replaces_root ? " (the new root)" : "");
      free (text);
      text = line;
    }
  if (plan->propagation)
    {
      char *line = xasprintf ("%spropagation %#lx\n", text, plan->propagation);
      free (text);
      text = line;
    }
  if (plan->dev_bound || plan->devpts)
    {
      char *line = xasprintf ("%s%s%s", text, plan->dev_bound ? "dev bound\n" : "",
                              plan->devpts ? "devpts mounted\n" : "");
      free (text);
      text = line;
    }
  return text;
}
