/* Image reference parsing (see reference.h for the grammar). */
#include "reference.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/util.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_hex_lower (char c)
{
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

/* An OCI digest algorithm: [a-z0-9]+ ([+._-][a-z0-9]+)*, and whether we know
 * the length of its hex encoding. */
static size_t
digest_hex_len (const char *algo, size_t len)
{
  if (len == 6 && memcmp (algo, "sha256", 6) == 0)
    return 64;
  if (len == 6 && memcmp (algo, "sha512", 6) == 0)
    return 128;
  return 0;
}

static int
check_digest (const char *d, const char **why)
{
  const char *colon = strchr (d, ':');
  size_t alen, hlen, want;

  if (*d == '\0')
    return *why = "empty digest after '@'", -1;
  if (colon == NULL)
    return *why = "digest has no ':' between algorithm and hex (expected sha256:<64 hex>)", -1;
  alen = colon - d;
  if (alen == 0)
    return *why = "digest has an empty algorithm", -1;
  want = digest_hex_len (d, alen);
  if (want == 0)
    return *why = "unsupported digest algorithm (expected sha256 or sha512)", -1;
  hlen = strlen (colon + 1);
  for (size_t i = 0; i < hlen; i++)
    if (!is_hex_lower (colon[1 + i]))
      return *why = "digest is not lowercase hexadecimal", -1;
  if (hlen != want)
    return *why = want == 64 ? "sha256 digest must have 64 hex digits"
                             : "sha512 digest must have 128 hex digits",
           -1;
  return 0;
}

bool
image_digest_valid (const char *s)
{
  const char *why;
  return s != NULL && check_digest (s, &why) == 0;
}

/* tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
static int
check_tag (const char *t, const char **why)
{
  size_t n = strlen (t);

  if (n == 0)
    return *why = "empty tag after ':'", -1;
  if (n > TAG_MAX_LEN)
    return *why = "tag longer than 128 characters", -1;
  if (t[0] == '.' || t[0] == '-')
    return *why = "tag must start with a letter, digit or '_'", -1;
  for (size_t i = 0; i < n; i++)
    if (!(isalnum ((unsigned char) t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
      return *why = "tag may only contain letters, digits, '_', '.' and '-'", -1;
  return 0;
}

/* A registry host: DNS labels separated by '.', or a bracketed IPv6
 * address, then an optional :port. */
static int
check_registry (const char *h, size_t n, const char **why)
{
  size_t i = 0, label = 0;

  if (n > 0 && h[0] == '[')
    {
      for (i = 1; i < n && h[i] != ']'; i++)
        if (!isxdigit ((unsigned char) h[i]) && h[i] != ':')
          return *why = "bad character in IPv6 registry address", -1;
      if (i == n || i == 1)
        return *why = "unterminated or empty IPv6 registry address", -1;
      i++;
    }
  else
    {
      for (; i < n && h[i] != ':'; i++)
        {
          char c = h[i];
          if (c == '.')
            {
              if (label == 0 || h[i - 1] == '-')
                return *why = "empty or malformed label in registry host name", -1;
              label = 0;
              continue;
            }
          if (!isalnum ((unsigned char) c) && c != '-')
            return *why = "registry host name may only contain letters, digits, '-' and '.'", -1;
          if (c == '-' && label == 0)
            return *why = "registry host name label starts with '-'", -1;
          label++;
        }
      if (label == 0 || h[i - 1] == '-')
        return *why = "empty or malformed label in registry host name", -1;
    }
  if (i < n)
    {
      unsigned long port = 0;
      size_t digits = 0;

      if (h[i] != ':')
        return *why = "unexpected character after IPv6 registry address", -1;
      for (i++; i < n; i++, digits++)
        {
          if (!isdigit ((unsigned char) h[i]))
            return *why = "registry port is not a number", -1;
          port = port * 10 + (h[i] - '0');
          if (port > 65535)
            return *why = "registry port is larger than 65535", -1;
        }
      if (digits == 0 || port == 0)
        return *why = "empty or zero registry port", -1;
    }
  return 0;
}

/* One path component: [a-z0-9]+ ((. | _ | __ | -+) [a-z0-9]+)* */
static int
check_component (const char *s, size_t n, const char **why)
{
  size_t i = 0;

  if (n == 0)
    return *why = "empty path component in the repository name", -1;
  for (size_t j = 0; j < n; j++)
    if (isupper ((unsigned char) s[j]))
      return *why = "repository name must be lowercase", -1;
  while (i < n)
    {
      if (!is_lower_alnum (s[i]))
        {
          if (s[i] != '.' && s[i] != '_' && s[i] != '-')
            return *why = "repository name may only contain [a-z0-9], '.', '_', '-' and '/'", -1;
          return *why = "repository path component must start with a letter or digit", -1;
        }
      while (i < n && is_lower_alnum (s[i]))
        i++;
      if (i == n)
        break;
      /* a separator, then alphanumerics again */
      if (s[i] == '.')
        i++;
      else if (s[i] == '_')
        i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
      else if (s[i] == '-')
        while (i < n && s[i] == '-')
          i++;
      else
        return *why = "repository name may only contain [a-z0-9], '.', '_', '-' and '/'", -1;
      if (i == n || !is_lower_alnum (s[i]))
        return *why = "separator ('.', '_', '__' or '-') must be followed by a letter or digit "
                      "in the repository name",
               -1;
    }
  return 0;
}

static int
check_repository (const char *r, const char **why)
{
  const char *p = r;

  if (*r == '\0')
    return *why = "empty repository name", -1;
  for (;;)
    {
      const char *slash = strchr (p, '/');
      size_t n = slash ? (size_t) (slash - p) : strlen (p);
      if (check_component (p, n, why) < 0)
        return -1;
      if (slash == NULL)
        return 0;
      p = slash + 1;
    }
}

void
image_ref_clear (struct image_ref *r)
{
  free (r->registry);
  free (r->repository);
  free (r->tag);
  free (r->digest);
  memset (r, 0, sizeof *r);
}

int
image_ref_parse (const char *text, const char *default_registry, struct image_ref *out,
                 tong_error *err)
{
  _cleanup_free_ char *name = NULL;
  const char *why = NULL, *at, *slash, *colon, *remote;
  struct image_ref r = { 0 };
  size_t hostlen = 0;

  memset (out, 0, sizeof *out);
  if (text == NULL || *text == '\0')
    return tong_err (err, 0, "invalid image reference: empty");
  for (const char *p = text; *p; p++)
    if (isspace ((unsigned char) *p) || iscntrl ((unsigned char) *p))
      return tong_err (err, 0,
                       "invalid image reference \"%s\": contains whitespace or control "
                       "characters",
                       text);

  at = strchr (text, '@');
  if (at && strchr (at + 1, '@'))
    {
      why = "more than one '@'";
      goto bad;
    }
  if (at && check_digest (at + 1, &why) < 0)
    goto bad;
  name = at ? strndup (text, at - text) : xstrdup (text);
  if (name == NULL)
    abort ();

  /* The tag is after the last ':' that follows the last '/'. */
  slash = strrchr (name, '/');
  colon = strrchr (slash ? slash : name, ':');
  if (colon)
    {
      if (check_tag (colon + 1, &why) < 0)
        goto bad;
      r.tag = xstrdup (colon + 1);
      name[colon - name] = '\0';
    }
  if (name[0] == '\0')
    {
      why = "empty name"; /* NOLINT(clang-analyzer-unix.Malloc): name is freed by _cleanup_free_ */
      goto bad;
    }

  slash = strchr (name, '/');
  if (slash
      && (memchr (name, '.', slash - name) || memchr (name, ':', slash - name)
          || (slash - name == 9 && memcmp (name, "localhost", 9) == 0) || name[0] == '['))
    {
      hostlen = slash - name;
      if (check_registry (name, hostlen, &why) < 0)
        goto bad;
      r.registry = strndup (name, hostlen);
      remote = slash + 1;
    }
  else
    {
      const char *def
          = default_registry && *default_registry ? default_registry : IMAGE_REF_DEFAULT_REGISTRY;
      if (check_registry (def, strlen (def), &why) < 0)
        {
          image_ref_clear (&r);
          return tong_err (err, 0, "invalid default registry \"%s\": %s", def, why);
        }
      r.registry = xstrdup (def);
      remote = name;
    }
  if (r.registry == NULL)
    abort ();
  if (strcmp (r.registry, "index.docker.io") == 0)
    {
      free (r.registry);
      r.registry = xstrdup ("docker.io");
    }
  if (check_repository (remote, &why) < 0)
    goto bad;
  if (strcmp (r.registry, "docker.io") == 0 && strchr (remote, '/') == NULL)
    r.repository = xasprintf ("library/%s", remote);
  else
    /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): name is freed by _cleanup_free_ */
    r.repository = xstrdup (remote);
  if (strlen (r.registry) + 1 + strlen (r.repository) > NAME_MAX_LEN)
    {
      why = "name (registry/repository) longer than 255 characters";
      goto bad;
    }
  if (at)
    r.digest = xstrdup (at + 1);
  else if (r.tag == NULL)
    r.tag = xstrdup ("latest");
  *out = r;
  return 0;

bad:
  image_ref_clear (&r);
  return tong_err (err, 0, "invalid image reference \"%s\": %s", text, why);
}

char *
image_ref_format (const struct image_ref *r)
{
  return xasprintf ("%s/%s%s%s%s%s", r->registry, r->repository, r->tag ? ":" : "",
                    r->tag ? r->tag : "", r->digest ? "@" : "", r->digest ? r->digest : "");
}
