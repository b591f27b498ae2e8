/* Unit test: image references (src/shim/reference.c), valid ones with their
 * canonical form and invalid ones with the reason given. */
#include <stdio.h>
#include <string.h>

#include "src/shim/reference.h"
#include "src/base/util.h"
#include "tests/unit/check.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct good
{
  const char *text, *def;
  const char *registry, *repository, *tag, *digest, *canonical;
};

static const struct good goods[] = {
  { "busybox", NULL, "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest" },
  { "library/busybox:1.36", NULL, "docker.io", "library/busybox", "1.36", NULL,
    "docker.io/library/busybox:1.36" },
  { "docker.io/busybox", NULL, "docker.io", "library/busybox", "latest", NULL,
    "docker.io/library/busybox:latest" },
  { "index.docker.io/foo/bar", NULL, "docker.io", "foo/bar", "latest", NULL,
    "docker.io/foo/bar:latest" },
  { "ns/name", NULL, "docker.io", "ns/name", "latest", NULL, "docker.io/ns/name:latest" },
  { "busybox", "127.0.0.1:5000", "127.0.0.1:5000", "busybox", "latest", NULL,
    "127.0.0.1:5000/busybox:latest" },
  { "quay.io/a/b/c:v1", "127.0.0.1:5000", "quay.io", "a/b/c", "v1", NULL, "quay.io/a/b/c:v1" },
  { "host:5000/ns/name@sha256:" D64, NULL, "host:5000", "ns/name", NULL, "sha256:" D64,
    "host:5000/ns/name@sha256:" D64 },
  { "name:tag@sha256:" D64, NULL, "docker.io", "library/name", "tag", "sha256:" D64,
    "docker.io/library/name:tag@sha256:" D64 },
  { "localhost/foo", NULL, "localhost", "foo", "latest", NULL, "localhost/foo:latest" },
  { "localhost:5000/foo:1", NULL, "localhost:5000", "foo", "1", NULL, "localhost:5000/foo:1" },
  { "localhost", NULL, "docker.io", "library/localhost", "latest", NULL,
    "docker.io/library/localhost:latest" },
  { "localhost:5000", NULL, "docker.io", "library/localhost", "5000", NULL,
    "docker.io/library/localhost:5000" },
  { "[::1]:5000/img:x", NULL, "[::1]:5000", "img", "x", NULL, "[::1]:5000/img:x" },
  { "My-Registry.example.com/a", NULL, "My-Registry.example.com", "a", "latest", NULL,
    "My-Registry.example.com/a:latest" },
  { "a/b__c.d-e---f_g:T_a.g-1", NULL, "docker.io", "a/b__c.d-e---f_g", "T_a.g-1", NULL,
    "docker.io/a/b__c.d-e---f_g:T_a.g-1" },
};

struct bad
{
  const char *text, *reason;
};

static const struct bad bads[] = {
  { "", "empty" },
  { "Busybox", "lowercase" },
  { "example.com/Foo/bar", "lowercase" },
  { "busybox:", "empty tag" },
  { "busybox:-x", "tag must start" },
  { "busybox:a/b", "port is not a number" }, /* "busybox:a" reads as host:port */
  { "busybox:t!g", "tag may only contain" },
  { "busybox@", "empty digest" },
  { "busybox@sha256:abc", "64 hex" },
  { "busybox@sha256:" D64 "00", "64 hex" },
  { "busybox@sha256:"
    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
    "lowercase hex" },
  { "busybox@md5:abcd", "unsupported digest algorithm" },
  { "busybox@" D64, "no ':'" },
  { "a@sha256:" D64 "@sha256:" D64, "more than one '@'" },
  { "a//b", "empty path component" },
  { "a/", "empty path component" },
  { "/a", "empty path component" },
  { "example.com/", "empty repository" },
  { "example.com:/a", "port" },
  { "example.com:99999/a", "larger than 65535" },
  { "example.com:12x/a", "not a number" },
  { "exa_mple.com/a", "registry host name" },
  { "-bad.com/a", "starts with '-'" },
  { "a..b/c", "malformed label" },
  { "a-/b", "separator" },
  { "a.-b", "separator" },
  { "a b", "whitespace" },
  { ":tag", "empty name" },
  { "@sha256:" D64, "empty name" },
  { "_tag:_x", "must start with a letter or digit" },
};

