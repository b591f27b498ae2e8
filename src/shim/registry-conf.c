/* The subset of podman's registries.conf (v2, TOML) that tong-shim reads:
 *
 *   unqualified-search-registries = ["registry.example.com", "docker.io"]
 *   [[registry]]
 *   location = "127.0.0.1:5000"
 *   insecure = true
 *
 * The first unqualified-search registry is the default registry; a
 * [[registry]] with insecure = true allows plain HTTP (and unverified TLS) for
 * its location (or prefix; "*.example.com" matches subdomains).  Other tables
 * and keys are ignored; anything that is not TOML of this shape is an error
 * naming the line. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "src/shim/registry.h"
#include "src/base/util.h"

struct conf_registry
{
  char *location;
  char *prefix;
  bool insecure;
};

struct conf
{
  char **search; /* NULL-terminated */
  size_t nsearch;
  struct conf_registry *regs;
  size_t nregs;
};

static void
conf_clear (struct conf *c)
{
  for (size_t i = 0; i < c->nsearch; i++)
    free (c->search[i]);
  free (c->search);
  for (size_t i = 0; i < c->nregs; i++)
    {
      free (c->regs[i].location);
      free (c->regs[i].prefix);
    }
  free (c->regs);
  memset (c, 0, sizeof *c);
}

