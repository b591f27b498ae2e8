/* tong spec: write a starter config.json into a bundle, the same document as
 * `runc spec` (apart from the hostname), optionally adjusted for a rootless
 * container.  The default spec is plain data below; the generator walks it. */
#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "oci/defaults.h"
#include "src/base/util.h"
#include "oci/json-gen.h"

#define SPEC_OCI_VERSION "1.2.0"
#define SPEC_FILE "config.json"

static const char *const default_env[]
    = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL };

static const char *const default_caps[]
    = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };

struct spec_mount
{
  const char *destination;
  const char *type;
  const char *source;
  const char *const *options; /* NULL-terminated, or NULL for none */
};

static const char *const dev_options[]
    = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
static const char *const devpts_options[]
    = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
static const char *const shm_options[]
    = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
static const char *const mqueue_options[] = { "nosuid", "noexec", "nodev", NULL };
static const char *const sysfs_options[] = { "nosuid", "noexec", "nodev", "ro", NULL };
static const char *const cgroup_options[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };

/* A rootless container cannot mount a fresh sysfs (it does not own the network
 * namespace), so it gets the host's /sys bound read-only instead. */
static const char *const rootless_sys_options[]
    = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
static const struct spec_mount rootless_sys_mount
    = { "/sys", "none", "/sys", rootless_sys_options };

static const struct spec_mount default_mounts[] = {
  { "/proc", "proc", "proc", NULL },
  { "/dev", "tmpfs", "tmpfs", dev_options },
  { "/dev/pts", "devpts", "devpts", devpts_options },
  { "/dev/shm", "tmpfs", "shm", shm_options },
  { "/dev/mqueue", "mqueue", "mqueue", mqueue_options },
  { "/sys", "sysfs", "sysfs", sysfs_options },
  { "/sys/fs/cgroup", "cgroup", "cgroup", cgroup_options },
};

static const char *const default_namespaces[]
    = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };

static void
json_gen_freep (yajl_gen *gen)
{
  if (*gen)
    yajl_gen_free (*gen);
}

/* The generator with the first failure remembered, so that the emitting code
 * reads as the document it writes and is checked once at the end. */
struct spec_writer
{
  yajl_gen gen;
  yajl_gen_status status;
};

static void
w_check (struct spec_writer *w, yajl_gen_status s)
{
  if (w->status == yajl_gen_status_ok)
    w->status = s;
}

static void
w_string (struct spec_writer *w, const char *s)
{
  w_check (w, yajl_gen_string (w->gen, (const unsigned char *) s, strlen (s)));
}

static void
w_key_string (struct spec_writer *w, const char *key, const char *value)
{
  w_string (w, key);
  w_string (w, value);
}

static void
w_key_bool (struct spec_writer *w, const char *key, bool value)
{
  w_string (w, key);
  w_check (w, yajl_gen_bool (w->gen, value));
}

static void
w_key_uint (struct spec_writer *w, const char *key, uint64_t value)
{
  w_string (w, key);
  w_check (w, json_gen_integer (w->gen, (long long) value));
}

static void
w_map_open (struct spec_writer *w)
{
  w_check (w, yajl_gen_map_open (w->gen));
}

static void
w_map_close (struct spec_writer *w)
{
  w_check (w, yajl_gen_map_close (w->gen));
}

static void
w_array_open (struct spec_writer *w)
{
  w_check (w, yajl_gen_array_open (w->gen));
}

static void
w_array_close (struct spec_writer *w)
{
  w_check (w, yajl_gen_array_close (w->gen));
}

static void
w_key_strv (struct spec_writer *w, const char *key, const char *const *v)
{
  w_string (w, key);
  w_array_open (w);
  for (; *v; v++)
    w_string (w, *v);
  w_array_close (w);
}

