#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "src/base/log.h"
#include "src/process/passwd.h"
#include "src/base/util.h"
#include "src/cgroups/driver.h"
#include "oci/config.h"
#include "oci/json-gen.h"
#include "oci/json-tree.h"

#define OCI_VERSION "1.2.0"

/* The mode of a container's state directory while create sets it up. */
#define STATE_DIR_CREATING (S_ISVTX | 0700)

const char *
status_name (enum container_status s)
{
  static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
  return names[s];
}

int
state_root_open (const char *root, bool create, tong_error *err)
{
  int fd, r;

  /* The root exists but for the first container: try it before mkdir -p,
   * which asks for every component of the path. */
  fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create)
    {
      r = mkdir_p (root, 0700, err);
      if (r < 0)
        return tong_err_prefix (err, "state directory");
      fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  if (fd < 0)
    return tong_err (err, errno, "open state directory `%s`", root);
  return fd;
}

bool
state_dir_locked_by_other (int dirfd)
{
  /* A shared lock, dropped at once: a reader never holds up a creator. */
  if (flock (dirfd, LOCK_SH | LOCK_NB) < 0)
    return errno == EWOULDBLOCK;
  flock (dirfd, LOCK_UN);
  return false;
}

/* The error for a create whose id is taken, naming a half-made container
 * and how to remove it. */
static int
exists_error (int rootfd, const char *id, tong_error *err)
{
  _cleanup_close_ int fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  struct stat sb;

  if (fd < 0 || fstat (fd, &sb) < 0
      || (!(sb.st_mode & S_ISVTX) && faccessat (fd, STATE_FILE, F_OK, 0) == 0))
    return tong_err_code (err, EEXIST, "container with id exists: %s", id);
  if (state_dir_locked_by_other (fd))
    return tong_err_code (
        err, EEXIST, "container with id exists: %s (it is being created by another process)", id);
  return tong_err_code (err, EEXIST,
                        "container with id exists: %s, left by a create that did not finish (its "
                        "process was killed): `tong delete --force %s` removes it and what it made",
                        id, id);
}

int
state_dir_create (int rootfd, const char *id, int *dirfd, tong_error *err)
{
  _cleanup_close_ int fd = -1;
  int r = 0;

  if (!container_id_valid (id))
    return tong_err (err, 0, "invalid container id \"%s\": use letters, digits and _+-.", id);
  /* From mkdir until the new directory is locked, the root's shared lock:
   * a delete of a directory without state.json takes it exclusively, so
   * that it never mistakes this moment for a create that was killed. */
  if (flock (rootfd, LOCK_SH) < 0)
    return tong_err (err, errno, "lock the state directory");
  if (mkdirat (rootfd, id, STATE_DIR_CREATING) < 0)
    r = errno == EEXIST ? exists_error (rootfd, id, err)
                        : tong_err (err, errno, "create state directory for `%s`", id);
  else
    {
      fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0 || flock (fd, LOCK_EX) < 0)
        r = tong_err (err, errno, "open state directory for `%s`", id);
    }
  flock (rootfd, LOCK_UN);
  if (r < 0)
    return r;
  *dirfd = TAKE_FD (fd);
  return 0;
}

int
state_dir_created (int dirfd, tong_error *err)
{
  if (fchmod (dirfd, 0700) < 0)
    return tong_err (err, errno, "mark the state directory created");
  return 0;
}

/* Is fd still the directory named id (not removed, nor replaced, by a
 * delete that held the lock before us)? */
