/* tong-shim run: an overlay root from the image's layers, a bundle whose
 * config.json merges the image config with the flags, then `tong run`.
 * In the foreground tong-shim waits and returns the container's exit code;
 * with -d a monitor process (its own session) waits instead, writing the
 * output to the container's log and recording the exit code. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/base/log.h"
#include "src/overlay/overlay.h"
#include "src/shim/bundle.h"
#include "src/shim/container.h"
#include "src/shim/image.h"
#include "src/shim/lookup.h"
#include "src/shim/run_spec.h"
#include "src/shim/shim.h"
#include "src/shim/userns.h"
#include "src/base/util.h"

static char *
join_args (const struct run_spec *o, const struct oci_image_config *ic)
{
  tong_error e = { 0 };
  _cleanup_strv_ char **args = NULL;
  size_t len = 1;
  char *out;

  if (bundle_args (o, ic, &args, &e) < 0)
    return xstrdup ("");
  for (char **a = args; *a; a++)
    len += strlen (*a) + 1;
  out = xcalloc (len, 1);
  for (char **a = args; *a; a++)
    {
      if (a != args)
        strcat (out, " ");
      strcat (out, *a);
    }
  return out;
}

/* Rootless: the overlay's directories under short names in BUNDLE/layers
 * ("0", "1", ... top first, "u", "w"), so that the options tong mounts with
 * fit in a page; tong resolves them relative to the bundle. */
static int
link_layers (const struct image_info *img, const struct ctr_paths *p, char ***opts, tong_error *err)
{
  _cleanup_free_ char *dir = xasprintf ("%s/layers", p->bundle);
  _cleanup_close_ int fd = -1;
  size_t n = img->row.n_layers, len = strlen ("lowerdir=") + 1;
  char *lower, name[32];

  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return tong_err (err, errno, "create %s", dir);
  fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tong_err (err, errno, "open %s", dir);
  for (size_t i = 0; i < n; i++)
    {
      snprintf (name, sizeof name, "%zx", i);
      if (symlinkat (img->layer_dirs[i], fd, name) < 0)
        return tong_err (err, errno, "symlink %s/%s", dir, name);
      len += strlen ("layers/:") + strlen (name);
    }
  if (symlinkat (p->upper, fd, "u") < 0 || symlinkat (p->work, fd, "w") < 0)
    return tong_err (err, errno, "symlink the upper and work dirs in %s", dir);
  lower = xcalloc (len, 1);
  strcpy (lower, "lowerdir=");
  for (size_t i = 0; i < n; i++)
    {
      snprintf (name, sizeof name, "%slayers/%zx", i ? ":" : "", i);
      strcat (lower, name);
    }
  *opts = xcalloc (5, sizeof **opts);
  (*opts)[0] = lower;
  (*opts)[1] = xstrdup ("upperdir=layers/u");
  (*opts)[2] = xstrdup ("workdir=layers/w");
  (*opts)[3] = xstrdup ("userxattr");
  return 0;
}

/* Kernel errors that mean "no overlayfs for this user namespace": not
 * allowed there (before 5.11), userxattr unknown, no user xattrs. */
static bool
kernel_refuses_overlay (int errnum)
{
  return errnum == EPERM || errnum == EINVAL || errnum == EOPNOTSUPP || errnum == ENODEV;
}

/* The overlay root at p->rootfs: the kernel's, or (rootless) the FUSE
 * program's when --mount-program names one or the kernel refuses and
 * fuse-overlayfs is installed; *fuse names the program then. */
static int
mount_root (const struct shim_globals *g, const struct image_info *img, const struct ctr_paths *p,
            const struct overlay_options *oo, const char **fuse, tong_error *err)
{
  const char *const *lowers = (const char *const *) img->layer_dirs;
  size_t n = img->row.n_layers;
  _cleanup_free_ char *fuse_path = NULL;
  int r;

  *fuse = g->rootless ? g->mount_program : NULL;
  if (!*fuse)
    {
      r = overlay_mount (p->rootfs, lowers, n, p->upper, p->work, oo, err);
      if (r == 0 || !g->rootless || !kernel_refuses_overlay (-r))
        return r;
      fuse_path = path_lookup (FUSE_OVERLAYFS);
      if (!fuse_path)
        return r;
      log_debug ("the kernel refused overlayfs in the user namespace (%s): using %s", err->msg,
                 FUSE_OVERLAYFS);
      tong_err_clear (err);
      *fuse = FUSE_OVERLAYFS;
    }
  return overlay_mount_fuse (*fuse, p->rootfs, lowers, n, p->upper, p->work, err);
}

