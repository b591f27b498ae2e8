#include "rootfs-plan.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "oci/config.h"
#include "rootfs-plan-parts.h"
#include "src/base/util.h"

struct rootfs_op *
rootfs_plan_add (struct rootfs_plan *plan, enum rootfs_op_kind kind)
{
  struct rootfs_op *op;

  plan->ops = xrealloc (plan->ops, (plan->n_ops + 1) * sizeof *plan->ops);
  op = &plan->ops[plan->n_ops++];
  memset (op, 0, sizeof *op);
  op->kind = kind;
  return op;
}

static bool
is_bind (const struct oci_mount *m, const struct mount_options *o)
{
  return (o->flags & MS_BIND) || (m->type && strcmp (m->type, "bind") == 0);
}

static bool
new_namespace (const struct oci_spec *spec, enum oci_ns_type type)
{
  const struct oci_namespace *ns = oci_spec_namespace (spec, type);

  return ns && ns->path == NULL;
}

/* In a user namespace some filesystems can only be had by binding the host's
 * instance, as runc does: sysfs without a new network namespace, mqueue
 * without a new ipc namespace, cgroup2 without a new cgroup namespace. */
static const char *
host_fallback (const struct oci_spec *spec, const char *type)
{
  if (strcmp (type, "sysfs") == 0 && !new_namespace (spec, OCI_NS_NETWORK))
    return "/sys";
  if (strcmp (type, "mqueue") == 0 && !new_namespace (spec, OCI_NS_IPC))
    return "/dev/mqueue";
  if (strcmp (type, "cgroup2") == 0 && !new_namespace (spec, OCI_NS_CGROUP))
    return "/sys/fs/cgroup";
  return NULL;
}

/* A filesystem mount: its type, source, label, and what follows it. */
static void
plan_filesystem (struct rootfs_plan *plan, const struct oci_spec *spec, struct rootfs_op *op)
{
  struct rootfs_mount *mnt = &op->mount;
  const struct oci_mount *m = mnt->m;
  const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;
  char *labelled;

  /* "cgroup" is cgroup v1's name: on a v1 host a tmpfs of the container's
   * v1 cgroups, as runc mounts it; else the cgroup2 it means today. */
  if (strcmp (m->type, "cgroup") == 0 && plan->cgroup_v1)
    {
      op->kind = ROOTFS_OP_CGROUP_TREE;
      mnt->type = "tmpfs";
      mnt->source = "cgroup";
      return;
    }
  mnt->type = strcmp (m->type, "cgroup") == 0 ? "cgroup2" : m->type;
  mnt->source = m->source && *m->source ? m->source : m->type;
  if (strcmp (mnt->type, "proc") == 0)
    op->kind = ROOTFS_OP_MOUNT_PROC;
  /* linux.mountLabel: context="LABEL" (create checks that SELinux is on). */
  labelled = mount_options_labelled (mnt->o.data, mnt->type, label);
  if (labelled)
    {
      free (mnt->o.data);
      mnt->o.data = labelled;
    }
  if (plan->userns)
    mnt->host_fallback = host_fallback (spec, mnt->type);
  /* A read-only tmpfs is mounted writable so that /dev can be filled, and
   * made read-only after the devices. */
  mnt->readonly_later = strcmp (mnt->type, "tmpfs") == 0 && (mnt->o.flags & MS_RDONLY)
                        && !(mnt->o.flags & MS_REMOUNT);
  if (mnt->readonly_later)
    mnt->o.flags &= ~(unsigned long) MS_RDONLY;
}

static int
plan_mount (struct rootfs_plan *plan, const struct oci_spec *spec, size_t i, tong_error *err)
{
  const struct oci_mount *m = &spec->mounts[i];
  struct rootfs_op *op = rootfs_plan_add (plan, ROOTFS_OP_MOUNT);
  struct rootfs_mount *mnt = &op->mount;
  int r;

  mnt->index = i;
  mnt->m = m;
  if (m->destination == NULL || *m->destination == '\0')
    return tong_err (err, 0, "mounts[%zu]: a mount has no destination", i);
  mnt->replaces_root = path_equal (m->destination, "/");
  if (mnt->replaces_root && i > 0)
    return tong_err (err, 0, "mounts[%zu]: a mount on `/` replaces the root and must come first",
                     i);
  r = mount_options_parse (m->options, &mnt->o, err);
  if (r < 0)
    return tong_err_prefix (err, "mounts[%zu]: mount on `%s`", i, m->destination);
  if (is_bind (m, &mnt->o))
    {
      op->kind = ROOTFS_OP_BIND;
      mnt->o.flags |= MS_BIND;
      mnt->source = m->source;
      if (m->source == NULL || *m->source == '\0')
        return tong_err (err, 0, "mounts[%zu]: bind mount on `%s` has no source", i,
                         m->destination);
      return 0;
    }
  if (m->type == NULL || *m->type == '\0')
    return tong_err (err, 0,
                     "mounts[%zu]: mount on `%s` has no type (use e.g. \"bind\", \"tmpfs\")", i,
                     m->destination);
  plan_filesystem (plan, spec, op);
  return 0;
}

