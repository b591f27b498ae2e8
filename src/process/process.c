#include "process.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "src/base/util.h"

int
process_cap_from_name (const char *name)
{
  return caps_from_name (name);
}

int
process_cap_last (void)
{
  return caps_last ();
}

int
process_check_capabilities (const struct oci_process *p, tong_error *err)
{
  struct caps_sets sets;
  return caps_parse (p->capabilities, caps_last (), &sets, err);
}

int
process_set_rlimits (pid_t pid, const struct oci_process *p, tong_error *err)
{
  for (size_t i = 0; i < p->rlimits_len; i++)
    {
      const struct oci_rlimit *l = &p->rlimits[i];
      struct rlimit rl = { .rlim_cur = (rlim_t) l->soft, .rlim_max = (rlim_t) l->hard };

      if (prlimit (pid, l->resource, &rl, NULL) < 0)
        {
          if (errno == EPERM)
            return tong_err (err, errno,
                             "set rlimit %s (soft %llu, hard %llu): raising a hard limit "
                             "needs CAP_SYS_RESOURCE",
                             l->type ? l->type : "?", (unsigned long long) l->soft,
                             (unsigned long long) l->hard);
          return tong_err (err, errno, "set rlimit %s (soft %llu, hard %llu)",
                           l->type ? l->type : "?", (unsigned long long) l->soft,
                           (unsigned long long) l->hard);
        }
    }
  return 0;
}

int
process_set_oom_score_adj (pid_t pid, const struct oci_process *p, tong_error *err)
{
  char path[64], value[32];
  int n;

  if (!p->has_oom_score_adj)
    return 0;
  str_format (path, sizeof path, "/proc/%d/oom_score_adj", (int) pid);
  n = str_format (value, sizeof value, "%d", p->oom_score_adj);
  if (write_file_at (AT_FDCWD, path, value, (size_t) n, err) < 0)
    return tong_err_prefix (err, "set process.oomScoreAdj to %d", p->oom_score_adj);
  return 0;
}

static int
set_groups (const struct oci_user *u, tong_error *err)
{
  gid_t *gids = NULL;
  _cleanup_free_ gid_t *owned = NULL;

  if (u->additional_gids_len > 0)
    {
      owned = xcalloc (u->additional_gids_len, sizeof *gids);
      gids = owned;
      for (size_t i = 0; i < u->additional_gids_len; i++)
        gids[i] = (gid_t) u->additional_gids[i];
    }
  if (setgroups (u->additional_gids_len, gids) == 0)
    return 0;
  /* In a user namespace with /proc/self/setgroups "deny" the call always
   * fails; with no groups to set, the empty list is already what we want. */
  if (errno == EPERM && u->additional_gids_len == 0)
    return 0;
  return tong_err (err, errno, "setgroups (process.user.additionalGids, %zu groups)%s",
                   u->additional_gids_len,
                   errno == EPERM ? "; a user namespace must allow setgroups for this" : "");
}

/* Hand stdio to the container user, as runc does, so that it can reopen its
 * terminal (/dev/tty) or its pipes through /proc/self/fd.  /dev/null and
 * files we may not change (EPERM/EINVAL in a user namespace) are left alone. */
static int
chown_stdio (uid_t uid, tong_error *err)
{
  struct stat null_st;
  bool have_null = stat ("/dev/null", &null_st) == 0;

  for (int fd = 0; fd < 3; fd++)
    {
      struct stat st;
      if (fstat (fd, &st) < 0)
        continue;
      if (have_null && S_ISCHR (st.st_mode) && st.st_rdev == null_st.st_rdev)
        continue;
      if (st.st_uid == uid)
        continue;
      /* Only the owner: a devpts mount may want its own gid (gid=5 option). */
      if (fchown (fd, uid, (gid_t) -1) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
        return tong_err (err, errno, "chown stdio fd %d to uid %u", fd, uid);
    }
  return 0;
}

int
process_apply_identity (const struct oci_process *p, tong_error *err)
{
  int last_cap = caps_last ();
  struct caps_sets sets;
  bool chdir_later = false;
  int r;

  r = caps_parse (p->capabilities, last_cap, &sets, err);
  if (r < 0)
    return r;

  /* chdir as root first: the directory may be reachable only by the runtime's
   * user; on EACCES try again as the container user (a volume chowned to it). */
  if (p->cwd && chdir (p->cwd) < 0)
    {
      if (errno != EACCES && errno != EPERM)
        return tong_err (err, errno, "chdir to cwd `%s` set in process.cwd", p->cwd);
      chdir_later = true;
    }

  r = caps_apply_bounding (&sets, last_cap, err);
  if (r < 0)
    return r;
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return tong_err (err, errno, "prctl PR_SET_KEEPCAPS");

  r = chown_stdio (p->user.uid, err);
  if (r < 0)
    return r;
  r = set_groups (&p->user, err);
  if (r < 0)
    return r;
  if (setresgid (p->user.gid, p->user.gid, p->user.gid) < 0)
    return tong_err (err, errno,
                     "setresgid to process.user.gid %u (is it mapped in the user namespace?)",
                     p->user.gid);
  if (setresuid (p->user.uid, p->user.uid, p->user.uid) < 0)
    return tong_err (err, errno,
                     "setresuid to process.user.uid %u (is it mapped in the user namespace?)",
                     p->user.uid);

  if (chdir_later && chdir (p->cwd) < 0)
    return tong_err (err, errno, "chdir to cwd `%s` set in process.cwd (as uid %u)", p->cwd,
                     p->user.uid);

  /* A cwd reached through a runtime fd (process.cwd "/proc/self/fd/N", the
   * CVE-2024-21626 class) lies outside the root: getcwd says so with ENOENT. */
  if (p->cwd)
    {
      char here[PATH_MAX];
      if (!getcwd (here, sizeof here))
        return tong_err (err, errno == ENOENT ? EPERM : errno,
                         "process.cwd `%s` is outside the container's root", p->cwd);
    }

  umask (p->user.has_umask ? (mode_t) p->user.umask : 0022);

  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return tong_err (err, errno, "prctl PR_SET_KEEPCAPS");
  r = caps_apply (&sets, last_cap, err);
  if (r < 0)
    return r;

  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return tong_err (err, errno, "prctl PR_SET_NO_NEW_PRIVS (process.noNewPrivileges)");
  return 0;
}
