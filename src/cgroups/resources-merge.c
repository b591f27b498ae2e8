#include "resources-merge.h"

#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "src/util.h"

static void
tree_freep (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}

static void
gen_freep (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}

static yajl_val
object_get (yajl_val obj, const char *key)
{
  for (size_t i = 0; YAJL_IS_OBJECT (obj) && i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

static void
gen_string (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

/* Write base merged with patch (either may be NULL). */
static void
gen_merged (yajl_gen g, yajl_val base, yajl_val patch)
{
  yajl_val v = patch ? patch : base;

  if (YAJL_IS_OBJECT (v))
    {
      yajl_val b = YAJL_IS_OBJECT (base) ? base : NULL, p = YAJL_IS_OBJECT (patch) ? patch : NULL;
      yajl_gen_map_open (g);
      for (size_t i = 0; b && i < b->u.object.len; i++)
        {
          gen_string (g, b->u.object.keys[i]);
          gen_merged (g, b->u.object.values[i], p ? object_get (p, b->u.object.keys[i]) : NULL);
        }
      for (size_t i = 0; p && i < p->u.object.len; i++)
        if (!b || !object_get (b, p->u.object.keys[i]))
          {
            gen_string (g, p->u.object.keys[i]);
            gen_merged (g, NULL, p->u.object.values[i]);
          }
      yajl_gen_map_close (g);
    }
  else if (YAJL_IS_ARRAY (v))
    {
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        gen_merged (g, NULL, v->u.array.values[i]);
      yajl_gen_array_close (g);
    }
  else if (YAJL_IS_STRING (v))
    gen_string (g, v->u.string);
  else if (YAJL_IS_NUMBER (v))
    yajl_gen_number (g, v->u.number.r, strlen (v->u.number.r));
  else if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    yajl_gen_bool (g, YAJL_IS_TRUE (v));
  else
    yajl_gen_null (g);
}

static yajl_val
parse (const char *text, const char *what, tong_error *err)
{
  char msg[256];
  yajl_val v = yajl_tree_parse (text, msg, sizeof msg);

  if (!v)
    tong_err (err, 0, "%s: not valid JSON: %s", what, msg);
  else if (!YAJL_IS_OBJECT (v))
    {
      tong_err (err, 0, "%s: must be a JSON object", what);
      yajl_tree_free (v);
      v = NULL;
    }
  return v;
}

static char *
gen_text (yajl_val base, yajl_val patch)
{
  __attribute__ ((cleanup (gen_freep))) yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t len;

  gen_merged (g, base, patch);
  yajl_gen_get_buf (g, &buf, &len);
  return xasprintf ("%.*s", (int) len, (const char *) buf);
}

char *
resources_json_merge (const char *base, const char *patch, const char *what, tong_error *err)
{
  __attribute__ ((cleanup (tree_freep))) yajl_val b = NULL, p = NULL;

  if (base && *base)
    {
      b = parse (base, "recorded resources", err);
      if (!b)
        return NULL;
    }
  p = parse (patch, what, err);
  if (!p)
    return NULL;
  return gen_text (b, p);
}

char *
resources_json_from_config (const char *config, tong_error *err)
{
  __attribute__ ((cleanup (tree_freep))) yajl_val c = parse (config, "config.json", err);
  yajl_val r;

  if (!c)
    return NULL;
  r = object_get (object_get (c, "linux"), "resources");
  if (!YAJL_IS_OBJECT (r))
    return xstrdup ("{}");
  return gen_text (NULL, r);
}
