/* Unit test: WWW-Authenticate challenges, base64, credentials from auth
 * files (src/shim/auth.c) and the registries.conf subset
 * (src/shim/registry-conf.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/shim/auth.h"
#include "src/shim/registry.h"
#include "src/base/util.h"
#include "tests/unit/check.h"

static char tmpdir[] = "/tmp/test-registry-auth.XXXXXX";

static char *
write_tmp (const char *name, const char *text)
{
  char *path = xasprintf ("%s/%s", tmpdir, name);
  FILE *f = fopen (path, "w");
  if (f == NULL)
    abort ();
  fputs (text, f);
  fclose (f);
  return path;
}

static void
test_challenge_bearer (void)
{
  struct auth_challenge c;
  tong_error err = { 0 };

  CHECK (
      auth_challenge_parse ("Bearer realm=\"https://auth.example/token\",service=\"reg.example\","
                            "scope=\"repository:library/busybox:pull\"",
                            &c, &err)
      == 0);
  CHECK (c.scheme == AUTH_BEARER);
  CHECK (c.realm && strcmp (c.realm, "https://auth.example/token") == 0);
  CHECK (c.service && strcmp (c.service, "reg.example") == 0);
  CHECK (c.scope && strcmp (c.scope, "repository:library/busybox:pull") == 0);
  CHECK (c.error == NULL);
  auth_challenge_clear (&c);

  /* case-insensitive scheme and keys, spaces, escapes, unquoted tokens, extra params */
  CHECK (auth_challenge_parse ("bearer  Realm=\"http://a/t?x=\\\"y\\\"\" , service=svc, "
                               "error=\"insufficient_scope\", foo=bar",
                               &c, &err)
         == 0);
  CHECK (c.scheme == AUTH_BEARER);
  CHECK (c.realm && strcmp (c.realm, "http://a/t?x=\"y\"") == 0);
  CHECK (c.service && strcmp (c.service, "svc") == 0);
  CHECK (c.scope == NULL);
  CHECK (c.error && strcmp (c.error, "insufficient_scope") == 0);
  auth_challenge_clear (&c);
}

static void
test_challenge_basic_and_bad (void)
{
  struct auth_challenge c;
  tong_error err = { 0 };

  CHECK (auth_challenge_parse ("Basic realm=\"tong-test\"", &c, &err) == 0);
  CHECK (c.scheme == AUTH_BASIC);
  CHECK (c.realm && strcmp (c.realm, "tong-test") == 0);
  auth_challenge_clear (&c);

  CHECK (auth_challenge_parse ("Negotiate abc", &c, &err) < 0);
  CHECK (strstr (err.msg, "unsupported authentication scheme \"Negotiate\"") != NULL);
  CHECK (auth_challenge_parse ("Bearer service=\"x\"", &c, &err) < 0);
  CHECK (strstr (err.msg, "without a realm") != NULL);
  CHECK (auth_challenge_parse ("Bearer realm=\"unterminated", &c, &err) < 0);
  CHECK (strstr (err.msg, "unterminated") != NULL);
  CHECK (auth_challenge_parse ("Bearer realm", &c, &err) < 0);
  CHECK (strstr (err.msg, "without a value") != NULL);
}

static void
test_base64 (void)
{
  size_t len;
  _cleanup_free_ char *e = auth_base64 ("tester:s3cret", 13);
  _cleanup_free_ char *d = auth_base64_decode (e, &len);
  _cleanup_free_ char *unpadded = auth_base64_decode ("YWI", &len);
  _cleanup_free_ char *bad = auth_base64_decode ("!!!", &len);

  CHECK (strcmp (e, "dGVzdGVyOnMzY3JldA==") == 0);
  CHECK (d && strcmp (d, "tester:s3cret") == 0);
  CHECK (unpadded && strcmp (unpadded, "ab") == 0 && len == 2);
  CHECK (bad == NULL);
}

static void
test_auth_file (void)
{
  _cleanup_free_ char *path
      = write_tmp ("auth.json", "{\"auths\": {"
                                "\"127.0.0.1:5000\": {\"auth\": \"dGVzdGVyOnMzY3JldA==\"},"
                                "\"127.0.0.1:5000/team\": {\"auth\": \"dGVhbTpwdw==\"},"
                                "\"https://index.docker.io/v1/\": {\"auth\": \"aHViOmh1YnB3\"},"
                                "\"reg.example\": {\"username\": \"u\", \"password\": \"p:w\"}}}");
  tong_error err = { 0 };
  char *user, *pass;

  CHECK (auth_find_credentials (path, "127.0.0.1:5000", "other/img", &user, &pass, &err) == 0);
  CHECK (user && strcmp (user, "tester") == 0 && strcmp (pass, "s3cret") == 0);
  free (user), free (pass);
  /* a namespace key wins over the host key */
  CHECK (auth_find_credentials (path, "127.0.0.1:5000", "team/img", &user, &pass, &err) == 0);
  CHECK (user && strcmp (user, "team") == 0 && strcmp (pass, "pw") == 0);
  free (user), free (pass);
  /* ... but only at a component boundary */
  CHECK (auth_find_credentials (path, "127.0.0.1:5000", "teamx/img", &user, &pass, &err) == 0);
  CHECK (user && strcmp (user, "tester") == 0);
  free (user), free (pass);
  CHECK (auth_find_credentials (path, "docker.io", "library/busybox", &user, &pass, &err) == 0);
  CHECK (user && strcmp (user, "hub") == 0 && strcmp (pass, "hubpw") == 0);
  free (user), free (pass);
  CHECK (auth_find_credentials (path, "reg.example", "x", &user, &pass, &err) == 0);
  CHECK (user && strcmp (user, "u") == 0 && strcmp (pass, "p:w") == 0);
  free (user), free (pass);
  /* no entry; the port is part of the host */
  CHECK (auth_find_credentials (path, "127.0.0.1:5001", "x", &user, &pass, &err) == 0);
  CHECK (user == NULL && pass == NULL);
}

