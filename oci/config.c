/* config.json: the top-level object, root, mounts, hooks, and the public entry points. */
#include "oci/config.h"

#include <fcntl.h>
#include <string.h>

#include "oci/json.h"
#include "src/base/util.h"

static const struct jfield root_fields[] = {
  F_STR ("path", struct oci_root, path, J_REQUIRED_CREATE),
  F_BOOL ("readonly", struct oci_root, readonly),
};
static const struct jtype root_type = JTYPE (root_fields, NULL);

static const struct jfield mount_fields[] = {
  F_STR ("destination", struct oci_mount, destination, J_REQUIRED),
  F_STR ("source", struct oci_mount, source, J_OPTIONAL),
  F_STR ("type", struct oci_mount, type, J_OPTIONAL),
  F_STRV ("options", struct oci_mount, options, J_OPTIONAL),
  F_ARRAY ("uidMappings", struct oci_mount, uid_mappings, uid_mappings_len, struct oci_id_mapping,
           oci_id_mapping_type, J_OPTIONAL),
  F_ARRAY ("gidMappings", struct oci_mount, gid_mappings, gid_mappings_len, struct oci_id_mapping,
           oci_id_mapping_type, J_OPTIONAL),
};
static const struct jtype mount_type = JTYPE (mount_fields, NULL);

static int
check_hook (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_hook *h = obj;

  if (h->path[0] != '/')
    {
      jpath_push_key (c, "path");
      return jerr (c, "\"%.200s\" is not an absolute path", h->path);
    }
  if (h->has_timeout && h->timeout <= 0)
    {
      jpath_push_key (c, "timeout");
      return jerr (c, "%d seconds: must be greater than zero", h->timeout);
    }
  return 0;
}

static const struct jfield hook_fields[] = {
  F_STR ("path", struct oci_hook, path, J_REQUIRED),
  F_STRV ("args", struct oci_hook, args, J_OPTIONAL),
  F_STRV ("env", struct oci_hook, env, J_OPTIONAL),
  F_NUMH ("timeout", J_I32, struct oci_hook, timeout, int, has_timeout),
};
static const struct jtype hook_type = JTYPE (hook_fields, check_hook);

#define HOOKS(n, m)                                                                                \
  F_ARRAY (n, struct oci_hooks, m.items, m.len, struct oci_hook, hook_type, J_OPTIONAL)
static const struct jfield hooks_fields[] = {
  HOOKS ("prestart", prestart),
  HOOKS ("createRuntime", create_runtime),
  HOOKS ("createContainer", create_container),
  HOOKS ("startContainer", start_container),
  HOOKS ("poststart", poststart),
  HOOKS ("poststop", poststop),
};
static const struct jtype hooks_type = JTYPE (hooks_fields, NULL);

/* "1.MINOR.PATCH" with an optional "-pre-release" and/or "+build" suffix. */
static bool
oci_version_valid (const char *v)
{
  size_t n;

  if (strncmp (v, "1.", 2) != 0)
    return false;
  v += 2;
  for (int part = 0; part < 2; part++)
    {
      for (n = 0; ascii_isdigit (v[n]); n++)
        ;
      if (n == 0 || (n > 1 && v[0] == '0'))
        return false;
      v += n;
      if (part == 0 && *v++ != '.')
        return false;
    }
  if (*v == '\0')
    return true;
  if (*v != '-' && *v != '+')
    return false;
  if (v[1] == '\0')
    return false;
  for (v++; *v; v++)
    if (!ascii_isalnum (*v) && *v != '.' && *v != '-' && *v != '+')
      return false;
  return true;
}

static int
check_spec (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_spec *s = obj;

  if (s->oci_version && !oci_version_valid (s->oci_version))
    {
      jpath_push_key (c, "ociVersion");
      return jerr (c, "\"%.100s\" is not a runtime-spec version 1.x (e.g. \"1.2.0\")",
                   s->oci_version);
    }
  return 0;
}

