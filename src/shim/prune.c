/* tong-shim prune: layers no image uses, blobs nothing refers to, and what
 * killed processes left in the store's temp names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "src/shim/db.h"
#include "src/shim/shim.h"
#include "src/base/util.h"

/* Unused layers, repeatedly: removing one may free its parent. */
static int
prune_layers (struct shim *s, unsigned *n, tong_error *err)
{
  for (;;)
    {
      _cleanup_strv_ char **unused = NULL;
      int r = db_unused_layers (s->db, &unused, err);
      if (r < 0)
        return r;
      if (!unused[0])
        return 0;
      for (size_t i = 0; unused[i]; i++)
        {
          r = rm_rf_at (s->store.layers_fd, digest_hex (unused[i]), err);
          if (r == 0)
            r = db_layer_remove (s->db, unused[i], err);
          if (r < 0)
            return r;
          (*n)++;
        }
    }
}

/* A temp entry of a process that is gone (".tmp-put-<pid>-..."), or a
 * layer temp dir whose lock nobody holds. */
static bool
temp_abandoned (struct shim *s, int dirfd, const char *name)
{
  if (dirfd == s->store.blobs_fd && strncmp (name, ".tmp-", 5) == 0 && strlen (name) == 5 + 64)
    {
      /* A pull's temp file: abandoned when nobody holds its lock. */
      _cleanup_close_ int fd = openat (dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
      return fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0;
    }
  if (strncmp (name, ".tmp-put-", 9) == 0)
    {
      long pid = strtol (name + 9, NULL, 10);
      return pid > 0 && kill ((pid_t) pid, 0) < 0 && errno == ESRCH;
    }
  if (dirfd == s->store.layers_fd && strncmp (name, ".tmp-", 5) == 0)
    {
      _cleanup_free_ char *lock = xasprintf (".lock-%s", name + 5);
      _cleanup_close_ int fd = openat (dirfd, lock, O_RDWR | O_CLOEXEC);
      return fd < 0 || flock (fd, LOCK_EX | LOCK_NB) == 0;
    }
  return false;
}

static int
prune_dir (struct shim *s, int dirfd, bool blobs, unsigned *n, unsigned *temps, tong_error *err)
{
  DIR *d = fdopendir (dup (dirfd));
  struct dirent *e;
  int r = 0;

  if (!d)
    return tong_err (err, errno, "read store");
  rewinddir (d);
  while (r == 0 && (e = readdir (d)))
    {
      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      if (e->d_name[0] == '.')
        {
          if (temp_abandoned (s, dirfd, e->d_name))
            {
              r = rm_rf_at (dirfd, e->d_name, err);
              (*temps)++;
            }
          continue;
        }
      if (blobs)
        {
          _cleanup_free_ char *digest = xasprintf ("sha256:%s", e->d_name);
          if (!db_blob_referenced (s->db, digest))
            {
              r = store_blob_remove (&s->store, digest, err);
              (*n)++;
            }
        }
    }
  closedir (d);
  return r;
}

/* ROOT/tmp-load-* of loads that were killed (a running load holds an flock). */
static int
prune_load_dirs (struct shim *s, unsigned *n, tong_error *err)
{
  DIR *d = fdopendir (dup (s->store.root_fd));
  struct dirent *e;
  int r = 0;

  if (!d)
    return tong_err (err, errno, "read store");
  rewinddir (d);
  while (r == 0 && (e = readdir (d)))
    {
      _cleanup_close_ int fd = -1;
      if (strncmp (e->d_name, "tmp-load-", 9) != 0)
        continue;
      fd = openat (s->store.root_fd, e->d_name, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) < 0)
        continue;
      r = rm_rf_at (s->store.root_fd, e->d_name, err);
      (*n)++;
    }
  closedir (d);
  return r;
}

int
cmd_prune (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  struct shim s = { 0 };
  unsigned layers = 0, blobs = 0, temps = 0;
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+h", opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          shim_command_usage ("prune");
          exit (0);
        }
      return shim_unknown_option (argc, argv, err);
    }
  if (optind != argc)
    return tong_err (err, 0, "prune: takes no arguments");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  /* One writer at a time: a pull committing an image meanwhile waits. */
  r = db_begin (s.db, err);
  if (r == 0)
    {
      r = prune_layers (&s, &layers, err);
      if (r == 0)
        r = prune_dir (&s, s.store.blobs_fd, true, &blobs, &temps, err);
      if (r == 0)
        r = prune_dir (&s, s.store.layers_fd, false, &temps, &temps, err);
      if (r == 0)
        r = prune_load_dirs (&s, &temps, err);
      if (r == 0)
        r = db_commit (s.db, err);
      else
        db_rollback (s.db);
    }
  shim_close (&s);
  if (r == 0)
    printf ("removed %u layers, %u blobs, %u temp entries\n", layers, blobs, temps);
  return r;
}