static bool
still_named (int rootfd, const char *id, int fd)
{
  struct stat a, b;
  return fstat (fd, &a) == 0 && fstatat (rootfd, id, &b, AT_SYMLINK_NOFOLLOW) == 0
         && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static bool
unfinished_dir (int fd)
{
  struct stat sb;
  return faccessat (fd, STATE_FILE, F_OK, 0) < 0
         || (fstat (fd, &sb) == 0 && (sb.st_mode & S_ISVTX));
}

/* The lock, waiting for whoever holds it: said when that is a create still
 * at work, which may take a while (its hooks, a slow rootfs). */
static int
lock_wait (int fd, const char *id, tong_error *err)
{
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    return 0;
  if (errno != EWOULDBLOCK)
    return tong_err (err, errno, "lock state of container \"%s\"", id);
  if (unfinished_dir (fd))
    log_info ("container %s is being created by another process: waiting for it to finish", id);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return tong_err (err, errno, "lock state of container \"%s\"", id);
  return 0;
}

int
state_dir_open (int rootfd, const char *id, bool lock, int *dirfd, tong_error *err)
{
  _cleanup_close_ int fd = -1;
  bool under_root = false;
  int r;

  if (!container_id_valid (id))
    return tong_err (err, 0, "invalid container id \"%s\"", id);
  fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return tong_err_code (err, ENOENT, "container \"%s\" does not exist", id);
      return tong_err (err, errno, "open state of container \"%s\"", id);
    }
  while (lock)
    {
      if (!under_root)
        {
          r = lock_wait (fd, id, err);
          if (r < 0)
            return r;
        }
      else
        {
          /* No creator is between its mkdir and its lock while we hold
           * this: if the directory's lock is free now, its creator is gone. */
          bool got;
          if (flock (rootfd, LOCK_EX) < 0)
            return tong_err (err, errno, "lock the state directory");
          got = flock (fd, LOCK_EX | LOCK_NB) == 0;
          flock (rootfd, LOCK_UN);
          if (!got)
            {
              under_root = false; /* its creator has it: wait for it */
              continue;
            }
        }
      /* A concurrent delete may have removed it while we waited for the lock. */
      if (!still_named (rootfd, id, fd))
        return tong_err_code (err, ENOENT, "container \"%s\" does not exist", id);
      if (under_root || faccessat (fd, STATE_FILE, F_OK, 0) == 0)
        break;
      /* No state.json: a create killed early, or one that has made the
       * directory and not locked it yet.  Ask again under the root's lock. */
      flock (fd, LOCK_UN);
      under_root = true;
    }
  *dirfd = TAKE_FD (fd);
  return 0;
}

