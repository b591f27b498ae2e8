/* config.json for a container of an image: tong's default spec shape, with
 * the image config and run's flags merged as podman merges them. */
#include "src/shim/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "oci/defaults.h"
#include "src/shim/layout.h"
#include "src/base/util.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* podman's default capability set. */
static const char *const default_caps[] = {
  "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
  "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
  "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT", NULL,
};

/* Every capability name the kernel headers know, for --cap-add ALL. */
static const char *const all_caps[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
  NULL,
};

static size_t
strv_len (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

int
bundle_args (const struct run_spec *o, const struct oci_image_config *ic, char ***out,
             tong_error *err)
{
  char **args = xcalloc (strv_len (ic->entrypoint) + strv_len (o->cmd) + strv_len (ic->cmd) + 2,
                         sizeof *args);
  size_t n = 0;

  if (o->has_entrypoint)
    {
      if (*o->entrypoint)
        args[n++] = xstrdup (o->entrypoint);
    }
  else
    for (size_t i = 0; ic->entrypoint && ic->entrypoint[i]; i++)
      args[n++] = xstrdup (ic->entrypoint[i]);
  if (o->cmd && o->cmd[0])
    for (size_t i = 0; o->cmd[i]; i++)
      args[n++] = xstrdup (o->cmd[i]);
  else if (!o->has_entrypoint)
    for (size_t i = 0; ic->cmd && ic->cmd[i]; i++)
      args[n++] = xstrdup (ic->cmd[i]);
  if (n == 0)
    {
      free (args);
      return tong_err (err, 0,
                       "no command to run: the image has neither Entrypoint nor Cmd; give "
                       "one after the image name");
    }
  *out = args;
  return 0;
}

static void
env_set (char ***env, size_t *n, const char *kv)
{
  size_t klen = strcspn (kv, "=");
  for (size_t i = 0; i < *n; i++)
    if (strncmp ((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=')
      {
        free ((*env)[i]);
        (*env)[i] = xstrdup (kv);
        return;
      }
  *env = xrealloc (*env, (*n + 2) * sizeof **env);
  (*env)[(*n)++] = xstrdup (kv);
  (*env)[*n] = NULL;
}

char **
bundle_env (const struct run_spec *o, const struct oci_image_config *ic, const char *hostname)
{
  char **env = xcalloc (1, sizeof *env);
  size_t n = 0;
  _cleanup_free_ char *h = xasprintf ("HOSTNAME=%s", hostname);

  env_set (&env, &n, DEFAULT_PATH);
  for (size_t i = 0; ic->env && ic->env[i]; i++)
    if (strchr (ic->env[i], '='))
      env_set (&env, &n, ic->env[i]);
  env_set (&env, &n, "container=tong");
  env_set (&env, &n, h);
  if (o->tty)
    env_set (&env, &n, "TERM=xterm");
  for (size_t i = 0; i < o->n_env; i++)
    env_set (&env, &n, o->env[i]);
  return env;
}

/* ------------------------------------------------------------------ writer */

struct w
{
  yajl_gen g;
};

static void
s (struct w *w, const char *str)
{
  yajl_gen_string (w->g, (const unsigned char *) str, strlen (str));
}

static void
kv (struct w *w, const char *k, const char *v)
{
  s (w, k);
  s (w, v);
}

static void
kb (struct w *w, const char *k, bool v)
{
  s (w, k);
  yajl_gen_bool (w->g, v);
}

static void
ki (struct w *w, const char *k, long long v)
{
  s (w, k);
  yajl_gen_integer (w->g, v);
}

static void
kstrv (struct w *w, const char *k, const char *const *v)
{
  s (w, k);
  yajl_gen_array_open (w->g);
  for (; v && *v; v++)
    s (w, *v);
  yajl_gen_array_close (w->g);
}

static void
gen_tree (struct w *w, yajl_val v)
{
  if (YAJL_IS_STRING (v))
    s (w, YAJL_GET_STRING (v));
  else if (YAJL_IS_NUMBER (v))
    yajl_gen_number (w->g, YAJL_GET_NUMBER (v), strlen (YAJL_GET_NUMBER (v)));
  else if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    yajl_gen_bool (w->g, YAJL_IS_TRUE (v));
  else if (YAJL_IS_OBJECT (v))
    {
      yajl_gen_map_open (w->g);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          s (w, v->u.object.keys[i]);
          gen_tree (w, v->u.object.values[i]);
        }
      yajl_gen_map_close (w->g);
    }
  else if (YAJL_IS_ARRAY (v))
    {
      yajl_gen_array_open (w->g);
      for (size_t i = 0; i < v->u.array.len; i++)
        gen_tree (w, v->u.array.values[i]);
      yajl_gen_array_close (w->g);
    }
  else
    yajl_gen_null (w->g);
}

static bool
has (char *const *v, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i], name) == 0)
      return true;
  return false;
}