static void
test_auth_file_errors (void)
{
  _cleanup_free_ char *bad
      = write_tmp ("bad.json", "{\"auths\": {\"h\": {\"auth\": \"bm9jb2xvbg==\"}}}");
  _cleanup_free_ char *broken = write_tmp ("broken.json", "{\"auths\": ");
  _cleanup_free_ char *missing = xasprintf ("%s/missing.json", tmpdir);
  tong_error err = { 0 };
  char *user, *pass;

  /* "nocolon" */
  CHECK (auth_find_credentials (bad, "h", "x", &user, &pass, &err) < 0);
  CHECK (strstr (err.msg, "not base64 of USER:PASSWORD") != NULL);
  CHECK (auth_find_credentials (broken, "h", "x", &user, &pass, &err) < 0);
  CHECK (strstr (err.msg, "broken.json: not valid JSON") != NULL);
  CHECK (auth_find_credentials (missing, "h", "x", &user, &pass, &err) < 0);
  CHECK (strstr (err.msg, "missing.json") != NULL);
  /* from the environment, a missing file means no credentials */
  setenv ("REGISTRY_AUTH_FILE", missing, 1);
  CHECK (auth_find_credentials (NULL, "h", "x", &user, &pass, &err) == 0);
  CHECK (user == NULL);
  unsetenv ("REGISTRY_AUTH_FILE");
}

static void
test_registries_conf (void)
{
  _cleanup_free_ char *conf = write_tmp (
      "registries.conf", "# comment\n"
                         "unqualified-search-registries = ['reg.example:5000', \"docker.io\"] # x\n"
                         "\n[aliases]\nfoo = \"bar\"\n"
                         "[[registry]]\nlocation = \"127.0.0.1:5000\"\ninsecure = true\n"
                         "[[registry]]\nprefix = \"*.internal.example\"\ninsecure = true\n"
                         "[[registry]]\nlocation = \"secure.example\"\ninsecure = false\n");
  _cleanup_free_ char *empty = write_tmp ("empty.conf", "");
  _cleanup_free_ char *bad = write_tmp ("bad.conf", "[[registry]]\n\ninsecure = maybe\n");
  _cleanup_free_ char *def = NULL, *def2 = NULL, *def3 = NULL;
  tong_error err = { 0 };
  bool insecure;

  CHECK (registry_conf_default (conf, &def, &err) == 0);
  CHECK (def && strcmp (def, "reg.example:5000") == 0);
  CHECK (registry_conf_default (empty, &def2, &err) == 0);
  CHECK (def2 && strcmp (def2, "docker.io") == 0);
  CHECK (registry_conf_default (NULL, &def3, &err) == 0);
  CHECK (def3 && strcmp (def3, "docker.io") == 0);

  CHECK (registry_conf_insecure (conf, "127.0.0.1:5000", &insecure, &err) == 0 && insecure);
  CHECK (registry_conf_insecure (conf, "127.0.0.1:5001", &insecure, &err) == 0 && !insecure);
  CHECK (registry_conf_insecure (conf, "a.internal.example", &insecure, &err) == 0 && insecure);
  CHECK (registry_conf_insecure (conf, "internal.example", &insecure, &err) == 0 && !insecure);
  CHECK (registry_conf_insecure (conf, "secure.example", &insecure, &err) == 0 && !insecure);
  CHECK (registry_conf_insecure (NULL, "127.0.0.1:5000", &insecure, &err) == 0 && !insecure);

  CHECK (registry_conf_insecure (bad, "x", &insecure, &err) < 0);
  CHECK (strstr (err.msg, "bad.conf:3: insecure must be true or false") != NULL);
}

int
main (void)
{
  if (mkdtemp (tmpdir) == NULL)
    {
      perror ("mkdtemp");
      return 1;
    }
  RUN (test_challenge_bearer);
  RUN (test_challenge_basic_and_bad);
  RUN (test_base64);
  RUN (test_auth_file);
  RUN (test_auth_file_errors);
  RUN (test_registries_conf);
  {
    _cleanup_free_ char *cmd = xasprintf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      return 1;
  }
  return failures ? 1 : 0;
}
