/* Container places, calls to the runtime, and teardown. */
#include "src/shim/container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "src/overlay/overlay.h"
#include "src/shim/db.h"
#include "src/shim/layout.h"
#include "src/shim/userns.h"
#include "src/shim/users.h"
#include "src/base/util.h"

void
ctr_paths_init (const struct shim_globals *g, const char *store_root, const char *id,
                struct ctr_paths *p)
{
  p->bundle = xasprintf ("%s/containers/%s", g->runroot, id);
  p->rootfs = xasprintf ("%s/rootfs", p->bundle);
  p->log = xasprintf ("%s/ctr.log", p->bundle);
  p->data = xasprintf ("%s/containers/%s", store_root, id);
  p->upper = xasprintf ("%s/upper", p->data);
  p->work = xasprintf ("%s/work", p->data);
  p->tong_root = xasprintf ("%s/tong", g->runroot);
  p->fuse_mark = xasprintf ("%s/mount-program", p->bundle);
}

void
ctr_paths_clear (struct ctr_paths *p)
{
  free (p->bundle);
  free (p->rootfs);
  free (p->log);
  free (p->data);
  free (p->upper);
  free (p->work);
  free (p->tong_root);
  free (p->fuse_mark);
  memset (p, 0, sizeof *p);
}

void
ctr_new_id (char id[65])
{
  unsigned char b[32];
  size_t got = 0;

  while (got < sizeof b)
    {
      ssize_t n = getrandom (b + got, sizeof b - got, 0);
      if (n > 0)
        got += (size_t) n;
    }
  for (int i = 0; i < 32; i++)
    sprintf (id + 2 * i, "%02x", b[i]);
}

int
runtime_spawn (const char *runtime, const char *tong_root, char *const *args, int in, int out,
               int errfd, pid_t *pid, tong_error *err)
{
  size_t n = 0;
  char **argv;
  pid_t child;

  while (args[n])
    n++;
  argv = xcalloc (n + 4, sizeof *argv);
  argv[0] = (char *) runtime;
  argv[1] = (char *) "--root";
  argv[2] = (char *) tong_root;
  memcpy (argv + 3, args, n * sizeof *argv);
  child = fork ();
  if (child < 0)
    {
      free (argv);
      return tong_err (err, errno, "fork");
    }
  if (child == 0)
    {
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      signal (SIGINT, SIG_DFL);
      signal (SIGQUIT, SIG_DFL);
      if ((in >= 0 && dup2 (in, 0) < 0) || (out >= 0 && dup2 (out, 1) < 0)
          || (errfd >= 0 && dup2 (errfd, 2) < 0))
        _exit (127);
      if (strchr (runtime, '/'))
        execv (runtime, argv);
      else
        execvp (runtime, argv);
      fprintf (stderr, "tong-shim: cannot run the runtime %s: %s (give its path with --runtime)\n",
               runtime, strerror (errno));
      _exit (127);
    }
  free (argv);
  *pid = child;
  return 0;
}

static volatile pid_t forward_to;

static void
forward_signal (int sig)
{
  if (forward_to > 0)
    kill (forward_to, sig);
}

int
wait_forwarding (pid_t pid)
{
  struct sigaction sa = { .sa_handler = forward_signal }, old_term, old_hup, old_int, old_quit;
  struct sigaction ign = { .sa_handler = SIG_IGN };
  int st = 0;

  forward_to = pid;
  sigaction (SIGTERM, &sa, &old_term);
  sigaction (SIGHUP, &sa, &old_hup);
  /* The terminal sends these to the whole foreground group: tong gets its own copy. */
  sigaction (SIGINT, &ign, &old_int);
  sigaction (SIGQUIT, &ign, &old_quit);
  while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
    ;
  forward_to = 0;
  sigaction (SIGTERM, &old_term, NULL);
  sigaction (SIGHUP, &old_hup, NULL);
  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGQUIT, &old_quit, NULL);
  if (WIFEXITED (st))
    return WEXITSTATUS (st);
  if (WIFSIGNALED (st))
    return 128 + WTERMSIG (st);
  return 255;
}

int
runtime_call (const char *runtime, const char *tong_root, char *const *args, bool quiet,
              int *status, tong_error *err)
{
  _cleanup_close_ int null = quiet ? open ("/dev/null", O_RDWR | O_CLOEXEC) : -1;
  pid_t pid = -1;
  int r = runtime_spawn (runtime, tong_root, args, quiet ? null : -1, quiet ? null : -1,
                         quiet ? null : -1, &pid, err);
  if (r < 0)
    return r;
  *status = wait_forwarding (pid);
  return 0;
}

/* tong's state of the container as a parsed tree, or NULL when tong has no
 * such container. */
static yajl_val
runtime_state (const struct shim_globals *g, const char *tong_root, const char *id)
{
  int fds[2];
  pid_t pid = -1;
  tong_error e = { 0 };
  _cleanup_free_ char *out = NULL;
  size_t len;
  _cleanup_close_ int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  int st;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return NULL;
  if (runtime_spawn (g->runtime, tong_root, (char *const[]){ (char *) "state", (char *) id, NULL },
                     null, fds[1], null, &pid, &e)
      < 0)
    {
      close (fds[0]);
      close (fds[1]);
      return NULL;
    }
  close (fds[1]);
  read_fd_all (fds[0], &out, &len, &e);
  close (fds[0]);
  while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
    ;
  if (!out || !WIFEXITED (st) || WEXITSTATUS (st) != 0)
    return NULL;
  return yajl_tree_parse (out, NULL, 0);
}