static void
test_good (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (goods); i++)
    {
      const struct good *g = &goods[i];
      struct image_ref r;
      tong_error err = { 0 };
      char name[300];

      if (g->registry == NULL)
        continue;
      snprintf (name, sizeof name, "parse \"%s\"", g->text);
      if (image_ref_parse (g->text, g->def, &r, &err) < 0)
        {
          report (name, false, "unexpected error: %s", err.msg);
          continue;
        }
      _cleanup_free_ char *canon = image_ref_format (&r);
      bool ok = strcmp (r.registry, g->registry) == 0 && strcmp (r.repository, g->repository) == 0
                && (g->tag ? r.tag && strcmp (r.tag, g->tag) == 0 : r.tag == NULL)
                && (g->digest ? r.digest && strcmp (r.digest, g->digest) == 0 : r.digest == NULL)
                && strcmp (canon, g->canonical) == 0;
      report (name, ok, "got registry=%s repository=%s tag=%s digest=%s canonical=%s", r.registry,
              r.repository, r.tag ? r.tag : "(null)", r.digest ? r.digest : "(null)", canon);

      /* The canonical form parses back to itself. */
      struct image_ref again;
      if (image_ref_parse (canon, "unused.example", &again, &err) < 0)
        report (name, false, "canonical form \"%s\" does not parse: %s", canon, err.msg);
      else
        {
          _cleanup_free_ char *canon2 = image_ref_format (&again);
          if (strcmp (canon, canon2) != 0)
            report (name, false, "canonical form changes on a second parse: %s -> %s", canon,
                    canon2);
          image_ref_clear (&again);
        }
      image_ref_clear (&r);
    }
}

static void
test_bad (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (bads); i++)
    {
      const struct bad *b = &bads[i];
      struct image_ref r;
      tong_error err = { 0 };
      char name[300];

      snprintf (name, sizeof name, "reject \"%.200s\"", b->text);
      if (image_ref_parse (b->text, NULL, &r, &err) == 0)
        {
          _cleanup_free_ char *canon = image_ref_format (&r);
          report (name, false, "accepted as %s", canon);
          image_ref_clear (&r);
          continue;
        }
      report (name, strstr (err.msg, b->reason) != NULL && r.registry == NULL,
              "error \"%s\" does not say \"%s\"", err.msg, b->reason);
    }
}

static void
test_long (void)
{
  char tag[200], ref[400], name[300];
  struct image_ref r;
  tong_error err = { 0 };

  memset (tag, 'a', 128);
  tag[128] = '\0';
  snprintf (ref, sizeof ref, "busybox:%s", tag);
  report ("tag of 128 characters", image_ref_parse (ref, NULL, &r, &err) == 0, "%s", err.msg);
  image_ref_clear (&r);

  strcat (ref, "a");
  report ("tag of 129 characters rejected",
          image_ref_parse (ref, NULL, &r, &err) < 0 && strstr (err.msg, "longer than 128"), "%s",
          err.msg);

  memset (name, 'b', 250);
  name[250] = '\0';
  snprintf (ref, sizeof ref, "example.com/%s", name);
  report ("name longer than 255 rejected",
          image_ref_parse (ref, NULL, &r, &err) < 0 && strstr (err.msg, "longer than 255"), "%s",
          err.msg);
}

static void
test_default_registry (void)
{
  struct image_ref r;
  tong_error err = { 0 };

  report ("bad default registry rejected",
          image_ref_parse ("busybox", "bad_host", &r, &err) < 0
              && strstr (err.msg, "invalid default registry"),
          "%s", err.msg);
  report ("digest helper",
          image_digest_valid ("sha256:" D64) && !image_digest_valid ("sha256:" D64 "0")
              && !image_digest_valid (NULL) && !image_digest_valid ("sha1:" D64),
          "image_digest_valid disagrees");
}

int
main (void)
{
  test_good ();
  test_bad ();
  test_long ();
  test_default_registry ();
  return failures ? 1 : 0;
}