static bool
is_mount (const struct rootfs_op *op)
{
  return op->kind == ROOTFS_OP_BIND || op->kind == ROOTFS_OP_MOUNT
         || op->kind == ROOTFS_OP_MOUNT_PROC || op->kind == ROOTFS_OP_CGROUP_TREE;
}

static bool
is_mount_of (const struct rootfs_op *op, const char *type, const char *destination)
{
  return (op->kind == ROOTFS_OP_MOUNT || op->kind == ROOTFS_OP_MOUNT_PROC)
         && strcmp (op->mount.type, type) == 0
         && (destination == NULL || path_equal (op->mount.m->destination, destination));
}

/* The proc mount whose fd the init keeps: the last one, unless a later
 * mount at or above its destination hides it (the paths there are no
 * longer procfs's then, and no earlier proc mount is kept either). */
static void
plan_kept_procfs (struct rootfs_plan *plan)
{
  struct rootfs_op *kept = NULL;

  for (size_t i = 0; i < plan->n_ops; i++)
    {
      struct rootfs_op *op = &plan->ops[i];

      if (!is_mount (op))
        continue;
      if (kept && mount_path_beneath (op->mount.m->destination, kept->mount.m->destination))
        kept = NULL;
      if (is_mount_of (op, "proc", NULL))
        kept = op;
    }
  if (kept)
    {
      kept->mount.keeps_procfs = true;
      plan->procfs_dest = kept->mount.m->destination;
    }
}

/* The tmpfs mounts asked to be read-only, made so once /dev is filled (in
 * the order of the mounts: ops[1] is mounts[0]). */
static void
plan_readonly_tmpfs (struct rootfs_plan *plan, size_t n_mounts)
{
  for (size_t i = 1; i <= n_mounts; i++)
    {
      const char *path = plan->ops[i].mount.m->destination;
      unsigned long flags
          = MS_RDONLY | (plan->ops[i].mount.o.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC));
      struct rootfs_remount *op;

      if (!plan->ops[i].mount.readonly_later)
        continue;
      op = &rootfs_plan_add (plan, ROOTFS_OP_READONLY_TMPFS)->remount;
      op->path = path;
      op->flags = flags;
    }
}

static void
plan_protect (struct rootfs_plan *plan, enum rootfs_op_kind kind, char **paths)
{
  for (char **p = paths; p && *p; p++)
    {
      struct rootfs_protect *op = &rootfs_plan_add (plan, kind)->protect;

      op->path = *p;
      op->procfs_rest = plan->procfs_dest ? mount_path_beneath (plan->procfs_dest, *p) : NULL;
    }
}

static int
plan_build (const struct oci_spec *spec, struct rootfs_plan *plan, tong_error *err)
{
  const struct oci_linux *l = spec->linux_;
  const char *propagation
      = l && l->rootfs_propagation && *l->rootfs_propagation ? l->rootfs_propagation : NULL;
  struct rootfs_root *root = &rootfs_plan_add (plan, ROOTFS_OP_PREPARE_ROOT)->root;
  unsigned long asked = 0;
  bool dev_bound = false, devpts = false;
  int r;

  if (propagation)
    {
      r = mount_propagation_parse (propagation, &asked, err);
      if (r < 0)
        return r;
    }
  root->propagation = asked ? asked : MS_REC | MS_PRIVATE;
  root->parent_private = (root->propagation & MS_SHARED) != 0;

  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      const struct rootfs_op *op;

      r = plan_mount (plan, spec, i, err);
      if (r < 0)
        return r;
      op = &plan->ops[plan->n_ops - 1];
      dev_bound |= op->kind == ROOTFS_OP_BIND && path_equal (op->mount.m->destination, "/dev");
      devpts |= is_mount_of (op, "devpts", "/dev/pts");
    }
  plan_kept_procfs (plan);
  /* A bind that provides /dev provides its nodes and links too. */
  if (!dev_bound)
    {
      r = rootfs_plan_dev (plan, spec, devpts, err);
      if (r < 0)
        return r;
    }
  plan_readonly_tmpfs (plan, spec->mounts_len);

  rootfs_plan_add (plan, ROOTFS_OP_PIVOT);
  if (asked)
    {
      root = &rootfs_plan_add (plan, ROOTFS_OP_PROPAGATION)->root;
      root->propagation = asked;
      root->name = propagation;
    }
  r = rootfs_plan_sysctls (plan, spec, err);
  if (r < 0)
    return r;
  plan_protect (plan, ROOTFS_OP_READONLY_PATH, l ? l->readonly_paths : NULL);
  plan_protect (plan, ROOTFS_OP_MASK, l ? l->masked_paths : NULL);
  if (spec->root && spec->root->readonly)
    rootfs_plan_add (plan, ROOTFS_OP_READONLY_ROOT);
  return 0;
}

int
rootfs_plan_build (const struct oci_spec *spec, bool userns, bool cgroup_v1,
                   struct rootfs_plan *plan, tong_error *err)
{
  int r;

