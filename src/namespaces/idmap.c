#include "idmap.h"
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "src/base/spawn.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

static bool
has_option (const struct oci_mount *m, const char *name)
{
  for (char **o = m->options; o && *o; o++)
    if (strcmp (*o, name) == 0)
      return true;
  return false;
}

bool
idmap_mount_wanted (const struct oci_mount *m)
{
  return m->uid_mappings_len || m->gid_mappings_len || has_option (m, "idmap")
         || has_option (m, "ridmap");
}

/* A user namespace that only carries the mappings: a child is cloned into it
 * and lives just long enough for the maps to be written and the namespace
 * opened. */
static int
userns_open (const struct oci_id_mapping *uids, size_t nuids, const struct oci_id_mapping *gids,
             size_t ngids, tong_error *err)
{
  struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
  _cleanup_free_ char *path = NULL;
  int fd = -1, r;
  pid_t child;

  child = spawn_clone (&args);
  if (child < 0)
    return tong_err (err, errno, "create a user namespace for the mount's mappings");
  if (child == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      for (;;)
        pause ();
    }
  r = ns_write_map (child, "uid_map", "the mount's uid mappings", uids, nuids, err);
  if (r == 0)
    r = ns_write_map (child, "gid_map", "the mount's gid mappings", gids, ngids, err);
  if (r == 0)
    {
      path = xasprintf ("/proc/%d/ns/user", (int) child);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        r = tong_err (err, errno, "open `%s`", path);
    }
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  return r < 0 ? r : fd;
}

/* The mappings of a mount: its own, or the container's for a bare "idmap". */
static int
mount_mappings (const struct ns_id_maps *container, const struct oci_mount *m,
                const struct oci_id_mapping **uids, size_t *nuids,
                const struct oci_id_mapping **gids, size_t *ngids, tong_error *err)
{
  *uids = m->uid_mappings;
  *nuids = m->uid_mappings_len;
  *gids = m->gid_mappings;
  *ngids = m->gid_mappings_len;
  if (*nuids == 0 && *ngids == 0)
    {
      *uids = container->uids;
      *nuids = container->n_uids;
      *gids = container->gids;
      *ngids = container->n_gids;
    }
  if (*nuids == 0 || *ngids == 0)
    return tong_err (err, 0,
                     "an idmapped mount needs both uidMappings and gidMappings (on the "
                     "mount, or linux.uidMappings/gidMappings for the \"idmap\" option)");
  return 0;
}

static bool
is_bind (const struct oci_mount *m)
{
  return (m->type && strcmp (m->type, "bind") == 0) || has_option (m, "bind")
         || has_option (m, "rbind");
}

static int
tree_open (const struct ns_id_maps *maps, const struct oci_mount *m, const char *bundle,
           tong_error *err)
{
  const struct oci_id_mapping *uids, *gids;
  _cleanup_free_ char *abs = NULL;
  _cleanup_close_ int userns = -1, tree = -1;
  const char *source = m->source;
  size_t nuids, ngids;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
  /* As runc: "rbind" clones the whole tree, "ridmap" idmaps every mount in it. */
  unsigned int clone_flags = has_option (m, "rbind") ? AT_RECURSIVE : 0;
  unsigned int attr_flags = has_option (m, "ridmap") ? AT_RECURSIVE : 0;
  int r;

  if (!is_bind (m))
    return tong_err (err, 0, "only bind mounts can be idmapped (add \"rbind\" to the options)");
  if (source == NULL || *source == '\0')
    return tong_err (err, 0, "bind mount has no source");
  if (source[0] != '/')
    {
      abs = xasprintf ("%s/%s", bundle, source);
      source = abs;
    }
  r = mount_mappings (maps, m, &uids, &nuids, &gids, &ngids, err);
  if (r < 0)
    return r;
  userns = userns_open (uids, nuids, gids, ngids, err);
  if (userns < 0)
    return userns;
  tree = sys_open_tree (AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | clone_flags);
  if (tree < 0)
    return tong_err (err, errno, "clone the mount of `%s`", source);
  attr.userns_fd = (uint64_t) userns;
  if (sys_mount_setattr (tree, "", AT_EMPTY_PATH | attr_flags, &attr) < 0)
    return tong_err (err, errno,
                     "idmap the mount of `%s` (does its filesystem support idmapped mounts?)",
                     source);
  return TAKE_FD (tree);
}

int
idmap_trees_open (const struct oci_spec *spec, const struct ns_id_maps *maps, const char *bundle,
                  struct idmap_trees *out, tong_error *err)
{
  struct idmap_trees t = { 0 };

  *out = t;
  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      int fd;

      if (!idmap_mount_wanted (&spec->mounts[i]))
        continue;
      if (t.fds == NULL)
        {
          t.len = spec->mounts_len;
          t.fds = xmalloc (t.len * sizeof *t.fds);
          for (size_t j = 0; j < t.len; j++)
            t.fds[j] = -1;
        }
      fd = tree_open (maps, &spec->mounts[i], bundle, err);
      if (fd < 0)
        {
          idmap_trees_close (&t);
          return tong_err_prefix (err, "mounts[%zu] (`%s`)", i,
                                  spec->mounts[i].destination ? spec->mounts[i].destination : "");
        }
      t.fds[i] = fd;
    }
  *out = t;
  return 0;
}

void
idmap_trees_close (struct idmap_trees *t)
{
  for (size_t i = 0; t->fds && i < t->len; i++)
    closep (&t->fds[i]);
  free (t->fds);
  t->fds = NULL;
  t->len = 0;
}

int
idmap_tree_attach (int tree, int dstfd, const char *destination, tong_error *err)
{
  if (sys_move_mount (tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return tong_err (err, errno, "move the idmapped mount onto `%s`", destination);
  return 0;
}
