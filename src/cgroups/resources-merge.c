#include "resources-merge.h"

#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "oci/json-gen.h"
#include "src/base/util.h"
#include "oci/json-tree.h"

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
parse (const char *text, const char *what, tong_error *err)
{
  char msg[256];
  size_t off;
  yajl_val v = json_tree_parse (text, strlen (text), msg, sizeof msg, &off);

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

  json_gen_merged (g, base, patch);
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
  r = json_object_get (json_object_get (c, "linux"), "resources");
  if (!YAJL_IS_OBJECT (r))
    return xstrdup ("{}");
  return gen_text (NULL, r);
}