int
state_dir_remove (int rootfd, const char *id, tong_error *err)
{
  static const char *const last[] = { STATE_FILE, STATE_CREATE_RECORD };
  _cleanup_close_ int fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  DIR *d;
  struct dirent *de;

  if (fd < 0)
    return errno == ENOENT ? 0 : tong_err (err, errno, "open state directory of `%s`", id);
  d = fdopendir (fd);
  if (!d)
    return tong_err (err, errno, "read state directory of `%s`", id);
  (void) TAKE_FD (fd); /* owned by d now */
  /* The records go last: a delete killed half way still finds the container. */
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, "..") && strcmp (de->d_name, last[0])
        && strcmp (de->d_name, last[1]))
      unlinkat (dirfd (d), de->d_name, 0);
  for (size_t i = 0; i < ARRAY_SIZE (last); i++)
    unlinkat (dirfd (d), last[i], 0);
  closedir (d);
  if (unlinkat (rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return tong_err (err, errno, "remove state directory of `%s`", id);
  return 0;
}

enum container_status
state_status (int dirfd, const struct container_state *st)
{
  /* A create that did not finish is not a container to start, kill or
   * exec into, even if its init lives: only to delete. */
  if (st->unfinished)
    return st->creating ? STATUS_CREATING : STATUS_STOPPED;
  if (st->pid <= 0 || proc_start_time (st->pid) != st->start_time)
    return STATUS_STOPPED;
  {
    _cleanup_cgroup_handle_ struct cgroup_handle cg = { 0 };
    if (cgroup_handle_open (st->id, st->cgroup, st->systemd_unit, &st->cgroup_paths, &cg)
        && cg.driver->is_frozen (&cg))
      return STATUS_PAUSED;
  }
  if (faccessat (dirfd, STATE_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return STATUS_CREATED;
  return STATUS_RUNNING;
}

void
state_owner_name (uid_t uid, char *buf, size_t len)
{
  _cleanup_free_ char *name = NULL;

  /* /etc/passwd itself, as runc's libcontainer/user reads it: getpwuid would
   * set up NSS (nsswitch.conf, its modules) for one name. */
  if (passwd_find_uid ("/etc/passwd", uid, &name, NULL) == 0)
    str_format (buf, len, "%s", name);
  else
    str_format (buf, len, "%u", (unsigned) uid);
}

#define GEN_STR(g, s) yajl_gen_string (g, (const unsigned char *) (s), strlen (s))

static void
gen_map (yajl_gen g, const char *key, const struct oci_map *m)
{
  GEN_STR (g, key);
  yajl_gen_map_open (g);
  for (size_t i = 0; i < m->len; i++)
    {
      GEN_STR (g, m->items[i].key);
      GEN_STR (g, m->items[i].value);
    }
  yajl_gen_map_close (g);
}

char *
state_to_json (const struct container_state *st, enum container_status status, bool pretty)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  char owner[64];
  size_t len;
  char *out;

  yajl_gen_config (g, yajl_gen_beautify, pretty ? 1 : 0);
  yajl_gen_config (g, yajl_gen_indent_string, "  ");
  state_owner_name (st->owner, owner, sizeof owner);

  yajl_gen_map_open (g);
  GEN_STR (g, "ociVersion");
  GEN_STR (g, OCI_VERSION);
  GEN_STR (g, "id");
  GEN_STR (g, st->id);
  GEN_STR (g, "pid");
  json_gen_integer (g, status == STATUS_STOPPED ? 0 : st->pid);
  GEN_STR (g, "status");
  GEN_STR (g, status_name (status));
  GEN_STR (g, "bundle");
  GEN_STR (g, st->bundle ? st->bundle : "");
  GEN_STR (g, "rootfs");
  GEN_STR (g, st->rootfs ? st->rootfs : "");
  GEN_STR (g, "created");
  GEN_STR (g, st->created ? st->created : "");
  GEN_STR (g, "owner");
  GEN_STR (g, owner);
  if (st->annotations.len)
    gen_map (g, "annotations", &st->annotations);
  yajl_gen_map_close (g);
  yajl_gen_get_buf (g, &buf, &len);
  out = xmalloc (len + 2);
  memcpy (out, buf, len);
  out[len] = '\0';
  yajl_gen_free (g);
  return out;
}

/* state.json's text (and create.json's, whose pid is 0). */
static int
state_write_as (int dirfd, const char *name, const struct container_state *st, bool replace,
                tong_error *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t len;
  int r;

  yajl_gen_map_open (g);
  GEN_STR (g, "id");
  GEN_STR (g, st->id);
  GEN_STR (g, "pid");
  json_gen_integer (g, st->pid);
  GEN_STR (g, "start_time");
  json_gen_integer (g, (long long) st->start_time);
  GEN_STR (g, "bundle");
  GEN_STR (g, st->bundle);
  GEN_STR (g, "rootfs");
  GEN_STR (g, st->rootfs);
  GEN_STR (g, "created");
  GEN_STR (g, st->created);
  GEN_STR (g, "owner");
  json_gen_integer (g, st->owner);
  GEN_STR (g, "new_pid_ns");
  yajl_gen_bool (g, st->new_pid_ns);
  if (st->cgroup)
    {
      GEN_STR (g, "cgroup");
      GEN_STR (g, st->cgroup);
    }
  if (st->systemd_unit)
    {
      GEN_STR (g, "systemd_unit");
      GEN_STR (g, st->systemd_unit);
    }
  if (st->cgroup_paths.len)
    gen_map (g, "cgroup_paths", &st->cgroup_paths);
  gen_map (g, "annotations", &st->annotations);
  yajl_gen_map_close (g);
  yajl_gen_get_buf (g, &buf, &len);
  r = replace ? write_file_replace_at (dirfd, name, buf, len, 0600, err)
              : write_file_new_at (dirfd, name, buf, len, 0600, err);
  yajl_gen_free (g);
  return r;
}

int
state_write (int dirfd, const struct container_state *st, tong_error *err)
{
  return state_write_as (dirfd, STATE_FILE, st, true, err);
}

int
state_write_record (int dirfd, const struct container_state *st, tong_error *err)
{
  struct container_state rec = *st;

  /* No temporary name: a reader finds it whole or not at all (it is one
   * write(2) of a few hundred bytes into a new file), and without it nothing
   * has been made yet that delete would have to know of. */
  rec.pid = 0;
  rec.start_time = 0;
  return state_write_as (dirfd, STATE_CREATE_RECORD, &rec, false, err);
}

static char *
tree_str (yajl_val root, const char *key)
{
  const char *path[] = { key, NULL };
  yajl_val v = yajl_tree_get (root, path, yajl_t_string);
  return v ? xstrdup (YAJL_GET_STRING (v)) : NULL;
}

static long long
tree_int (yajl_val root, const char *key)
{
  const char *path[] = { key, NULL };
  yajl_val v = yajl_tree_get (root, path, yajl_t_number);
  return v && YAJL_IS_INTEGER (v) ? YAJL_GET_INTEGER (v) : 0;
}

static bool
tree_bool (yajl_val root, const char *key)
{
  const char *path[] = { key, NULL };
  yajl_val v = yajl_tree_get (root, path, yajl_t_any);
  return v && YAJL_IS_TRUE (v);
}

/* An object of strings (what is not a string reads as ""). */
static void
tree_map (yajl_val root, const char *key, struct oci_map *m)
{
  const char *path[] = { key, NULL };
  yajl_val obj = yajl_tree_get (root, path, yajl_t_object);

  for (size_t i = 0; obj && i < obj->u.object.len; i++)
    {
      yajl_val v = obj->u.object.values[i];
      oci_map_set (m, obj->u.object.keys[i], YAJL_IS_STRING (v) ? YAJL_GET_STRING (v) : "");
    }
}

static int
parse_state (const char *text, int dirfd, const char *name, struct container_state *st,
             tong_error *err)
{
  char errbuf[256];
  yajl_val root;
  size_t off;

  root = json_tree_parse (text, strlen (text), errbuf, sizeof errbuf, &off);
  if (!root)
    return tong_err (err, 0, "%s is corrupt: %s", name, errbuf);
  st->id = tree_str (root, "id");
  st->pid = (pid_t) tree_int (root, "pid");
  st->start_time = (unsigned long long) tree_int (root, "start_time");
  st->bundle = tree_str (root, "bundle");
  st->rootfs = tree_str (root, "rootfs");
  st->created = tree_str (root, "created");
  st->owner = (uid_t) tree_int (root, "owner");
  st->new_pid_ns = tree_bool (root, "new_pid_ns");
  /* A state dir of an older tong says it in state.json. */
  st->unfinished = tree_bool (root, "creating");
  {
    struct stat sb;
    if (fstat (dirfd, &sb) == 0 && (sb.st_mode & S_ISVTX))
      st->unfinished = true;
  }
  st->cgroup = tree_str (root, "cgroup");
  st->systemd_unit = tree_str (root, "systemd_unit");
  tree_map (root, "annotations", &st->annotations);
  tree_map (root, "cgroup_paths", &st->cgroup_paths);
  yajl_tree_free (root);
  if (!st->id || !st->bundle)
    return tong_err (err, 0, "%s is corrupt: missing id or bundle", name);
  return 0;
}

int
state_read (int dirfd, const char *id, struct container_state *st, tong_error *err)
{
  _cleanup_free_ char *text = NULL;
  tong_error ignored;
  int r;

  r = read_file_if_exists_at (dirfd, STATE_FILE, &text, NULL, err);
  if (r < 0)
    return r;
  if (text)
    return parse_state (text, dirfd, STATE_FILE, st, err);
  /* A create that has not written state.json: what it recorded, if it got
   * that far (a record cut short is no record: nothing was made after it). */
  if (read_file_if_exists_at (dirfd, STATE_CREATE_RECORD, &text, NULL, &ignored) == 0 && text
      && parse_state (text, dirfd, STATE_CREATE_RECORD, st, &ignored) < 0)
    state_clear (st);
  st->unfinished = true;
  st->pid = 0;
  if (!st->id)
    {
      struct stat sb;
      char created[64] = "";
      /* Not even a record: the directory itself is all there is. */
      st->id = xstrdup (id);
      st->bundle = xstrdup ("");
      if (fstat (dirfd, &sb) == 0)
        {
          st->owner = sb.st_uid;
          rfc3339_format (&sb.st_mtim, created, sizeof created);
        }
      st->created = xstrdup (created);
    }
  return 0;
}

void
state_clear (struct container_state *st)
{
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->cgroup);
  free (st->systemd_unit);
  oci_map_clear (&st->annotations);
  oci_map_clear (&st->cgroup_paths);
  memset (st, 0, sizeof *st);
}