static char *
skip_ws (char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* A TOML basic or literal string at *pp; NULL when malformed. */
static char *
toml_string (char **pp)
{
  char *p = *pp, q = *p, *out, *o;

  if (q != '"' && q != '\'')
    return NULL;
  out = o = xmalloc (strlen (p) + 1);
  for (p++; *p && *p != q; p++)
    {
      if (q == '"' && *p == '\\' && p[1])
        p++;
      *o++ = *p;
    }
  if (*p != q)
    {
      free (out);
      return NULL;
    }
  *o = '\0';
  *pp = p + 1;
  return out;
}

/* Drop a comment, honouring quotes. */
static void
strip_comment (char *line)
{
  char q = 0;
  for (char *p = line; *p; p++)
    {
      if (q)
        {
          if (*p == '\\' && q == '"' && p[1])
            p++;
          else if (*p == q)
            q = 0;
        }
      else if (*p == '"' || *p == '\'')
        q = *p;
      else if (*p == '#')
        {
          *p = '\0';
          return;
        }
    }
}

static int
parse_array (const char *path, unsigned lineno, char *p, struct conf *c, tong_error *err)
{
  if (*p != '[')
    return tong_err (err, 0, "%s:%u: expected an array of strings", path, lineno);
  p = skip_ws (p + 1);
  while (*p != ']')
    {
      char *s = toml_string (&p);
      if (s == NULL)
        return tong_err (err, 0, "%s:%u: expected a quoted string in the array", path, lineno);
      c->search = xrealloc (c->search, (c->nsearch + 2) * sizeof (char *));
      c->search[c->nsearch++] = s;
      c->search[c->nsearch] = NULL;
      p = skip_ws (p);
      if (*p == ',')
        p = skip_ws (p + 1);
      else if (*p != ']')
        return tong_err (err, 0,
                         "%s:%u: expected ',' or ']' in the array (arrays must be on "
                         "one line)",
                         path, lineno);
    }
  return 0;
}

static int
conf_parse (const char *path, struct conf *c, tong_error *err)
{
  _cleanup_free_ char *text = NULL;
  enum
  {
    TOP,
    REGISTRY,
    OTHER
  } table
      = TOP;
  char *line, *save = NULL;
  unsigned lineno = 0;
  size_t len;
  int r;

  memset (c, 0, sizeof *c);
  r = read_file_at (AT_FDCWD, path, &text, &len, err);
  if (r < 0)
    return tong_err_prefix (err, "registries configuration");
  /* strtok_r would merge empty lines and skew line numbers: split by hand. */
  for (line = text; line; line = save)
    {
      char *p, *key, *end;
      size_t klen;

      save = strchr (line, '\n');
      if (save)
        *save++ = '\0';
      lineno++;
      strip_comment (line);
      p = skip_ws (line);
      end = p + strlen (p);
      while (end > p && isspace ((unsigned char) end[-1]))
        *--end = '\0';
      if (*p == '\0')
        continue;
      if (*p == '[')
        {
          if (strcmp (p, "[[registry]]") == 0)
            {
              c->regs = xrealloc (c->regs, (c->nregs + 1) * sizeof *c->regs);
              memset (&c->regs[c->nregs++], 0, sizeof *c->regs);
              table = REGISTRY;
            }
          else if (end[-1] == ']')
            table = OTHER;
          else
            return tong_err (err, 0, "%s:%u: malformed table header", path, lineno);
          continue;
        }
      key = p;
      while (*p && (isalnum ((unsigned char) *p) || *p == '-' || *p == '_' || *p == '.'))
        p++;
      klen = p - key;
      p = skip_ws (p);
      if (klen == 0 || *p != '=')
        return tong_err (err, 0, "%s:%u: expected KEY = VALUE", path, lineno);
      key[klen] = '\0';
      p = skip_ws (p + 1);
      if (table == TOP && strcmp (key, "unqualified-search-registries") == 0)
        {
          r = parse_array (path, lineno, p, c, err);
          if (r < 0)
            return r;
        }
      else if (table == REGISTRY && (strcmp (key, "location") == 0 || strcmp (key, "prefix") == 0))
        {
          struct conf_registry *reg = &c->regs[c->nregs - 1];
          char **slot = key[0] == 'l' ? &reg->location : &reg->prefix;
          char *s = toml_string (&p);
          if (s == NULL)
            return tong_err (err, 0, "%s:%u: %s must be a quoted string", path, lineno, key);
          free (*slot);
          *slot = s;
        }
      else if (table == REGISTRY && strcmp (key, "insecure") == 0)
        {
          if (strcmp (p, "true") == 0)
            c->regs[c->nregs - 1].insecure = true;
          else if (strcmp (p, "false") == 0)
            c->regs[c->nregs - 1].insecure = false;
          else
            return tong_err (err, 0, "%s:%u: insecure must be true or false", path, lineno);
        }
    }
  return 0;
}

int
registry_conf_default (const char *registries_conf, char **default_registry, tong_error *err)
{
  struct conf c;
  int r;

  *default_registry = NULL;
  if (registries_conf == NULL)
    {
      *default_registry = xstrdup (IMAGE_REF_DEFAULT_REGISTRY);
      return 0;
    }
  r = conf_parse (registries_conf, &c, err);
  if (r == 0)
    *default_registry = xstrdup (c.nsearch ? c.search[0] : IMAGE_REF_DEFAULT_REGISTRY);
  conf_clear (&c);
  return r;
}

/* Does a location or prefix name host?  "host", "host/ns…" and
 * "*.domain" (host ending in ".domain") do. */
static bool
names_host (const char *loc, const char *host)
{
  size_t n = strlen (host);

  if (loc == NULL)
    return false;
  if (loc[0] == '*' && loc[1] == '.')
    {
      size_t ln = strlen (loc + 1);
      return n > ln && strcmp (host + n - ln, loc + 1) == 0;
    }
  return strncmp (loc, host, n) == 0 && (loc[n] == '\0' || loc[n] == '/');
}

int
registry_conf_insecure (const char *registries_conf, const char *host, bool *insecure,
                        tong_error *err)
{
  struct conf c;
  int r;

  *insecure = false;
  if (registries_conf == NULL)
    return 0;
  r = conf_parse (registries_conf, &c, err);
  for (size_t i = 0; r == 0 && i < c.nregs; i++)
    if (names_host (c.regs[i].prefix ? c.regs[i].prefix : c.regs[i].location, host))
      *insecure = c.regs[i].insecure;
  conf_clear (&c);
  return r;
}