  memset (plan, 0, sizeof *plan);
  plan->userns = userns;
  plan->cgroup_v1 = cgroup_v1;
  r = plan_build (spec, plan, err);
  if (r < 0)
    rootfs_plan_free (plan);
  return r;
}

void
rootfs_plan_free (struct rootfs_plan *plan)
{
  for (size_t i = 0; plan->ops && i < plan->n_ops; i++)
    {
      struct rootfs_op *op = &plan->ops[i];

      switch (op->kind)
        {
        case ROOTFS_OP_BIND:
        case ROOTFS_OP_MOUNT:
        case ROOTFS_OP_MOUNT_PROC:
        case ROOTFS_OP_CGROUP_TREE:
          mount_options_release (&op->mount.o);
          break;
        case ROOTFS_OP_MKNOD:
        case ROOTFS_OP_BIND_NODE:
          free (op->node.dir);
          free (op->node.name);
          break;
        case ROOTFS_OP_SYSCTL:
          free (op->sysctl.proc_path);
          break;
        default:
          break;
        }
    }
  free (plan->ops);
  plan->ops = NULL;
  plan->n_ops = 0;
  plan->procfs_dest = NULL;
}

static char *
describe_mount (const struct rootfs_op *op)
{
  const struct rootfs_mount *mnt = &op->mount;

  if (op->kind == ROOTFS_OP_BIND)
    return xasprintf ("bind %s on %s flags=%#lx remount=%#lx propagation=%#lx", mnt->source,
                      mnt->m->destination, mnt->o.flags, mount_options_bind_remount_flags (&mnt->o),
                      mnt->o.propagation);
  return xasprintf (
      "mount %s %s on %s flags=%#lx data=%s propagation=%#lx%s%s%s%s", mnt->type, mnt->source,
      mnt->m->destination, mnt->o.flags, mnt->o.data ? mnt->o.data : "", mnt->o.propagation,
      mnt->keeps_procfs ? " (procfs kept)" : "", mnt->host_fallback ? " or bind the host's " : "",
      mnt->host_fallback ? mnt->host_fallback : "", mnt->replaces_root ? " (the new root)" : "");
}

static char *
describe_protect (const char *what, const struct rootfs_protect *p)
{
  if (p->procfs_rest)
    return xasprintf ("%s %s below the procfs: %s", what, p->path,
                      *p->procfs_rest ? p->procfs_rest : ".");
  return xasprintf ("%s %s", what, p->path);
}

static char *
describe_op (const struct rootfs_op *op)
{
  switch (op->kind)
    {
    case ROOTFS_OP_PREPARE_ROOT:
      return xasprintf ("root propagation=%#lx%s", op->root.propagation,
                        op->root.parent_private ? " parent private" : "");
    case ROOTFS_OP_BIND:
    case ROOTFS_OP_MOUNT:
    case ROOTFS_OP_MOUNT_PROC:
      return describe_mount (op);
    case ROOTFS_OP_CGROUP_TREE:
      return xasprintf ("cgroup-tree on %s flags=%#lx", op->mount.m->destination,
                        op->mount.o.flags);
    case ROOTFS_OP_MKNOD:
      return xasprintf ("mknod %s %c %u:%u mode=%04o uid=%u gid=%u", op->node.path, op->node.type,
                        op->node.major, op->node.minor, (unsigned) (op->node.mode & 07777),
                        (unsigned) op->node.uid, (unsigned) op->node.gid);
    case ROOTFS_OP_BIND_NODE:
      return xasprintf ("host-node %s %c %u:%u", op->node.path, op->node.type, op->node.major,
                        op->node.minor);
    case ROOTFS_OP_SYMLINK:
      return xasprintf ("symlink %s/%s -> %s%s", op->symlink.dir, op->symlink.name,
                        op->symlink.target, op->symlink.replace ? " (replacing)" : "");
    case ROOTFS_OP_READONLY_TMPFS:
      return xasprintf ("remount-ro %s flags=%#lx", op->remount.path, op->remount.flags);
    case ROOTFS_OP_PIVOT:
      return xstrdup ("pivot_root");
    case ROOTFS_OP_PROPAGATION:
      return xasprintf ("propagation %#lx on /", op->root.propagation);
    case ROOTFS_OP_SYSCTL:
      return xasprintf ("sysctl %s = %s", op->sysctl.proc_path, op->sysctl.value);
    case ROOTFS_OP_READONLY_PATH:
      return describe_protect ("readonly-path", &op->protect);
    case ROOTFS_OP_MASK:
      return describe_protect ("mask", &op->protect);
    case ROOTFS_OP_READONLY_ROOT:
      return xstrdup ("readonly-root");
    }
  return xasprintf ("unknown operation %d", (int) op->kind);
}

char *
rootfs_plan_describe (const struct rootfs_plan *plan)
{
  char *text = xstrdup ("");

  for (size_t i = 0; i < plan->n_ops; i++)
    {
      _cleanup_free_ char *line = describe_op (&plan->ops[i]);
      char *joined = xasprintf ("%s%s\n", text, line);

      free (text);
      text = joined;
    }
  return text;
}
