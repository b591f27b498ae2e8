/* tong-shim ps, logs, stop, rm and exec. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci/image.h"
#include "src/shim/container.h"
#include "src/shim/db.h"
#include "src/shim/shim.h"
#include "src/shim/users.h"
#include "src/base/util.h"

/* Flags parsing for the commands whose options are few: returns the index of
 * the first operand. */
static int
simple_flags (int argc, char **argv, const char *shortopts, const struct option *opts,
              void (*set) (int c, const char *arg, void *ctx), void *ctx, tong_error *err)
{
  int c;
  opterr = 0;
  while ((c = getopt_long (argc, argv, shortopts, opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          shim_command_usage (argv[0]);
          exit (0);
        }
      if (c == '?' || c == ':')
        return shim_unknown_option (argc, argv, err);
      set (c, optarg, ctx);
    }
  return optind;
}

/* The state to show: the DB's, checked against tong for running ones. */
static const char *
live_state (struct shim *s, const struct db_container *c, const struct ctr_paths *p)
{
  _cleanup_free_ char *st = NULL;
  if (strcmp (c->state, "running") != 0)
    return c->state;
  st = runtime_status (s->g, p->tong_root, c->id);
  return st && strcmp (st, "stopped") != 0 ? "running" : "exited";
}

struct ps_flags
{
  bool all, quiet, no_trunc;
};

static void
ps_set (int c, const char *arg, void *ctx)
{
  struct ps_flags *f = ctx;
  (void) arg;
  if (c == 'a')
    f->all = true;
  else if (c == 'q')
    f->quiet = true;
  else if (c == 'n')
    f->no_trunc = true;
}

int
cmd_ps (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "quiet", no_argument, NULL, 'q' },
    { "no-trunc", no_argument, NULL, 'n' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct ps_flags f = { 0 };
  _cleanup_strv_ char **ids = NULL;
  struct shim s = { 0 };
  int r = simple_flags (argc, argv, "+aqh", opts, ps_set, &f, err);

  if (r < 0)
    return r;
  if (r != argc)
    return tong_err (err, 0, "ps: takes no arguments");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  r = db_container_ids (s.db, &ids, err);
  if (r == 0 && !f.quiet)
    printf ("%-12s  %-24s  %-20s  %-16s  %s\n", "CONTAINER ID", "IMAGE", "COMMAND", "STATUS",
            "NAMES");
  for (size_t i = 0; r == 0 && ids[i]; i++)
    {
      struct db_container c;
      struct ctr_paths p;
      struct db_image img;
      tong_error e = { 0 };
      char status[32];
      const char *state;
      if (db_container_find (s.db, ids[i], &c, &e) < 0)
        continue;
      ctr_paths_init (g, s.store.root, c.id, &p);
      state = live_state (&s, &c, &p);
      if (f.all || strcmp (state, "running") == 0)
        {
          if (strcmp (state, "exited") == 0 && c.exit_code >= 0)
            snprintf (status, sizeof status, "Exited (%d)", c.exit_code);
          else
            snprintf (status, sizeof status, "%c%s", state[0] - 32, state + 1);
          if (f.quiet)
            printf ("%.*s\n", f.no_trunc ? 64 : 12, c.id);
          else
            {
              const char *image = c.image;
              if (db_image_get (s.db, c.image, &img, &e) == 0 && img.tags[0])
                image = img.tags[0];
              printf ("%.*s  %-24s  %-20.20s  %-16s  %s\n", f.no_trunc ? 64 : 12, c.id, image,
                      c.command, status, c.name);
              if (image != c.image)
                db_image_clear (&img);
            }
        }
      ctr_paths_clear (&p);
      db_container_clear (&c);
    }
  shim_close (&s);
  return r;
}

static void
no_flags (int c, const char *arg, void *ctx)
{
  (void) c, (void) arg, (void) ctx;
}

int
cmd_logs (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  struct shim s = { 0 };
  struct db_container c = { 0 };
  struct ctr_paths p;
  _cleanup_close_ int fd = -1;
  int r = simple_flags (argc, argv, "+h", opts, no_flags, NULL, err);
  char buf[65536];
  ssize_t n;

  if (r < 0)
    return r;
  if (argc - r != 1)
    return tong_err (err, 0, "logs: give exactly one container");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  r = db_container_find (s.db, argv[optind], &c, err);
  if (r < 0)
    {
      shim_close (&s);
      return r;
    }
  ctr_paths_init (g, s.store.root, c.id, &p);
  if (!c.detached)
    r = tong_err (err, 0,
                  "logs: container %s ran in the foreground: its output went to the "
                  "terminal, not to a log",
                  c.name);
  else if ((fd = open (p.log, O_RDONLY | O_CLOEXEC)) < 0 && errno != ENOENT)
    r = tong_err (err, errno, "logs: open %s", p.log);
  while (r == 0 && fd >= 0 && (n = read (fd, buf, sizeof buf)) > 0)
    if (write_all (1, buf, (size_t) n) < 0)
      r = tong_err (err, errno, "logs: write");
  ctr_paths_clear (&p);
  db_container_clear (&c);
  shim_close (&s);
  return r;
}

/* Poll until the container is no longer running (tong says so or its
 * monitor recorded the exit); true when it stopped within secs. */
static bool
wait_stopped (struct shim *s, const char *id, const struct ctr_paths *p, double secs)
{
  for (long i = 0; i <= (long) (secs * 20); i++)
    {
      _cleanup_free_ char *st = runtime_status (s->g, p->tong_root, id);
      if (!st || strcmp (st, "stopped") == 0)
        return true;
      usleep (50000);
    }
  return false;
}

/* Wait for the monitor (or the foreground tong-shim) to record the exit. */
static void
wait_recorded (struct shim *s, const char *id)
{
  for (int i = 0; i < 100; i++)
    {
      struct db_container c;
      tong_error e = { 0 };
      bool done;
      if (db_container_find (s->db, id, &c, &e) < 0)
        return; /* --rm: gone */
      done = strcmp (c.state, "running") != 0;
      db_container_clear (&c);
      if (done)
        return;
      usleep (50000);
    }
}

/* The image's StopSignal when it names a signal, else TERM (as podman). */
static char *
stop_signal (struct shim *s, const char *image)
{
  _cleanup_free_ char *json = NULL;
  struct oci_image_config ic;
  tong_error e = { 0 };
  size_t len;
  char *sig = NULL;

  if (store_blob_read (&s->store, image, &json, &len, &e) == 0
      && oci_image_config_parse (json, len, &ic, &e) == 0)
    {
      if (ic.stop_signal && signal_parse (ic.stop_signal) > 0)
        sig = xstrdup (ic.stop_signal);
      oci_image_config_clear (&ic);
    }
  return sig ? sig : xstrdup ("TERM");
}

static int
stop_one (struct shim *s, const char *what, double secs, tong_error *err)
{
  struct db_container c = { 0 };
  struct ctr_paths p;
  _cleanup_free_ char *id = NULL, *signame = NULL;
  int st, r;

  r = db_container_find (s->db, what, &c, err);
  if (r < 0)
    return r;
  id = xstrdup (c.id);
  signame = stop_signal (s, c.image);
  db_container_clear (&c);
  ctr_paths_init (s->g, s->store.root, id, &p);
  if (!wait_stopped (s, id, &p, 0))
    {
      r = runtime_call (s->g->runtime, p.tong_root,
                        (char *const[]){ (char *) "kill", id, signame, NULL }, true, &st, err);
      if (r == 0 && !wait_stopped (s, id, &p, secs))
        r = runtime_call (s->g->runtime, p.tong_root,
                          (char *const[]){ (char *) "kill", id, (char *) "KILL", NULL }, true, &st,
                          err);
      if (r == 0)
        wait_stopped (s, id, &p, 10);
    }
  if (r == 0)
    wait_recorded (s, id);
  ctr_paths_clear (&p);
  return r;
}

struct stop_flags
{
  double secs;
  bool bad;
  bool force;
};

static void
stop_set (int c, const char *arg, void *ctx)
{
  struct stop_flags *f = ctx;
  char *end;
  if (c == 't')
    {
      f->secs = strtod (arg, &end);
      f->bad = *end || end == arg || f->secs < 0;
    }
  else if (c == 'f')
    f->force = true;
}

int
cmd_stop (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = {
    { "time", required_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct stop_flags f = { .secs = 10 };
  struct shim s = { 0 };
  int first = simple_flags (argc, argv, "+t:h", opts, stop_set, &f, err), r;

  if (first < 0)
    return first;
  if (f.bad)
    return tong_err (err, 0, "stop: --time wants a number of seconds");
  if (first == argc)
    return tong_err (err, 0, "stop: give the containers to stop");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  for (int i = first; r == 0 && i < argc; i++)
    {
      r = stop_one (&s, argv[i], f.secs, err);
      if (r == 0)
        printf ("%s\n", argv[i]);
    }
  shim_close (&s);
  return r;
}

int
cmd_rm (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct stop_flags f = { 0 };
  struct shim s = { 0 };
  int first = simple_flags (argc, argv, "+fh", opts, stop_set, &f, err), r;

  if (first < 0)
    return first;
  if (first == argc)
    return tong_err (err, 0, "rm: give the containers to remove");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  for (int i = first; r == 0 && i < argc; i++)
    {
      struct db_container c;
      struct ctr_paths p;
      const char *state;
      r = db_container_find (s.db, argv[i], &c, err);
      if (r < 0)
        break;
      ctr_paths_init (g, s.store.root, c.id, &p);
      state = live_state (&s, &c, &p);
      if (strcmp (state, "running") == 0 && !f.force)
        r = tong_err (err, 0, "rm: container %s is running: stop it first, or use rm --force",
                      argv[i]);
      else if (strcmp (state, "running") == 0)
        r = stop_one (&s, c.id, 0, err);
      if (r == 0)
        r = ctr_teardown (&s, c.id, err);
      if (r == 0)
        printf ("%s\n", c.id);
      ctr_paths_clear (&p);
      db_container_clear (&c);
    }
  shim_close (&s);
  return r;
}

int
cmd_exec (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = {
    { "interactive", no_argument, NULL, 'i' },
    { "tty", no_argument, NULL, 't' },
    { "env", required_argument, NULL, 'e' },
    { "workdir", required_argument, NULL, 'w' },
    { "user", required_argument, NULL, 'u' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  char **targs = xcalloc ((size_t) argc * 2 + 8, sizeof (char *));
  _cleanup_free_ char **owned = xcalloc (4, sizeof (char *));
  size_t n = 0;
  bool interactive = false, tty = false;
  const char *user = NULL;
  struct shim s = { 0 };
  struct db_container c = { 0 };
  struct ctr_paths p = { 0 };
  _cleanup_close_ int null = -1;
  pid_t pid = -1;
  int ch, r = 0, code = 0;

  targs[n++] = (char *) "exec";
  opterr = 0;
  while (r == 0 && (ch = getopt_long (argc, argv, "+ite:w:u:h", opts, NULL)) != -1)
    switch (ch)
      {
      case 'i':
        interactive = true;
        break;
      case 't':
        tty = true;
        targs[n++] = (char *) "--tty";
        break;
      case 'e':
        targs[n++] = (char *) "--env";
        targs[n++] = optarg;
        break;
      case 'w':
        targs[n++] = (char *) "--cwd";
        targs[n++] = optarg;
        break;
      case 'u':
        user = optarg;
        break;
      case 'h':
        shim_command_usage ("exec");
        exit (0);
      default:
        r = shim_unknown_option (argc, argv, err);
      }
  if (r == 0 && argc - optind < 2)
    r = tong_err (err, 0, "exec: give the container and the command to run");
  if (r == 0)
    r = shim_open (g, &s, err);
  if (r < 0)
    {
      free (targs);
      return r;
    }
  r = db_container_find (s.db, argv[optind], &c, err);
  if (r == 0)
    {
      ctr_paths_init (g, s.store.root, c.id, &p);
      if (user)
        {
          /* Names are the image's: resolve them in the container's root. */
          uid_t uid;
          gid_t gid;
          r = ctr_user_resolve (g, &p, c.id, user, &uid, &gid, err);
          if (r < 0)
            tong_err_prefix (err, "exec");
          else
            {
              owned[0] = xasprintf ("%u:%u", uid, gid);
              targs[n++] = (char *) "--user";
              targs[n++] = owned[0];
            }
        }
      targs[n++] = c.id;
      for (int i = optind + 1; i < argc; i++)
        targs[n++] = argv[i];
      if (r == 0 && !interactive && !tty)
        null = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (r == 0)
        r = runtime_spawn (g->runtime, p.tong_root, targs, null, -1, -1, &pid, err);
      if (r == 0)
        code = wait_forwarding (pid);
      ctr_paths_clear (&p);
      db_container_clear (&c);
    }
  shim_close (&s);
  free (owned[0]);
  free (targs);
  return r < 0 ? r : code;
}
