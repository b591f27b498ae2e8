/* Unit tests for tong-shim run's pure parts: flags (run_spec.c), users from
 * passwd/group text (users.c) and config.json generation (bundle.c). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "src/shim/bundle.h"
#include "src/shim/run_spec.h"
#include "src/base/util.h"
#include "src/shim/shim.h"
#include "src/shim/users.h"
#include "tests/unit/check.h"

/* The usage helpers live with tong-shim's command table (main.c). */
void
shim_command_usage (const char *name)
{
  (void) name;
}

int
shim_unknown_option (int argc, char **argv, tong_error *err)
{
  (void) argc;
  return tong_err (err, 0, "unknown option `%s`", argv[optind - 1]);
}

static int
parse (struct run_spec *o, tong_error *err, ...)
{
  char *argv[64];
  int argc = 0;
  va_list ap;

  va_start (ap, err);
  argv[argc++] = (char *) "run";
  for (char *a; (a = va_arg (ap, char *));)
    argv[argc++] = a;
  va_end (ap);
  argv[argc] = NULL;
  optind = 0;
  return run_spec_parse (argc, argv, o, err);
}

static void
test_flags (void)
{
  struct run_spec o;
  tong_error err = { 0 };

  CHECK (parse (&o, &err, "--rm", "-it", "-e", "A=1", "-w", "/w", "-u", "app:grp", "--name", "web",
                "--net", "host", "--memory", "512m", "--cpus", "1.5", "--pids-limit", "10",
                "--cap-add", "net_admin", "--cap-drop", "CAP_KILL", "--security-opt",
                "no-new-privileges", "--read-only", "img", "sh", "-c", "x", NULL)
         == 0);
  CHECK (o.rm && o.interactive && o.tty && o.read_only && o.no_new_privileges);
  CHECK (strcmp (o.env[0], "A=1") == 0 && o.n_env == 1);
  CHECK (strcmp (o.workdir, "/w") == 0 && strcmp (o.user, "app:grp") == 0);
  CHECK (strcmp (o.name, "web") == 0 && o.net == NET_HOST);
  CHECK (o.memory == 512LL * 1024 * 1024 && o.cpu_quota == 150000 && o.pids_limit == 10);
  CHECK (strcmp (o.cap_add[0], "CAP_NET_ADMIN") == 0 && strcmp (o.cap_drop[0], "CAP_KILL") == 0);
  CHECK (strcmp (o.image, "img") == 0 && strcmp (o.cmd[2], "x") == 0 && o.cmd[3] == NULL);
  run_spec_clear (&o);
}

static void
test_flag_errors (void)
{
  struct run_spec o;
  tong_error err = { 0 };

  CHECK (parse (&o, &err, "--net", "wifi", "img", NULL) == -EINVAL && strstr (err.msg, "wifi"));
  CHECK (parse (&o, &err, "--memory", "12x", "img", NULL) == -EINVAL && strstr (err.msg, "12x"));
  CHECK (parse (&o, &err, "--cpus", "0", "img", NULL) == -EINVAL);
  CHECK (parse (&o, &err, "-p", "80:80", "img", NULL) == -EINVAL && strstr (err.msg, "bridge"));
  CHECK (parse (&o, &err, "--net", "bridge", "-p", "80:0", "img", NULL) == -EINVAL);
  CHECK (parse (&o, &err, "--net", "bridge", "-p", "80:80/sctp", "img", NULL) == -EINVAL);
  CHECK (parse (&o, &err, "-v", "rel:/x", "img", NULL) == -EINVAL && strstr (err.msg, "absolute"));
  CHECK (parse (&o, &err, "-v", "/:/x:bogus", "img", NULL) == -EINVAL && strstr (err.msg, "bogus"));
  CHECK (parse (&o, &err, "-e", "=x", "img", NULL) == -EINVAL);
  CHECK (parse (&o, &err, "--name", "../x", "img", NULL) == -EINVAL);
  CHECK (parse (&o, &err, "--security-opt", "label=x", "img", NULL) == -EINVAL);
  CHECK (parse (&o, &err, "--bogus", "img", NULL) == -EINVAL && strstr (err.msg, "--bogus"));
  CHECK (parse (&o, &err, "-d", "-t", "img", NULL) == -EINVAL);
  CHECK (parse (&o, &err, NULL) == -EINVAL && strstr (err.msg, "IMAGE"));
  CHECK (parse (&o, &err, "--net", "bridge", "-p", "8080:80", "-v", "/:/host:ro", "img", NULL)
         == 0);
  CHECK (strcmp (o.publish[0], "8080:80/tcp") == 0 && o.volumes[0].read_only);
  run_spec_clear (&o);
}

