/* The last step of the container process: find args[0] in the PATH of
 * process.env and execve it, with runc's wording when that fails. */
#include "process.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passwd.h"
#include "src/base/util.h"

/* runc's default when process.env has no PATH. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *
env_path (char *const *env)
{
  const char *path = NULL;
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], "PATH=", 5) == 0)
      path = env[i] + 5; /* the last one wins, as with a shell's export */
  return path ? path : DEFAULT_PATH;
}

/* The candidate for PATH entry [s, end): an empty entry is the current directory. */
static char *
path_candidate (const char *s, const char *end, const char *name)
{
  if (end == s)
    return xasprintf ("./%s", name);
  return xasprintf ("%.*s/%s", (int) (end - s), s, name);
}

static int
not_found (const char *name, tong_error *err)
{
  tong_err (err, 0, "exec `%s`: executable file not found in $PATH", name);
  /* Keep the message runc's, but let callers tell "not found" from a bad spec. */
  err->errnum = ENOENT;
  return -ENOENT;
}

static const char *
program_name (const struct oci_process *p, tong_error *err)
{
  if (!p->args || !p->args[0] || !p->args[0][0])
    {
      tong_err (err, 0, "process.args: empty, there is nothing to run");
      return NULL;
    }
  return p->args[0];
}

/* Is this an executable file for the lookup?  0, or -errno as execve would say. */
static int
check_file (const char *path)
{
  struct stat st;

  if (stat (path, &st) < 0)
    return -errno;
  if (S_ISDIR (st.st_mode))
    return -EISDIR;
  if (!(st.st_mode & 0111))
    return -EACCES;
  return 0;
}

/* The check runs before process_apply_identity's chdir: a relative candidate
 * ("./run.sh", or from a relative PATH entry) is looked at from process.cwd. */
static int
check_from_cwd (const struct oci_process *p, const char *path)
{
  _cleanup_free_ char *full = NULL;

  if (path[0] == '/' || !p->cwd)
    return check_file (path);
  full = xasprintf ("%s/%s", p->cwd, path);
  return check_file (full);
}

int
process_check_executable (const struct oci_process *p, tong_error *err)
{
  const char *name = program_name (p, err);
  const char *path, *s;
  bool denied = false;
  int r;

  if (!name)
    return -EINVAL;
  if (strchr (name, '/'))
    {
      r = check_from_cwd (p, name);
      if (r < 0)
        return tong_err (err, -r, "exec `%s`", name);
      return 0;
    }
  path = env_path (p->env);
  for (s = path;; s++)
    {
      const char *end = strchrnul (s, ':');
      _cleanup_free_ char *full = path_candidate (s, end, name);

      r = check_from_cwd (p, full);
      if (r == 0)
        return 0;
      if (r == -EACCES)
        denied = true;
      if (*end == '\0')
        break;
      s = end;
    }
  if (denied)
    return tong_err (err, EACCES, "exec `%s`", name);
  return not_found (name, err);
}

/* An error from execve after which other PATH entries are still worth a try. */
static bool
lookup_continues (int e)
{
  return e == ENOENT || e == ENOTDIR || e == EACCES || e == ESTALE || e == ENODEV || e == ELOOP
         || e == ENAMETOOLONG || e == ETIMEDOUT;
}

void
process_env_set (struct oci_process *p, const char *kv)
{
  size_t klen = (size_t) (strchr (kv, '=') - kv);

  for (size_t i = 0; p->env && p->env[i]; i++)
    if (strncmp (p->env[i], kv, klen + 1) == 0)
      {
        free (p->env[i]);
        p->env[i] = xstrdup (kv);
        return;
      }
  strv_add (&p->env, kv);
}

void
process_set_default_home (struct oci_process *p)
{
  _cleanup_free_ char *home = NULL, *kv = NULL;

  for (size_t i = 0; p->env && p->env[i]; i++)
    if (strncmp (p->env[i], "HOME=", 5) == 0)
      return;
  /* The container's own file, parsed here: no NSS module of the host runs. */
  passwd_find_uid ("/etc/passwd", p->user.uid, NULL, &home);
  kv = xasprintf ("HOME=%s", home ? home : "/");
  strv_add (&p->env, kv);
}

int
process_execve (const struct oci_process *p, tong_error *err)
{
  static char *const empty_env[] = { NULL };
  char *const *env = p->env ? p->env : empty_env;
  const char *name = program_name (p, err);
  const char *path, *s;
  bool denied = false;

  if (!name)
    return -EINVAL;
  if (strchr (name, '/'))
    {
      execve (name, p->args, env);
      return tong_err (err, errno, "exec `%s`", name);
    }

  /* Try each candidate with execve itself, as execvpe does: the kernel is the
   * authority on what may run, with the identity and capabilities now in place. */
  path = env_path (env);
  for (s = path;; s++)
    {
      const char *end = strchrnul (s, ':');
      _cleanup_free_ char *full = path_candidate (s, end, name);

      execve (full, p->args, env);
      if (!lookup_continues (errno))
        return tong_err (err, errno, "exec `%s` (found as `%s`)", name, full);
      /* A directory of that name is not a match: keep looking. */
      if (errno == EACCES && check_file (full) != -EISDIR)
        denied = true;
      if (*end == '\0')
        break;
      s = end;
    }
  if (denied)
    return tong_err (err, EACCES, "exec `%s`", name);
  return not_found (name, err);
}