/* podman's rule: start from the default set (or all with --cap-add ALL),
 * drop --cap-drop (ALL drops every default), add --cap-add. */
static char **
capability_set (const struct run_spec *o)
{
  const char *const *base = has (o->cap_add, o->n_cap_add, "ALL") ? all_caps : default_caps;
  bool drop_all = has (o->cap_drop, o->n_cap_drop, "ALL");
  char **set = xcalloc (ARRAY_SIZE (all_caps) + o->n_cap_add + 1, sizeof *set);
  size_t n = 0;

  for (size_t i = 0; base[i]; i++)
    if (!drop_all && !has (o->cap_drop, o->n_cap_drop, base[i]))
      set[n++] = (char *) base[i];
  for (size_t i = 0; i < o->n_cap_add; i++)
    if (strcmp (o->cap_add[i], "ALL") != 0 && !has (set, n, o->cap_add[i]))
      set[n++] = o->cap_add[i];
  return set;
}

static void
gen_mount (struct w *w, const char *dst, const char *type, const char *src, const char *const *opts)
{
  yajl_gen_map_open (w->g);
  kv (w, "destination", dst);
  kv (w, "type", type);
  kv (w, "source", src);
  if (opts)
    kstrv (w, "options", opts);
  yajl_gen_map_close (w->g);
}