static void
test_sizes_and_caps (void)
{
  int64_t n;
  char *c;
  CHECK (size_parse ("1g", &n) == 0 && n == 1073741824LL);
  CHECK (size_parse ("64MB", &n) == 0 && n == 64LL << 20);
  CHECK (size_parse ("100", &n) == 0 && n == 100);
  CHECK (size_parse ("-1", &n) < 0 && size_parse ("m", &n) < 0 && size_parse ("1q", &n) < 0);
  CHECK ((c = cap_normalize ("sys_admin")) && strcmp (c, "CAP_SYS_ADMIN") == 0);
  free (c);
  CHECK ((c = cap_normalize ("all")) && strcmp (c, "ALL") == 0);
  free (c);
  CHECK (cap_normalize ("CAP_") == NULL && cap_normalize ("a-b") == NULL);
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "broken line\n"
                             "app:x:1000:1001:App:/home/app:/bin/sh\n";
static const char group[] = "root:x:0:\napp:x:1001:\nwheel:x:10:root,app\ndocker:x:999:app\n";

static void
test_users (void)
{
  struct user_ids u;
  tong_error err = { 0 };

  CHECK (user_resolve_text (passwd, group, "app", &u, &err) == 0);
  CHECK (u.uid == 1000 && u.gid == 1001 && u.n_groups == 2 && u.groups[0] == 10
         && u.groups[1] == 999);
  CHECK (strcmp (u.home, "/home/app") == 0);
  user_ids_clear (&u);
  CHECK (user_resolve_text (passwd, group, "app:wheel", &u, &err) == 0 && u.gid == 10
         && u.n_groups == 0);
  user_ids_clear (&u);
  CHECK (user_resolve_text (passwd, group, "1000", &u, &err) == 0 && u.uid == 1000
         && u.gid == 1001);
  user_ids_clear (&u);
  CHECK (user_resolve_text (passwd, group, "4242:7", &u, &err) == 0 && u.uid == 4242 && u.gid == 7);
  user_ids_clear (&u);
  CHECK (user_resolve_text (NULL, NULL, "4242", &u, &err) == 0 && u.uid == 4242 && u.gid == 0);
  user_ids_clear (&u);
  CHECK (user_resolve_text (passwd, group, "ghost", &u, &err) == -ENOENT
         && strstr (err.msg, "ghost"));
  CHECK (user_resolve_text (passwd, group, "app:nogroup", &u, &err) == -ENOENT);
  CHECK (user_resolve_text (passwd, group, ":1", &u, &err) == -EINVAL);
}

static const char *
sval (yajl_val v)
{
  const char *s = YAJL_IS_STRING (v) ? v->u.string : NULL;
  return s ? s : "";
}

static const char *
jstr (yajl_val t, const char **path)
{
  yajl_val v = yajl_tree_get (t, path, yajl_t_string);
  return v ? YAJL_GET_STRING (v) : "";
}

static void
test_config_json (void)
{
  char *env[] = { "PATH=/img/bin", "IMG=1", NULL };
  char *ep[] = { "/entry", NULL };
  char *cmd[] = { "default", NULL };
  struct oci_image_config ic = { .env = env, .entrypoint = ep, .cmd = cmd, .working_dir = "/srv" };
  struct run_spec o;
  struct user_ids user = { .uid = 1000, .gid = 1000 };
  tong_error err = { 0 };
  char *json = NULL;
  size_t len;
  yajl_val t;

  CHECK (parse (&o, &err, "-e", "IMG=2", "--hostname", "h", "--cap-drop", "all", "--cap-add",
                "chown", "--memory", "8m", "--net", "host", "-v", "/:/host:ro", "img", "arg", NULL)
         == 0);
  struct bundle_plan p = { .run = &o,
                           .image = &ic,
                           .user = &user,
                           .bundle_dir = "/b",
                           .hostname = "h",
                           .id = "abc",
                           .nofile = 1024 };
  CHECK (bundle_config_json (&p, &json, &len, &err) == 0);
  t = json ? yajl_tree_parse (json, NULL, 0) : NULL;
  CHECK (t != NULL);
  if (t)
    {
      const char *args0[] = { "process", "args", NULL }, *cwd[] = { "process", "cwd", NULL };
      const char *env_p[] = { "process", "env", NULL },
                 *caps[] = { "process", "capabilities", "bounding", NULL };
      const char *eff[] = { "process", "capabilities", "effective", NULL };
      const char *mem[] = { "linux", "resources", "memory", "limit", NULL };
      const char *ns[] = { "linux", "namespaces", NULL }, *mounts[] = { "mounts", NULL };
      const char *uid[] = { "process", "user", "uid", NULL },
                 *net[] = { "annotations", "org.tong.net.mode", NULL };
      yajl_val a = yajl_tree_get (t, args0, yajl_t_array),
               e = yajl_tree_get (t, env_p, yajl_t_array);
      yajl_val c = yajl_tree_get (t, caps, yajl_t_array), n = yajl_tree_get (t, ns, yajl_t_array);
      yajl_val m = yajl_tree_get (t, mounts, yajl_t_array),
               ef = yajl_tree_get (t, eff, yajl_t_array);
      CHECK (a && a->u.array.len == 2 && strcmp (sval (a->u.array.values[0]), "/entry") == 0
             && strcmp (sval (a->u.array.values[1]), "arg") == 0);
      CHECK (strcmp (jstr (t, cwd), "/srv") == 0);
      CHECK (e && strstr (json, "\"PATH=/img/bin\"") && strstr (json, "\"IMG=2\"")
             && !strstr (json, "\"IMG=1\""));
      CHECK (c && c->u.array.len == 1 && strcmp (sval (c->u.array.values[0]), "CAP_CHOWN") == 0);
      CHECK (ef && ef->u.array.len == 0); /* a non-root user: no effective capabilities */
      CHECK (yajl_tree_get (t, mem, yajl_t_number)
             && YAJL_GET_INTEGER (yajl_tree_get (t, mem, yajl_t_number)) == 8 << 20);
      CHECK (n && !strstr (json, "\"network\""));
      CHECK (m && strstr (json, "\"/b/hosts\"") && strstr (json, "\"/host\""));
      CHECK (YAJL_GET_INTEGER (yajl_tree_get (t, uid, yajl_t_number)) == 1000);
      CHECK (yajl_tree_get (t, net, yajl_t_string) == NULL); /* host: no tong networking asked */
      yajl_tree_free (t);
    }
  free (json);
  run_spec_clear (&o);
  /* Rootless: the overlay on / comes first, with the options given. */
  {
    const char *const ovl[]
        = { "lowerdir=layers/0", "upperdir=layers/u", "workdir=layers/w", "userxattr", NULL };
    struct bundle_plan rp = p;
    rp.root_overlay = ovl;
    CHECK (parse (&o, &err, "img", NULL) == 0);
    CHECK (bundle_config_json (&rp, &json, &len, &err) == 0);
    t = json ? yajl_tree_parse (json, NULL, 0) : NULL;
    CHECK (t != NULL);
    if (t)
      {
        const char *mounts[] = { "mounts", NULL };
        yajl_val m = yajl_tree_get (t, mounts, yajl_t_array);
        const char *dst[] = { "destination", NULL }, *type[] = { "type", NULL };
        CHECK (m && m->u.array.len > 1);
        CHECK (m && strcmp (jstr (m->u.array.values[0], dst), "/") == 0
               && strcmp (jstr (m->u.array.values[0], type), "overlay") == 0);
        CHECK (strstr (json, "\"userxattr\"") && strstr (json, "\"lowerdir=layers/0\""));
        yajl_tree_free (t);
      }
    free (json);
    run_spec_clear (&o);
    /* --net pasta asks tong for pasta, with the published ports. */
    CHECK (parse (&o, &err, "--net", "pasta", "-p", "8080:80", "img", NULL) == 0);
    CHECK (bundle_config_json (&p, &json, &len, &err) == 0);
    CHECK (json && strstr (json, "\"org.tong.net.mode\"") && strstr (json, "\"pasta\"")
           && strstr (json, "\"8080:80/tcp\""));
    free (json);
    run_spec_clear (&o);
  }
  /* --entrypoint "" with no command leaves nothing to run. */
  CHECK (parse (&o, &err, "--entrypoint", "", "img", NULL) == 0);
  CHECK (bundle_config_json (&p, &json, &len, &err) == -EINVAL && strstr (err.msg, "no command"));
  run_spec_clear (&o);
}

int
main (void)
{
  RUN (test_flags);
  RUN (test_flag_errors);
  RUN (test_sizes_and_caps);
  RUN (test_users);
  RUN (test_config_json);
  return failures ? 1 : 0;
}