static const struct jfield spec_fields[] = {
  F_STR ("ociVersion", struct oci_spec, oci_version, J_REQUIRED_CREATE),
  F_OBJ ("process", struct oci_spec, process, struct oci_process, oci_process_type,
         J_REQUIRED_CREATE),
  F_OBJ ("root", struct oci_spec, root, struct oci_root, root_type, J_REQUIRED_CREATE),
  F_STR ("hostname", struct oci_spec, hostname, J_OPTIONAL),
  F_STR ("domainname", struct oci_spec, domainname, J_OPTIONAL),
  F_ARRAY ("mounts", struct oci_spec, mounts, mounts_len, struct oci_mount, mount_type, J_OPTIONAL),
  F_OBJ ("hooks", struct oci_spec, hooks, struct oci_hooks, hooks_type, J_OPTIONAL),
  F_MAP ("annotations", struct oci_spec, annotations),
  F_OBJ ("linux", struct oci_spec, linux_, struct oci_linux, oci_linux_type, J_OPTIONAL),
};
static const struct jtype spec_type = JTYPE (spec_fields, check_spec);

/* Parse text into a freshly allocated struct of type t; on failure it is freed. */
static int
parse_document (const char *json, size_t len, const char *what, enum oci_parse_mode mode,
                const struct jtype *t, size_t size, void **out, tong_error *err)
{
  struct jctx c = { .err = err, .what = what, .mode = mode };
  yajl_val tree = NULL;
  void *obj;
  int r;

  *out = NULL;
  r = jtree_parse (&c, json, len, &tree);
  if (r < 0)
    return r;
  obj = xcalloc (1, size);
  r = jparse_object (&c, tree, t, obj);
  yajl_tree_free (tree);
  if (r < 0)
    {
      jfree_object (t, obj);
      free (obj);
      return r;
    }
  *out = obj;
  return 0;
}

int
oci_spec_parse (const char *json, size_t len, enum oci_parse_mode mode, struct oci_spec **out,
                tong_error *err)
{
  return parse_document (json, len, "config.json", mode, &spec_type, sizeof (struct oci_spec),
                         (void **) out, err);
}

void
oci_spec_free (struct oci_spec *spec)
{
  if (spec == NULL)
    return;
  jfree_object (&spec_type, spec);
  free (spec);
}

int
oci_process_parse (const char *json, size_t len, const char *what, struct oci_process **out,
                   tong_error *err)
{
  return parse_document (json, len, what, OCI_PARSE_FOR_CREATE, &oci_process_type,
                         sizeof (struct oci_process), (void **) out, err);
}

void
oci_process_free (struct oci_process *p)
{
  if (p == NULL)
    return;
  jfree_object (&oci_process_type, p);
  free (p);
}

int
oci_resources_parse (const char *json, size_t len, const char *what, struct oci_resources **out,
                     tong_error *err)
{
  return parse_document (json, len, what, OCI_PARSE_ANY, &oci_resources_type,
                         sizeof (struct oci_resources), (void **) out, err);
}

void
oci_resources_free (struct oci_resources *r)
{
  if (r == NULL)
    return;
  jfree_object (&oci_resources_type, r);
  free (r);
}

void
oci_map_copy (struct oci_map *dst, const struct oci_map *src)
{
  dst->len = 0;
  dst->items = src->len ? xcalloc (src->len, sizeof *dst->items) : NULL;
  for (; dst->len < src->len; dst->len++)
    {
      dst->items[dst->len].key = xstrdup (src->items[dst->len].key);
      dst->items[dst->len].value = xstrdup (src->items[dst->len].value);
    }
}

void
oci_map_set (struct oci_map *m, const char *key, const char *value)
{
  for (size_t i = 0; i < m->len; i++)
    if (strcmp (m->items[i].key, key) == 0)
      {
        free (m->items[i].value);
        m->items[i].value = xstrdup (value);
        return;
      }
  m->items = xrealloc (m->items, (m->len + 1) * sizeof *m->items);
  m->items[m->len].key = xstrdup (key);
  m->items[m->len].value = xstrdup (value);
  m->len++;
}

void
oci_map_clear (struct oci_map *m)
{
  for (size_t i = 0; i < m->len; i++)
    {
      free (m->items[i].key);
      free (m->items[i].value);
    }
  free (m->items);
  m->items = NULL;
  m->len = 0;
}

const char *
oci_map_get (const struct oci_map *m, const char *key)
{
  /* Keys are unique after parsing; the last match is also the right one
   * for maps the runtime builds itself. */
  for (size_t i = m->len; i-- > 0;)
    if (strcmp (m->items[i].key, key) == 0)
      return m->items[i].value;
  return NULL;
}
