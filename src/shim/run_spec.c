/* tong-shim run's flags into a run_spec, every value checked before
 * anything is created. */
#include "src/shim/run_spec.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/shim/layout.h"
#include "src/shim/shim.h"
#include "src/base/util.h"

enum
{
  OPT_NAME = 256,
  OPT_RM,
  OPT_ENV_FILE,
  OPT_ENTRYPOINT,
  OPT_NET,
  OPT_HOSTNAME,
  OPT_MEMORY,
  OPT_CPUS,
  OPT_PIDS_LIMIT,
  OPT_CAP_ADD,
  OPT_CAP_DROP,
  OPT_SECURITY_OPT,
  OPT_RUNTIME,
  OPT_READ_ONLY,
};

static const struct option run_options[] = {
  { "name", required_argument, NULL, OPT_NAME },
  { "rm", no_argument, NULL, OPT_RM },
  { "detach", no_argument, NULL, 'd' },
  { "interactive", no_argument, NULL, 'i' },
  { "tty", no_argument, NULL, 't' },
  { "env", required_argument, NULL, 'e' },
  { "env-file", required_argument, NULL, OPT_ENV_FILE },
  { "volume", required_argument, NULL, 'v' },
  { "workdir", required_argument, NULL, 'w' },
  { "user", required_argument, NULL, 'u' },
  { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
  { "net", required_argument, NULL, OPT_NET },
  { "network", required_argument, NULL, OPT_NET },
  { "publish", required_argument, NULL, 'p' },
  { "hostname", required_argument, NULL, OPT_HOSTNAME },
  { "memory", required_argument, NULL, OPT_MEMORY },
  { "cpus", required_argument, NULL, OPT_CPUS },
  { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
  { "cap-add", required_argument, NULL, OPT_CAP_ADD },
  { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
  { "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
  { "runtime", required_argument, NULL, OPT_RUNTIME },
  { "read-only", no_argument, NULL, OPT_READ_ONLY },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static void
push (char ***v, size_t *n, char *s)
{
  *v = xrealloc (*v, (*n + 2) * sizeof **v);
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

char *
cap_normalize (const char *name)
{
  _cleanup_free_ char *up = xstrdup (name);
  bool prefixed;

  for (char *p = up; *p; p++)
    {
      if (!isalnum ((unsigned char) *p) && *p != '_')
        return NULL;
      *p = (char) toupper ((unsigned char) *p);
    }
  prefixed = strncmp (up, "CAP_", 4) == 0;
  if (!*up || (prefixed && !up[4]))
    return NULL;
  if (strcmp (up, "ALL") == 0 || prefixed)
    return xstrdup (up);
  return xasprintf ("CAP_%s", up);
}

/* K=V, or K alone: the value from tong-shim's own environment (as podman). */
static int
env_add (struct run_spec *o, const char *kv, const char *where, tong_error *err)
{
  const char *eq = strchr (kv, '=');
  if (eq == kv || !*kv)
    return tong_err (err, 0, "%s \"%s\": expected NAME=VALUE", where, kv);
  if (!eq)
    {
      const char *v = getenv (kv);
      if (!v)
        return 0;
      push (&o->env, &o->n_env, xasprintf ("%s=%s", kv, v));
      return 0;
    }
  push (&o->env, &o->n_env, xstrdup (kv));
  return 0;
}

static int
env_file_read (struct run_spec *o, const char *path, tong_error *err)
{
  _cleanup_fclose_ FILE *f = fopen (path, "re");
  char line[8192];
  unsigned n = 0;

  if (!f)
    return tong_err (err, errno, "--env-file %s", path);
  while (fgets (line, sizeof line, f))
    {
      char *p = line, *e;
      n++;
      line[strcspn (line, "\r\n")] = '\0';
      while (isspace ((unsigned char) *p))
        p++;
      if (*p == '\0' || *p == '#')
        continue;
      e = p + strlen (p);
      while (e > p && isspace ((unsigned char) e[-1]))
        *--e = '\0';
      char where[4200];
      snprintf (where, sizeof where, "--env-file %s:%u:", path, n);
      int r = env_add (o, p, where, err);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
volume_add (struct run_spec *o, const char *text, tong_error *err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  char *src = copy, *dst, *opts;
  struct volume v = { 0 };

  dst = strchr (src, ':');
  if (!dst)
    return tong_err (err, 0, "-v \"%s\": expected SRC:DST[:ro|rw]", text);
  *dst++ = '\0';
  opts = strchr (dst, ':');
  if (opts)
    *opts++ = '\0';
  if (src[0] != '/')
    return tong_err (err, 0,
                     "-v \"%s\": the source must be an absolute host path (named volumes "
                     "are not supported)",
                     text);
  if (dst[0] != '/')
    return tong_err (err, 0,
                     "-v \"%s\": the destination must be an absolute path in the "
                     "container",
                     text);
  for (char *save = NULL, *t = opts ? strtok_r (opts, ",", &save) : NULL; t;
       t = strtok_r (NULL, ",", &save))
    {
      if (strcmp (t, "ro") == 0)
        v.read_only = true;
      else if (strcmp (t, "rw") == 0)
        v.read_only = false;
      else if (strcmp (t, "z") && strcmp (t, "Z"))
        return tong_err (err, 0, "-v \"%s\": unknown option \"%s\" (ro or rw)", text, t);
    }
  v.source = realpath (src, NULL);
  if (!v.source)
    return tong_err (err, errno, "-v \"%s\": source %s", text, src);
  v.destination = xstrdup (dst);
  o->volumes = xrealloc (o->volumes, (o->n_volumes + 1) * sizeof *o->volumes);
  o->volumes[o->n_volumes++] = v;
  return 0;
}

/* H:C[/tcp|udp] or IP:H:C[/proto], ports 1..65535. */
static int
publish_add (struct run_spec *o, const char *text, tong_error *err)
{
  _cleanup_free_ char *copy = xstrdup (text);
  char *proto = strchr (copy, '/'), *parts[3];
  size_t n = 0;

  if (proto)
    {
      *proto++ = '\0';
      if (strcmp (proto, "tcp") && strcmp (proto, "udp"))
        return tong_err (err, 0, "-p \"%s\": unknown protocol \"%s\" (tcp or udp)", text, proto);
    }
  for (char *p = copy, *save = NULL, *t = strtok_r (p, ":", &save); t;
       t = strtok_r (NULL, ":", &save))
    {
      if (n == 3)
        return tong_err (err, 0, "-p \"%s\": expected [IP:]HOSTPORT:CONTAINERPORT[/PROTO]", text);
      parts[n++] = t;
    }
  if (n < 2)
    return tong_err (err, 0, "-p \"%s\": expected [IP:]HOSTPORT:CONTAINERPORT[/PROTO]", text);
  for (size_t i = n - 2; i < n; i++)
    {
      char *end;
      long port = strtol (parts[i], &end, 10);
      if (*end || port < 1 || port > 65535)
        return tong_err (err, 0, "-p \"%s\": \"%s\" is not a port (1-65535)", text, parts[i]);
    }
  push (&o->publish, &o->n_publish, proto ? xstrdup (text) : xasprintf ("%s/tcp", text));
  return 0;
}

static int
security_opt (struct run_spec *o, const char *text, tong_error *err)
{
  if (strcmp (text, "no-new-privileges") == 0 || strcmp (text, "no-new-privileges=true") == 0)
    o->no_new_privileges = true;
  else if (strcmp (text, "no-new-privileges=false") == 0)
    o->no_new_privileges = false;
  else if (strcmp (text, "seccomp=unconfined") == 0)
    o->seccomp_unconfined = true;
  else if (strncmp (text, "seccomp=", 8) == 0)
    {
      free (o->seccomp_file);
      o->seccomp_file = xstrdup (text + 8);
    }
  else if (strncmp (text, "apparmor=", 9) == 0 && text[9])
    {
      free (o->apparmor);
      o->apparmor = xstrdup (text + 9);
    }
  else
    return tong_err (err, 0,
                     "--security-opt \"%s\": unknown option (no-new-privileges, "
                     "seccomp=unconfined|FILE, apparmor=PROFILE)",
                     text);
  return 0;
}

static int
parse_long (const char *flag, const char *text, int64_t min, int64_t *out, tong_error *err)
{
  char *end;
  long long v;
  errno = 0;
  v = strtoll (text, &end, 10);
  if (errno || end == text || *end || v < min)
    return tong_err (err, 0, "%s \"%s\": expected a whole number >= %lld", flag, text,
                     (long long) min);
  *out = v;
  return 0;
}

int
run_spec_parse (int argc, char **argv, struct run_spec *o, tong_error *err)
{
  int c, r = 0;

  memset (o, 0, sizeof *o);
  opterr = 0;
  while (r == 0 && (c = getopt_long (argc, argv, "+dite:v:w:u:p:h", run_options, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_NAME:
          free (o->name);
          o->name = xstrdup (optarg);
          if (!container_id_valid (optarg) || !isalnum ((unsigned char) optarg[0]))
            r = tong_err (err, 0,
                          "--name \"%s\": use letters, digits and _.- (starting with a "
                          "letter or digit)",
                          optarg);
          break;
        case OPT_RM:
          o->rm = true;
          break;
        case 'd':
          o->detach = true;
          break;
        case 'i':
          o->interactive = true;
          break;
        case 't':
          o->tty = true;
          break;
        case 'e':
          r = env_add (o, optarg, "-e", err);
          break;
        case OPT_ENV_FILE:
          r = env_file_read (o, optarg, err);
          break;
        case 'v':
          r = volume_add (o, optarg, err);
          break;
        case 'w':
          if (optarg[0] != '/')
            r = tong_err (err, 0, "-w \"%s\": the working directory must be an absolute path",
                          optarg);
          free (o->workdir);
          o->workdir = xstrdup (optarg);
          break;
        case 'u':
          free (o->user);
          o->user = xstrdup (optarg);
          break;
        case OPT_ENTRYPOINT:
          free (o->entrypoint);
          o->entrypoint = xstrdup (optarg);
          o->has_entrypoint = true;
          break;
        case OPT_NET:
          if (strcmp (optarg, "none") == 0)
            o->net = NET_NONE;
          else if (strcmp (optarg, "host") == 0)
            o->net = NET_HOST;
          else if (strcmp (optarg, "bridge") == 0)
            o->net = NET_BRIDGE;
          else if (strcmp (optarg, "pasta") == 0)
            o->net = NET_PASTA;
          else
            r = tong_err (err, 0, "--net \"%s\": expected none, host, bridge or pasta", optarg);
          break;
        case 'p':
          r = publish_add (o, optarg, err);
          break;
        case OPT_HOSTNAME:
          free (o->hostname);
          o->hostname = xstrdup (optarg);
          if (!*optarg || strlen (optarg) > 64 || strchr (optarg, '/'))
            r = tong_err (err, 0, "--hostname \"%s\": not a valid host name", optarg);
          break;
        case OPT_MEMORY:
          if (size_parse (optarg, &o->memory) < 0 || o->memory < 4096 * 1024)
            r = tong_err (err, 0, "--memory \"%s\": expected a size of at least 4m (e.g. 512m, 1g)",
                          optarg);
          break;
        case OPT_CPUS:
          {
            char *end;
            double v = strtod (optarg, &end);
            if (*end || end == optarg || !(v > 0) || v > 4096)
              r = tong_err (err, 0, "--cpus \"%s\": expected a number of CPUs such as 0.5 or 2",
                            optarg);
            else
              o->cpu_quota = (int64_t) (v * 100000);
            break;
          }
        case OPT_PIDS_LIMIT:
          r = parse_long ("--pids-limit", optarg, 1, &o->pids_limit, err);
          break;
        case OPT_CAP_ADD:
        case OPT_CAP_DROP:
          {
            char *cap = cap_normalize (optarg);
            if (!cap)
              r = tong_err (err, 0, "%s \"%s\": not a capability name",
                            c == OPT_CAP_ADD ? "--cap-add" : "--cap-drop", optarg);
            else if (c == OPT_CAP_ADD)
              push (&o->cap_add, &o->n_cap_add, cap);
            else
              push (&o->cap_drop, &o->n_cap_drop, cap);
            break;
          }
        case OPT_SECURITY_OPT:
          r = security_opt (o, optarg, err);
          break;
        case OPT_RUNTIME:
          free (o->runtime);
          o->runtime = xstrdup (optarg);
          break;
        case OPT_READ_ONLY:
          o->read_only = true;
          break;
        case 'h':
          shim_command_usage ("run");
          exit (0);
        default:
          r = shim_unknown_option (argc, argv, err);
        }
    }
  if (r == 0 && optind >= argc)
    r = tong_err (err, 0,
                  "run: give the IMAGE to run (tong-shim run [options] IMAGE [COMMAND...])");
  if (r == 0 && o->detach && o->tty)
    r = tong_err (err, 0,
                  "run: -d with -t is not supported (a detached container has no terminal "
                  "to attach to); use -d alone");
  if (r == 0 && o->n_publish && o->net != NET_BRIDGE && o->net != NET_PASTA)
    r = tong_err (err, 0, "-p needs --net bridge (as root) or --net pasta (as another user)");
  if (r < 0)
    {
      run_spec_clear (o);
      return r;
    }
  o->image = xstrdup (argv[optind++]);
  o->cmd = xcalloc ((size_t) (argc - optind) + 1, sizeof (char *));
  for (int i = 0; optind + i < argc; i++)
    o->cmd[i] = xstrdup (argv[optind + i]);
  return 0;
}

static void
strv_clear (char **v)
{
  if (!v)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}

void
run_spec_clear (struct run_spec *o)
{
  free (o->name);
  strv_clear (o->env);
  for (size_t i = 0; i < o->n_volumes; i++)
    {
      free (o->volumes[i].source);
      free (o->volumes[i].destination);
    }
  free (o->volumes);
  free (o->workdir);
  free (o->user);
  free (o->entrypoint);
  strv_clear (o->publish);
  free (o->hostname);
  strv_clear (o->cap_add);
  strv_clear (o->cap_drop);
  free (o->seccomp_file);
  free (o->apparmor);
  free (o->runtime);
  free (o->image);
  strv_clear (o->cmd);
  memset (o, 0, sizeof *o);
}