static void
gen_mounts (struct w *w, const struct bundle_plan *p)
{
  static const char *const etc_files[] = { "hosts", "resolv.conf", "hostname" };
  const struct run_spec *o = p->run;

  s (w, "mounts");
  yajl_gen_array_open (w->g);
  if (p->root_overlay)
    gen_mount (w, "/", "overlay", "overlay", p->root_overlay);
  gen_mount (w, "/proc", "proc", "proc", NULL);
  gen_mount (w, "/dev", "tmpfs", "tmpfs",
             (const char *const[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL });
  gen_mount (w, "/dev/pts", "devpts", "devpts",
             (const char *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                                    "gid=5", NULL });
  gen_mount (
      w, "/dev/shm", "tmpfs", "shm",
      (const char *const[]){ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL });
  gen_mount (w, "/dev/mqueue", "mqueue", "mqueue",
             (const char *const[]){ "nosuid", "noexec", "nodev", NULL });
  if (o->net == NET_HOST)
    gen_mount (w, "/sys", "none", "/sys",
               (const char *const[]){ "rbind", "nosuid", "noexec", "nodev", "ro", NULL });
  else
    gen_mount (w, "/sys", "sysfs", "sysfs",
               (const char *const[]){ "nosuid", "noexec", "nodev", "ro", NULL });
  gen_mount (w, "/sys/fs/cgroup", "cgroup", "cgroup",
             (const char *const[]){ "nosuid", "noexec", "nodev", "relatime", "ro", NULL });
  gen_mount (w, "/tmp", "tmpfs", "tmpfs",
             (const char *const[]){ "nosuid", "nodev", "mode=1777", NULL });
  for (size_t i = 0; i < ARRAY_SIZE (etc_files); i++)
    {
      _cleanup_free_ char *src = xasprintf ("%s/%s", p->bundle_dir, etc_files[i]);
      _cleanup_free_ char *dst = xasprintf ("/etc/%s", etc_files[i]);
      gen_mount (w, dst, "bind", src, (const char *const[]){ "bind", "nosuid", "nodev", NULL });
    }
  for (size_t i = 0; i < o->n_volumes; i++)
    gen_mount (w, o->volumes[i].destination, "bind", o->volumes[i].source,
               o->volumes[i].read_only ? (const char *const[]){ "rbind", "ro", NULL }
                                       : (const char *const[]){ "rbind", NULL });
  yajl_gen_array_close (w->g);
}

static void
gen_process (struct w *w, const struct bundle_plan *p, char **args, char **env)
{
  const struct run_spec *o = p->run;
  _cleanup_free_ char **caps = capability_set (o);
  const char *cwd = o->workdir                                        ? o->workdir
                    : p->image->working_dir && *p->image->working_dir ? p->image->working_dir
                                                                      : "/";

  s (w, "process");
  yajl_gen_map_open (w->g);
  kb (w, "terminal", o->tty);
  s (w, "user");
  yajl_gen_map_open (w->g);
  ki (w, "uid", p->user ? p->user->uid : 0);
  ki (w, "gid", p->user ? p->user->gid : 0);
  if (p->user && p->user->n_groups)
    {
      s (w, "additionalGids");
      yajl_gen_array_open (w->g);
      for (size_t i = 0; i < p->user->n_groups; i++)
        yajl_gen_integer (w->g, p->user->groups[i]);
      yajl_gen_array_close (w->g);
    }
  yajl_gen_map_close (w->g);
  kstrv (w, "args", (const char *const *) args);
  kstrv (w, "env", (const char *const *) env);
  kv (w, "cwd", cwd);
  s (w, "capabilities");
  yajl_gen_map_open (w->g);
  kstrv (w, "bounding", (const char *const *) caps);
  /* A non-root user starts without effective capabilities, as with podman. */
  kstrv (w, "effective", p->user && p->user->uid ? NULL : (const char *const *) caps);
  kstrv (w, "permitted", p->user && p->user->uid ? NULL : (const char *const *) caps);
  yajl_gen_map_close (w->g);
  s (w, "rlimits");
  yajl_gen_array_open (w->g);
  yajl_gen_map_open (w->g);
  kv (w, "type", "RLIMIT_NOFILE");
  ki (w, "hard", (long long) p->nofile);
  ki (w, "soft", (long long) p->nofile);
  yajl_gen_map_close (w->g);
  yajl_gen_array_close (w->g);
  kb (w, "noNewPrivileges", o->no_new_privileges);
  if (o->apparmor)
    kv (w, "apparmorProfile", o->apparmor);
  yajl_gen_map_close (w->g);
}

static void
gen_resources (struct w *w, const struct run_spec *o)
{
  if (!o->memory && !o->cpu_quota && !o->pids_limit)
    return;
  s (w, "resources");
  yajl_gen_map_open (w->g);
  if (o->memory)
    {
      s (w, "memory");
      yajl_gen_map_open (w->g);
      ki (w, "limit", o->memory);
      yajl_gen_map_close (w->g);
    }
  if (o->cpu_quota)
    {
      s (w, "cpu");
      yajl_gen_map_open (w->g);
      ki (w, "quota", o->cpu_quota);
      ki (w, "period", 100000);
      yajl_gen_map_close (w->g);
    }
  if (o->pids_limit)
    {
      s (w, "pids");
      yajl_gen_map_open (w->g);
      ki (w, "limit", o->pids_limit);
      yajl_gen_map_close (w->g);
    }
  yajl_gen_map_close (w->g);
}

static int
gen_linux (struct w *w, const struct bundle_plan *p, tong_error *err)
{
  static const char *const namespaces[] = { "pid", "ipc", "uts", "mount", "cgroup", NULL };
  const struct run_spec *o = p->run;

  s (w, "linux");
  yajl_gen_map_open (w->g);
  s (w, "namespaces");
  yajl_gen_array_open (w->g);
  for (size_t i = 0; namespaces[i]; i++)
    {
      yajl_gen_map_open (w->g);
      kv (w, "type", namespaces[i]);
      yajl_gen_map_close (w->g);
    }
  if (o->net != NET_HOST)
    {
      yajl_gen_map_open (w->g);
      kv (w, "type", "network");
      yajl_gen_map_close (w->g);
    }
  yajl_gen_array_close (w->g);
  gen_resources (w, o);
  kstrv (w, "maskedPaths", oci_default_masked_paths);
  kstrv (w, "readonlyPaths", oci_default_readonly_paths);
  if (o->seccomp_file && !o->seccomp_unconfined)
    {
      _cleanup_close_ int fd = open (o->seccomp_file, O_RDONLY | O_CLOEXEC);
      _cleanup_free_ char *json = NULL;
      char ebuf[256] = "";
      size_t len;
      yajl_val tree;
      if (fd < 0)
        return tong_err (err, errno, "--security-opt seccomp=%s", o->seccomp_file);
      if (read_fd_all (fd, &json, &len, err) < 0)
        return tong_err_prefix (err, "--security-opt seccomp=%s", o->seccomp_file);
      tree = yajl_tree_parse (json, ebuf, sizeof ebuf);
      if (!tree || !YAJL_IS_OBJECT (tree))
        {
          if (tree)
            yajl_tree_free (tree);
          return tong_err (err, 0,
                           "--security-opt seccomp=%s: not a JSON object (an OCI "
                           "linux.seccomp profile): %s",
                           o->seccomp_file, ebuf);
        }
      s (w, "seccomp");
      gen_tree (w, tree);
      yajl_tree_free (tree);
    }
  yajl_gen_map_close (w->g);
  return 0;
}

int
bundle_config_json (const struct bundle_plan *p, char **json, size_t *len, tong_error *err)
{
  struct w w = { yajl_gen_alloc (NULL) };
  _cleanup_strv_ char **args = NULL;
  _cleanup_strv_ char **env = NULL;
  const unsigned char *buf;
  const struct run_spec *o = p->run;
  int r;

  r = bundle_args (o, p->image, &args, err);
  if (r < 0)
    {
      yajl_gen_free (w.g);
      return r;
    }
  env = bundle_env (o, p->image, p->hostname);
  yajl_gen_config (w.g, yajl_gen_beautify, 1);
  yajl_gen_map_open (w.g);
  kv (&w, "ociVersion", "1.2.0");
  gen_process (&w, p, args, env);
  s (&w, "root");
  yajl_gen_map_open (w.g);
  kv (&w, "path", "rootfs");
  kb (&w, "readonly", o->read_only);
  yajl_gen_map_close (w.g);
  kv (&w, "hostname", p->hostname);
  gen_mounts (&w, p);
  s (&w, "annotations");
  yajl_gen_map_open (w.g);
  /* tong's networking: only a bridge or pasta is asked for; none (a network
   * namespace with lo) and host (none at all) are the spec's namespaces. */
  if (o->net == NET_BRIDGE || o->net == NET_PASTA)
    kv (&w, "org.tong.net.mode", o->net == NET_BRIDGE ? "bridge" : "pasta");
  if ((o->net == NET_BRIDGE || o->net == NET_PASTA) && o->n_publish)
    {
      size_t total = 1;
      for (size_t i = 0; i < o->n_publish; i++)
        total += strlen (o->publish[i]) + 1;
      _cleanup_free_ char *pub = xcalloc (total, 1);
      for (size_t i = 0; i < o->n_publish; i++)
        {
          if (i)
            strcat (pub, ",");
          strcat (pub, o->publish[i]);
        }
      kv (&w, "org.tong.net.publish", pub);
    }
  kv (&w, "org.tong.shim.id", p->id);
  yajl_gen_map_close (w.g);
  r = gen_linux (&w, p, err);
  yajl_gen_map_close (w.g);
  if (r == 0)
    {
      yajl_gen_get_buf (w.g, &buf, len);
      *json = xmalloc (*len + 1);
      memcpy (*json, buf, *len);
      (*json)[*len] = '\0';
    }
  yajl_gen_free (w.g);
  return r;
}

int
bundle_write_etc (int dirfd, const char *hostname, tong_error *err)
{
  _cleanup_free_ char *hosts = xasprintf ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
                                          "ip6-loopback\n127.0.1.1\t%s\n",
                                          hostname);
  _cleanup_free_ char *hn = xasprintf ("%s\n", hostname);
  _cleanup_free_ char *resolv = NULL;
  size_t len = 0;
  tong_error e = { 0 };
  int r;

  /* The host's resolver configuration, or an empty one when it has none. */
  if (read_file_at (AT_FDCWD, "/etc/resolv.conf", &resolv, &len, &e) < 0)
    {
      resolv = xstrdup ("# the host has no /etc/resolv.conf\n");
      len = strlen (resolv);
    }
  r = write_file_atomic_at (dirfd, "hosts", hosts, strlen (hosts), 0644, err);
  if (r == 0)
    r = write_file_atomic_at (dirfd, "resolv.conf", resolv, len, 0644, err);
  if (r == 0)
    r = write_file_atomic_at (dirfd, "hostname", hn, strlen (hn), 0644, err);
  return r;
}