char *
runtime_status (const struct shim_globals *g, const char *tong_root, const char *id)
{
  const char *path[] = { "status", NULL };
  yajl_val tree = runtime_state (g, tong_root, id), v;
  char *res = NULL;

  v = tree ? yajl_tree_get (tree, path, yajl_t_string) : NULL;
  if (v)
    res = xstrdup (YAJL_GET_STRING (v));
  if (tree)
    yajl_tree_free (tree);
  return res;
}

/* tong's record of the container's init pid, or 0. */
static pid_t
runtime_pid (const struct shim_globals *g, const char *tong_root, const char *id)
{
  const char *path[] = { "pid", NULL };
  yajl_val tree = runtime_state (g, tong_root, id), v;
  pid_t pid = 0;

  v = tree ? yajl_tree_get (tree, path, yajl_t_number) : NULL;
  if (v && YAJL_IS_INTEGER (v) && YAJL_GET_INTEGER (v) > 0)
    pid = (pid_t) YAJL_GET_INTEGER (v);
  if (tree)
    yajl_tree_free (tree);
  return pid;
}

struct resolved
{
  int r;
  uid_t uid;
  gid_t gid;
  tong_error err;
};

int
ctr_user_resolve (const struct shim_globals *g, const struct ctr_paths *p, const char *id,
                  const char *spec, uid_t *uid, gid_t *gid, tong_error *err)
{
  struct resolved res = { .r = -EIO };
  struct user_ids u = { 0 };
  char path[64];
  int fds[2], st, r;
  pid_t pid, child;

  if (!g->rootless)
    {
      _cleanup_close_ int root = open (p->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
      if (root < 0)
        return tong_err (err, errno, "container %s has no mounted root (is it running?)", id);
      r = user_resolve (root, spec, &u, err);
      *uid = u.uid;
      *gid = u.gid;
      user_ids_clear (&u);
      return r;
    }
  /* Rootless, the root is mounted only inside the container's namespaces
   * (a FUSE root even refuses processes of other user namespaces): a child
   * joins the container's user namespace and reads it through the init. */
  pid = runtime_pid (g, p->tong_root, id);
  if (pid <= 0)
    return tong_err (err, ESRCH, "container %s is not running", id);
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return tong_err (err, errno, "pipe");
  child = fork ();
  if (child < 0)
    {
      close (fds[0]);
      close (fds[1]);
      return tong_err (err, errno, "fork");
    }
  if (child == 0)
    {
      _cleanup_close_ int ns = -1, root = -1;
      close (fds[0]);
      snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
      ns = open (path, O_RDONLY | O_CLOEXEC);
      if (ns < 0 || setns (ns, CLONE_NEWUSER) < 0)
        res.r = tong_err (&res.err, errno, "join the user namespace of container %s", id);
      else
        {
          snprintf (path, sizeof path, "/proc/%d/root", (int) pid);
          root = open (path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
          res.r = root < 0 ? tong_err (&res.err, errno, "open the root of container %s", id)
                           : user_resolve (root, spec, &u, &res.err);
          res.uid = u.uid;
          res.gid = u.gid;
        }
      _exit (write (fds[1], &res, sizeof res) == (ssize_t) sizeof res ? 0 : 1);
    }
  close (fds[1]);
  if (read (fds[0], &res, sizeof res) != (ssize_t) sizeof res)
    res.r = tong_err (&res.err, EIO, "resolve user %s in container %s: the helper died", spec, id);
  close (fds[0]);
  while (waitpid (child, &st, 0) < 0 && errno == EINTR)
    ;
  if (res.r < 0)
    {
      *err = res.err;
      return res.r;
    }
  *uid = res.uid;
  *gid = res.gid;
  return 0;
}

int
ctr_teardown (struct shim *s, const char *id, tong_error *err)
{
  struct ctr_paths p;
  tong_error e = { 0 };
  int st, r = 0;
  char *status;

  ctr_paths_init (s->g, s->store.root, id, &p);
  status = runtime_status (s->g, p.tong_root, id);
  if (status)
    r = runtime_call (s->g->runtime, p.tong_root,
                      (char *const[]){ (char *) "delete", (char *) "--force", (char *) id, NULL },
                      false, &st, err);
  free (status);
  /* Rootless, the root was mounted only inside the container. */
  if (r == 0 && !s->g->rootless && access (p.rootfs, F_OK) == 0
      && overlay_unmount (p.rootfs, &e) < 0 && e.errnum != EINVAL && e.errnum != ENOENT)
    {
      *err = e;
      r = -e.errnum;
    }
  if (r == 0)
    r = rm_rf_at (AT_FDCWD, p.bundle, err);
  if (r == 0)
    r = shim_remove_tree (s->g, p.data, err);
  if (r == 0)
    r = db_container_remove (s->db, id, err);
  ctr_paths_clear (&p);
  return r;
}
