#include "create-plan.h"

#include <sched.h>

#include "oci/config.h"
#include "src/base/util.h"
#include "src/netns/annotations.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

/* Whether the container has a namespace of type t, new or joined. */
static bool
wants (const struct oci_spec *spec, const struct create_facts *f, enum oci_ns_type t)
{
  return oci_spec_namespace (spec, t) != NULL || (t == OCI_NS_USER && f->rootless_userns);
}

/* Whether the init may set itself up as soon as it is born, while the
 * runtime writes the state: nothing the runtime does between the clone and
 * SYNC_GO concerns the init then.  Not so with a user namespace (its id maps
 * come first), with prestart, createRuntime or createContainer hooks (they
 * run before the init's pivot_root and may read the state with `tong
 * state`), or with networking to connect (net_setup needs the init's
 * namespace). */
static bool
early_release (const struct oci_spec *spec, const struct create_facts *f)
{
  const struct oci_hooks *h = spec->hooks;

  if (wants (spec, f, OCI_NS_USER))
    return false;
  if (h && (h->prestart.len || h->create_runtime.len || h->create_container.len))
    return false;
  return !net_annotated (&spec->annotations);
}

void
create_plan_make (const struct oci_spec *spec, const struct create_facts *f, struct create_plan *p)
{
  const struct oci_linux *l = spec->linux_;
  unsigned long flags = 0;

  *p = (struct create_plan){ 0 };
  for (size_t i = 0; l && i < l->namespaces_len; i++)
    if (l->namespaces[i].path == NULL && oci_ns_info (l->namespaces[i].type))
      flags |= (unsigned long) oci_ns_info (l->namespaces[i].type)->flag;
  if (f->rootless_userns)
    flags |= CLONE_NEWUSER;

  p->new_userns = wants (spec, f, OCI_NS_USER) && !f->joined[OCI_NS_USER];
  p->defer_hide = p->new_userns && wants (spec, f, OCI_NS_PID) && !f->joined[OCI_NS_PID];
  p->new_netns = wants (spec, f, OCI_NS_NETWORK) && !f->joined[OCI_NS_NETWORK];
  p->new_timens = wants (spec, f, OCI_NS_TIME) && !f->joined[OCI_NS_TIME];
  p->early_release = early_release (spec, f);
  p->defer_netns = p->early_release && p->new_netns;
  p->rootfs_in_userns = wants (spec, f, OCI_NS_USER) || f->in_userns;
  if (f->rootless_userns)
    p->id_maps = (struct ns_id_maps){ f->rootless_maps.uids, f->rootless_maps.gids,
                                      f->rootless_maps.n_uids, f->rootless_maps.n_gids };
  else if (l)
    p->id_maps = (struct ns_id_maps){ l->uid_mappings, l->gid_mappings, l->uid_mappings_len,
                                      l->gid_mappings_len };
  /* A pid namespace by path is joined by the runtime before the clone. */
  p->ns_skip = 1u << OCI_NS_PID;

  /* The time namespace is unshared by the init so that its offsets can be
   * written before any process lives in it; with a user namespace joined by
   * path, the other new namespaces must belong to that one: unshared after it. */
  flags &= ~(unsigned long) CLONE_NEWTIME;
  if (p->defer_netns)
    {
      flags &= ~(unsigned long) CLONE_NEWNET;
      p->unshare_flags |= CLONE_NEWNET;
    }
  if (f->joined[OCI_NS_USER])
    {
      p->unshare_flags = flags & ~(unsigned long) (CLONE_NEWPID | CLONE_NEWUSER);
      flags &= CLONE_NEWPID;
    }
  /* A new cgroup namespace is rooted at the cgroups its maker is in: where
   * the init is moved after its clone, it makes the namespace itself once
   * it is there (at SYNC_GO). */
  if (f->cgroup_after_clone && (flags & CLONE_NEWCGROUP))
    {
      flags &= ~(unsigned long) CLONE_NEWCGROUP;
      p->unshare_flags |= CLONE_NEWCGROUP;
    }
  p->clone_flags = flags;
  p->nfds = f->preserve_fds + f->listen_fds;
  p->first_closed_fd = 3 + p->nfds;
  if (f->listen_fds > 0)
    {
      str_format (p->env[0], sizeof p->env[0], "LISTEN_FDS=%d", f->listen_fds);
      str_format (p->env[1], sizeof p->env[1], "LISTEN_PID=1");
      p->n_env = 2;
    }
}

char *
create_plan_describe (const struct create_plan *p)
{
  return xasprintf ("clone=%#lx unshare=%#lx skip=%#x%s%s%s%s%s%s%s nfds=%d maps=%zu/%zu%s%s%s%s",
                    p->clone_flags, p->unshare_flags, p->ns_skip,
                    p->new_userns ? " new_userns" : "", p->defer_hide ? " defer_hide" : "",
                    p->new_timens ? " new_timens" : "", p->new_netns ? " new_netns" : "",
                    p->early_release ? " early_release" : "", p->defer_netns ? " defer_netns" : "",
                    p->rootfs_in_userns ? " rootfs_in_userns" : "", p->nfds, p->id_maps.n_uids,
                    p->id_maps.n_gids, p->n_env ? " env=" : "", p->n_env ? p->env[0] : "",
                    p->n_env ? "," : "", p->n_env ? p->env[1] : "");
}