/* Everything up to a bundle ready for tong: overlay mounted, files written.
 * Rootless, this runs in a user namespace of its own (shim_userns_call), so
 * the overlay it mounts to read the image's users and look up the command
 * goes away with it; tong mounts the same overlay inside the container. */
static int
prepare (struct shim *s, const struct run_spec *o, const struct image_info *img, const char *id,
         const struct ctr_paths *p, int *exec_code, tong_error *err)
{
  /* Mounted writable even for --read-only: tong creates the mount points
   * (/etc/hosts, volumes) before it makes the root read-only (root.readonly). */
  struct overlay_options oo = { .read_only = false, .userxattr = s->g->rootless };
  _cleanup_close_ int bundle_fd = -1, root_fd = -1;
  _cleanup_free_ char *json = NULL;
  _cleanup_strv_ char **root_overlay = NULL;
  const char *fuse = NULL;
  struct user_ids user = { 0 };
  const char *user_spec = o->user ? o->user : img->config.user;
  char hostname[65];
  size_t len;
  int r;

  if (img->row.n_layers == 0)
    return tong_err (err, 0, "image %s has no layers: nothing to make a root filesystem of",
                     img->row.id);
  r = mkdir_p (p->rootfs, 0700, err);
  if (r == 0)
    r = mkdir_p (p->upper, 0755, err);
  if (r == 0)
    r = mkdir_p (p->work, 0700, err);
  if (r == 0 && s->g->rootless)
    r = link_layers (img, p, &root_overlay, err);
  if (r == 0)
    r = mount_root (s->g, img, p, &oo, &fuse, err);
  if (r < 0)
    return r;
  if (fuse)
    {
      /* The root is tong-shim's to mount, not tong's (see run_foreground). */
      strvfreep (&root_overlay);
      root_overlay = NULL;
      r = write_file_atomic_at (AT_FDCWD, p->fuse_mark, fuse, strlen (fuse), 0600, err);
      if (r < 0)
        return r;
    }
  root_fd = open (p->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (root_fd < 0)
    return tong_err (err, errno, "open %s", p->rootfs);
  if (user_spec && *user_spec)
    {
      r = user_resolve (root_fd, user_spec, &user, err);
      if (r < 0)
        return r;
    }
  snprintf (hostname, sizeof hostname, "%s", o->hostname ? o->hostname : id);
  if (!o->hostname)
    hostname[12] = '\0';
  struct bundle_plan plan = {
    .run = o,
    .image = &img->config,
    .user = user_spec && *user_spec ? &user : NULL,
    .bundle_dir = p->bundle,
    .hostname = hostname,
    .id = id,
    .nofile = 1024,
    .root_overlay = (const char *const *) root_overlay,
  };
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY)
    plan.nofile = rl.rlim_max;
  r = bundle_config_json (&plan, &json, &len, err);
  user_ids_clear (&user);
  if (r < 0)
    return r;
  {
    _cleanup_strv_ char **args = NULL;
    _cleanup_strv_ char **env = bundle_env (o, &img->config, hostname);
    const char *cwd = o->workdir ? o->workdir
                      : img->config.working_dir && *img->config.working_dir
                          ? img->config.working_dir
                          : "/";
    if (bundle_args (o, &img->config, &args, err) < 0)
      return -EINVAL;
    *exec_code = command_lookup (root_fd, args[0], env, cwd, o, err);
    if (*exec_code)
      return -ENOENT;
  }
  bundle_fd = open (p->bundle, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (bundle_fd < 0)
    return tong_err (err, errno, "open %s", p->bundle);
  r = write_file_atomic_at (bundle_fd, "config.json", json, len, 0600, err);
  if (r == 0)
    r = bundle_write_etc (bundle_fd, hostname, err);
  return r;
}

struct prepare_call
{
  struct shim *s;
  const struct run_spec *o;
  const struct image_info *img;
  const char *id;
  const struct ctr_paths *p;
};

/* prepare in the user namespace: a failed command lookup comes back as its
 * exit code (126, 127), other failures as -errno. */
static int
prepare_in_userns (void *arg, tong_error *err)
{
  struct prepare_call *c = arg;
  tong_error ignored;
  int exec_code = 0;
  int r = prepare (c->s, c->o, c->img, c->id, c->p, &exec_code, err);

  /* A FUSE daemon would keep this namespace, and the mount, alive. */
  overlay_unmount (c->p->rootfs, &ignored);
  return r < 0 && exec_code ? exec_code : r;
}

static int
prepare_bundle (struct shim *s, const struct run_spec *o, const struct image_info *img,
                const char *id, const struct ctr_paths *p, int *exec_code, tong_error *err)
{
  struct prepare_call c = { s, o, img, id, p };
  int r;

  if (!s->g->rootless)
    return prepare (s, o, img, id, p, exec_code, err);
  r = shim_userns_call (prepare_in_userns, &c, err);
  if (r > 0)
    {
      *exec_code = r;
      return -ENOENT;
    }
  return r;
}

/* Rootless with a FUSE root: this process enters a user namespace and
 * mounts the root there, and tong runs inside it, as root of that
 * namespace (a FUSE mount cannot be asked of tong in config.json: it needs
 * its daemon outside the container).  The FUSE program's name, or NULL. */
static char *
fuse_program (const struct ctr_paths *p)
{
  tong_error ignored;
  char *text = NULL;

  if (read_file_at (AT_FDCWD, p->fuse_mark, &text, NULL, &ignored) < 0)
    return NULL;
  return text;
}

/* Run the container in the foreground of this process; its exit code. */
static int
run_foreground (const struct shim_globals *g, const struct run_spec *o, const char *runtime,
                const struct image_info *img, const char *id, const struct ctr_paths *p, int *code,
                tong_error *err)
{
  _cleanup_close_ int null = -1;
  _cleanup_free_ char *fuse = g->rootless ? fuse_program (p) : NULL;
  pid_t pid = -1;
  int r;

  if (fuse)
    {
      r = shim_userns_enter (err);
      if (r == 0)
        r = overlay_mount_fuse (fuse, p->rootfs, (const char *const *) img->layer_dirs,
                                img->row.n_layers, p->upper, p->work, err);
      if (r < 0)
        return r;
    }

  if (!o->interactive && !o->tty)
    {
      null = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (null < 0)
        return tong_err (err, errno, "open /dev/null");
    }
  r = runtime_spawn (
      runtime, p->tong_root,
      (char *const[]){ (char *) "run", (char *) "--bundle", p->bundle, (char *) id, NULL }, null,
      -1, -1, &pid, err);
  if (r == 0)
    *code = wait_forwarding (pid);
  if (fuse)
    {
      tong_error e = { 0 };
      if (overlay_unmount (p->rootfs, &e) < 0)
        log_warning ("%s", e.msg);
    }
  return r;
}

/* After the container ended: record its exit code, unmount its root; with
 * --rm remove everything.  Reopens the store (a monitor's parent had it). */
static int
finish (const struct shim_globals *g, const struct run_spec *o, const char *id, int code,
        tong_error *err)
{
  struct shim s = { 0 };
  struct ctr_paths p;
  int r;

  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  if (o->rm)
    r = ctr_teardown (&s, id, err);
  else
    {
      tong_error e = { 0 };
      ctr_paths_init (g, s.store.root, id, &p);
      if (!g->rootless && overlay_unmount (p.rootfs, &e) < 0 && e.errnum != EINVAL)
        log_warning ("%s", e.msg);
      ctr_paths_clear (&p);
      r = db_container_set_state (s.db, id, "exited", code, err);
    }
  shim_close (&s);
  return r;
}

/* The monitor of a detached container: its own session, output to the log. */
static void
monitor (const struct shim_globals *g, const struct run_spec *o, const char *runtime,
         const struct image_info *img, const char *id, const struct ctr_paths *p)
{
  tong_error err = { 0 };
  int log_fd, null, code = SHIM_EXIT_ERROR;

  setsid ();
  log_fd = open (p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (log_fd < 0 || null < 0 || dup2 (null, 0) < 0 || dup2 (log_fd, 1) < 0 || dup2 (log_fd, 2) < 0)
    _exit (SHIM_EXIT_ERROR);
  if (run_foreground (g, o, runtime, img, id, p, &code, &err) < 0)
    log_error_report (&err);
  if (finish (g, o, id, code, &err) < 0)
    log_error_report (&err);
  _exit (code);
}

/* Wait until tong shows the container, or the monitor has ended. */
static void
wait_started (const struct shim_globals *g, const struct ctr_paths *p, const char *id, pid_t mon)
{
  for (int i = 0; i < 200; i++)
    {
      _cleanup_free_ char *st = runtime_status (g, p->tong_root, id);
      if (st && strcmp (st, "created") != 0)
        return;
      if (waitpid (mon, NULL, WNOHANG) == mon)
        return;
      usleep (50000);
    }
}

int
cmd_run (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  struct run_spec o;
  struct shim s = { 0 };
  struct image_info img = { 0 };
  struct ctr_paths p = { 0 };
  char id[65], name[32];
  const char *runtime;
  _cleanup_free_ char *command = NULL;
  int r, code = 0, exec_code = 0;
  bool made = false;

  r = run_spec_parse (argc, argv, &o, err);
  if (r < 0)
    return r;
  if (g->rootless && o.net == NET_BRIDGE)
    {
      run_spec_clear (&o);
      return tong_err (err, 0,
                       "--net bridge needs root (tong makes links and nftables rules on "
                       "the host): as another user, use --net pasta");
    }
  if (!g->rootless && o.net == NET_PASTA)
    {
      run_spec_clear (&o);
      return tong_err (err, 0,
                       "--net pasta is for users other than root (pasta will not run as "
                       "root): as root, use --net bridge");
    }
  runtime = o.runtime ? o.runtime : g->runtime;
  r = shim_open (g, &s, err);
  if (r < 0)
    goto out_spec;
  r = image_lookup (&s, o.image, &img, err);
  if (r < 0)
    goto out_shim;
  /* Catch a command-less image before anything is created. */
  {
    _cleanup_strv_ char **args = NULL;
    r = bundle_args (&o, &img.config, &args, err);
    if (r < 0)
      goto out_shim;
  }
  ctr_new_id (id);
  snprintf (name, sizeof name, "tong_%.12s", id);
  ctr_paths_init (g, s.store.root, id, &p);
  command = join_args (&o, &img.config);
  struct db_container row = {
    .id = id,
    .name = o.name ? o.name : name,
    .image = img.row.id,
    .bundle = p.bundle,
    .state = (char *) "running",
    .created = time (NULL),
    .command = command,
    .detached = o.detach,
  };
  r = db_container_put (s.db, &row, err);
  if (r < 0)
    goto out_shim;
  made = true;
  r = prepare_bundle (&s, &o, &img, id, &p, &exec_code, err);
  if (r < 0)
    goto out_shim;

  /* The store is closed before the container runs: the monitor (or this
   * process, later) reopens it, and no connection crosses a fork. */
  shim_close (&s);
  if (o.detach)
    {
      pid_t mon = fork ();
      if (mon < 0)
        {
          r = tong_err (err, errno, "fork");
          goto out_reopen;
        }
      if (mon == 0)
        monitor (g, &o, runtime, &img, id, &p);
      wait_started (g, &p, id, mon);
      printf ("%s\n", id);
      fflush (stdout);
      goto out_done;
    }
  r = run_foreground (g, &o, runtime, &img, id, &p, &code, err);
  if (r == 0)
    r = finish (g, &o, id, code, err);
  if (r < 0)
    goto out_reopen;
out_done:
  image_info_clear (&img);
  ctr_paths_clear (&p);
  run_spec_clear (&o);
  return code;

out_reopen:
  {
    tong_error e2 = { 0 };
    if (shim_open (g, &s, &e2) == 0)
      goto out_shim;
    goto out_paths;
  }
out_shim:
  if (made)
    {
      tong_error e2 = { 0 };
      if (ctr_teardown (&s, id, &e2) < 0)
        log_warning ("clean up container %s: %s", id, e2.msg);
    }
  shim_close (&s);
out_paths:
  image_info_clear (&img);
  ctr_paths_clear (&p);
out_spec:
  run_spec_clear (&o);
  if (exec_code)
    {
      /* As podman: 127 for a command that does not exist, 126 for one that
       * cannot be executed, with the message. */
      log_error_report (err);
      return exec_code;
    }
  return r;
}