static void
w_process (struct spec_writer *w)
{
  w_string (w, "process");
  w_map_open (w);
  w_key_bool (w, "terminal", true);
  w_string (w, "user");
  w_map_open (w);
  w_key_uint (w, "uid", 0);
  w_key_uint (w, "gid", 0);
  w_map_close (w);
  w_key_strv (w, "args", (const char *const[]){ "sh", NULL });
  w_key_strv (w, "env", default_env);
  w_key_string (w, "cwd", "/");
  w_string (w, "capabilities");
  w_map_open (w);
  w_key_strv (w, "bounding", default_caps);
  w_key_strv (w, "effective", default_caps);
  w_key_strv (w, "permitted", default_caps);
  w_map_close (w);
  w_string (w, "rlimits");
  w_array_open (w);
  w_map_open (w);
  w_key_string (w, "type", "RLIMIT_NOFILE");
  w_key_uint (w, "hard", 1024);
  w_key_uint (w, "soft", 1024);
  w_map_close (w);
  w_array_close (w);
  w_key_bool (w, "noNewPrivileges", true);
  w_map_close (w);
}

/* runc's rootless rule: uid= and gid= options name host ids that are not
 * mapped into a single-id user namespace, so they are dropped. */
static bool
mount_option_kept (const char *option, bool rootless)
{
  return !rootless || (strncmp (option, "uid=", 4) != 0 && strncmp (option, "gid=", 4) != 0);
}

static void
w_mount (struct spec_writer *w, const struct spec_mount *m, bool rootless)
{
  w_map_open (w);
  w_key_string (w, "destination", m->destination);
  w_key_string (w, "type", m->type);
  w_key_string (w, "source", m->source);
  if (m->options)
    {
      w_string (w, "options");
      w_array_open (w);
      for (const char *const *o = m->options; *o; o++)
        if (mount_option_kept (*o, rootless))
          w_string (w, *o);
      w_array_close (w);
    }
  w_map_close (w);
}

static void
w_mounts (struct spec_writer *w, bool rootless)
{
  w_string (w, "mounts");
  w_array_open (w);
  for (size_t i = 0; i < ARRAY_SIZE (default_mounts); i++)
    {
      const struct spec_mount *m = &default_mounts[i];
      if (rootless && strcmp (m->destination, "/sys") == 0)
        m = &rootless_sys_mount;
      w_mount (w, m, rootless);
    }
  w_array_close (w);
}

static void
w_id_mapping (struct spec_writer *w, const char *key, unsigned int host_id)
{
  w_string (w, key);
  w_array_open (w);
  w_map_open (w);
  w_key_uint (w, "containerID", 0);
  w_key_uint (w, "hostID", host_id);
  w_key_uint (w, "size", 1);
  w_map_close (w);
  w_array_close (w);
}

static void
w_linux (struct spec_writer *w, bool rootless)
{
  w_string (w, "linux");
  w_map_open (w);
  /* Rootless: map the caller to root in the container and nothing else, and
   * leave out resources, as an unprivileged caller cannot apply a device cgroup. */
  if (rootless)
    {
      w_id_mapping (w, "uidMappings", (unsigned int) geteuid ());
      w_id_mapping (w, "gidMappings", (unsigned int) getegid ());
    }
  else
    {
      w_string (w, "resources");
      w_map_open (w);
      w_string (w, "devices");
      w_array_open (w);
      w_map_open (w);
      w_key_bool (w, "allow", false);
      w_key_string (w, "access", "rwm");
      w_map_close (w);
      w_array_close (w);
      w_map_close (w);
    }
  w_string (w, "namespaces");
  w_array_open (w);
  for (const char *const *ns = default_namespaces; *ns; ns++)
    {
      /* Without privileges a network namespace would have no way out. */
      if (rootless && strcmp (*ns, "network") == 0)
        continue;
      w_map_open (w);
      w_key_string (w, "type", *ns);
      w_map_close (w);
    }
  if (rootless)
    {
      w_map_open (w);
      w_key_string (w, "type", "user");
      w_map_close (w);
    }
  w_array_close (w);
  w_key_strv (w, "maskedPaths", oci_default_masked_paths);
  w_key_strv (w, "readonlyPaths", oci_default_readonly_paths);
  w_map_close (w);
}

/* Generate the document; *out is a malloc'd copy of it. */
static int
spec_generate (bool rootless, char **out, size_t *out_len, tong_error *err)
{
  __attribute__ ((cleanup (json_gen_freep))) yajl_gen gen = yajl_gen_alloc (NULL);
  struct spec_writer w = { .gen = gen, .status = yajl_gen_status_ok };
  const unsigned char *buf;
  size_t len;

  if (!gen)
    return tong_err (err, ENOMEM, "allocate JSON generator");
  yajl_gen_config (w.gen, yajl_gen_beautify, 1);
  yajl_gen_config (w.gen, yajl_gen_indent_string, "\t");

  w_map_open (&w);
  w_key_string (&w, "ociVersion", SPEC_OCI_VERSION);
  w_process (&w);
  w_string (&w, "root");
  w_map_open (&w);
  w_key_string (&w, "path", "rootfs");
  w_key_bool (&w, "readonly", true);
  w_map_close (&w);
  w_key_string (&w, "hostname", "tong");
  w_mounts (&w, rootless);
  w_linux (&w, rootless);
  w_map_close (&w);

  if (w.status == yajl_gen_status_ok)
    w.status = yajl_gen_get_buf (w.gen, &buf, &len);
  if (w.status != yajl_gen_status_ok)
    return tong_err (err, 0, "generate " SPEC_FILE ": JSON generator error %d", (int) w.status);
  *out = xasprintf ("%.*s", (int) len, (const char *) buf);
  *out_len = len;
  return 0;
}

/* Create config.json in dirfd, never replacing one: O_EXCL makes the check
 * and the creation one step, and refuses a symlink planted in its place. */
static int
spec_write (int dirfd, const char *bundle, const char *data, size_t len, tong_error *err)
{
  _cleanup_close_ int fd = -1;
  int r;

  fd = openat (dirfd, SPEC_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
  if (fd < 0 && errno == EEXIST)
    return tong_err (err, 0, "File " SPEC_FILE " exists. Remove it first");
  if (fd < 0)
    return tong_err (err, errno, "create `%s/" SPEC_FILE "`", bundle);
  r = write_all (fd, data, len);
  if (r < 0)
    {
      unlinkat (dirfd, SPEC_FILE, 0);
      return tong_err (err, -r, "write `%s/" SPEC_FILE "`", bundle);
    }
  return 0;
}

int
cmd_spec (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option options[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "rootless", no_argument, NULL, 'r' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  _cleanup_close_ int dirfd = -1;
  _cleanup_free_ char *json = NULL;
  const char *bundle = NULL;
  bool rootless = false;
  size_t len = 0;
  int c, r;

  optind = 0; /* reinitialise getopt: main.c has parsed the global flags */
  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+:b:h", options, NULL)) != -1)
    {
      switch (c)
        {
        case 'b':
          bundle = optarg;
          break;
        case 'r':
          rootless = true;
          break;
        case 'h':
          command_usage ("spec");
          return 0;
        case ':':
          return tong_err (err, 0, "spec: flag `%s` needs an argument", argv[optind - 1]);
        default:
          return tong_err (err, 0, "spec: unknown flag `%s` (see `tong spec --help`)",
                           argv[optind - 1]);
        }
    }
  if (optind < argc)
    return tong_err (err, 0, "spec: takes no arguments, got `%s`", argv[optind]);

  if (bundle && *bundle)
    {
      dirfd = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return tong_err (err, errno, "open bundle directory `%s`", bundle);
    }

  r = spec_generate (rootless, &json, &len, err);
  if (r < 0)
    return r;
  r = spec_write (dirfd >= 0 ? dirfd : AT_FDCWD, dirfd >= 0 ? bundle : ".", json, len, err);
  if (r < 0)
    return r;
  return 0;
}
