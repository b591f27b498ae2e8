/* OCI image-spec documents (and Docker schema 2) from JSON into structs. */
#include "oci/image.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "oci/json.h"
#include "src/base/util.h"

static void
tree_freep (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}
#define _cleanup_tree_ __attribute__ ((cleanup (tree_freep)))

bool
oci_digest_valid (const char *d)
{
  if (!d || strncmp (d, "sha256:", 7) != 0 || strlen (d) != 7 + 64)
    return false;
  for (const char *p = d + 7; *p; p++)
    if (!isdigit ((unsigned char) *p) && !(*p >= 'a' && *p <= 'f'))
      return false;
  return true;
}

static yajl_val
get (yajl_val obj, const char *key)
{
  if (!YAJL_IS_OBJECT (obj))
    return NULL;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

/* A string member: absent (NULL unless required) or a string. */
static int
get_str (struct jctx *c, yajl_val obj, const char *key, bool required, char **out)
{
  yajl_val v = get (obj, key);
  size_t saved;
  int r = 0;

  *out = NULL;
  if (!v || YAJL_IS_NULL (v))
    {
      if (!required)
        return 0;
      saved = jpath_push_key (c, key);
      r = jerr (c, "missing");
      jpath_pop (c, saved);
      return r;
    }
  if (!YAJL_IS_STRING (v))
    {
      saved = jpath_push_key (c, key);
      r = jerr (c, "expected a string, got %s", jtype_name (v));
      jpath_pop (c, saved);
      return r;
    }
  *out = xstrdup (YAJL_GET_STRING (v));
  return 0;
}

static int
get_strv (struct jctx *c, yajl_val obj, const char *key, char ***out, size_t *n_out)
{
  yajl_val v = get (obj, key);
  size_t saved, n;
  char **strv;

  *out = NULL;
  if (n_out)
    *n_out = 0;
  if (!v || YAJL_IS_NULL (v))
    return 0;
  saved = jpath_push_key (c, key);
  if (!YAJL_IS_ARRAY (v))
    {
      int r = jerr (c, "expected an array of strings, got %s", jtype_name (v));
      jpath_pop (c, saved);
      return r;
    }
  n = v->u.array.len;
  strv = xcalloc (n + 1, sizeof *strv);
  for (size_t i = 0; i < n; i++)
    {
      yajl_val s = v->u.array.values[i];
      if (!YAJL_IS_STRING (s))
        {
          size_t s2 = jpath_push_index (c, i);
          int r = jerr (c, "expected a string, got %s", jtype_name (s));
          jpath_pop (c, s2);
          jpath_pop (c, saved);
          for (size_t j = 0; j < i; j++)
            free (strv[j]);
          free (strv);
          return r;
        }
      strv[i] = xstrdup (YAJL_GET_STRING (s));
    }
  jpath_pop (c, saved);
  *out = strv;
  if (n_out)
    *n_out = n;
  return 0;
}

static void
strv_free (char **v)
{
  if (!v)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}

static void
descriptor_clear (struct oci_descriptor *d)
{
  free (d->media_type);
  free (d->digest);
  free (d->ref_name);
  oci_platform_clear (&d->platform);
  memset (d, 0, sizeof *d);
}

static int
descriptor_parse (struct jctx *c, yajl_val v, struct oci_descriptor *d)
{
  yajl_val size, plat, ann;
  int r;

  memset (d, 0, sizeof *d);
  if (!YAJL_IS_OBJECT (v))
    return jerr (c, "expected an object, got %s", jtype_name (v));
  r = get_str (c, v, "mediaType", false, &d->media_type);
  if (r == 0)
    r = get_str (c, v, "digest", true, &d->digest);
  if (r == 0 && !oci_digest_valid (d->digest))
    {
      size_t saved = jpath_push_key (c, "digest");
      r = jerr (c, "\"%s\" is not a sha256 digest (sha256: and 64 hex digits)", d->digest);
      jpath_pop (c, saved);
    }
  if (r == 0)
    {
      size = get (v, "size");
      if (!size || !YAJL_IS_INTEGER (size) || YAJL_GET_INTEGER (size) < 0)
        {
          size_t saved = jpath_push_key (c, "size");
          r = jerr (c, "expected a size in bytes");
          jpath_pop (c, saved);
        }
      else
        d->size = YAJL_GET_INTEGER (size);
    }
  plat = get (v, "platform");
  if (r == 0 && plat)
    {
      size_t saved = jpath_push_key (c, "platform");
      r = get_str (c, plat, "os", true, &d->platform.os);
      if (r == 0)
        r = get_str (c, plat, "architecture", true, &d->platform.architecture);
      if (r == 0)
        r = get_str (c, plat, "variant", false, &d->platform.variant);
      jpath_pop (c, saved);
    }
  ann = get (v, "annotations");
  if (r == 0 && ann)
    {
      size_t saved = jpath_push_key (c, "annotations");
      r = get_str (c, ann, OCI_REF_NAME_ANNOTATION, false, &d->ref_name);
      jpath_pop (c, saved);
    }
  if (r < 0)
    descriptor_clear (d);
  return r;
}

static int
descriptor_array (struct jctx *c, yajl_val obj, const char *key, struct oci_descriptor **out,
                  size_t *n)
{
  yajl_val v = get (obj, key);
  size_t saved = jpath_push_key (c, key);
  struct oci_descriptor *ds;
  int r = 0;

  *out = NULL;
  *n = 0;
  if (!v || !YAJL_IS_ARRAY (v))
    {
      r = jerr (c, v ? "expected an array, got %s" : "missing", v ? jtype_name (v) : "");
      jpath_pop (c, saved);
      return r;
    }
  ds = xcalloc (v->u.array.len + 1, sizeof *ds);
  for (size_t i = 0; i < v->u.array.len; i++)
    {
      size_t s2 = jpath_push_index (c, i);
      r = descriptor_parse (c, v->u.array.values[i], &ds[i]);
      jpath_pop (c, s2);
      if (r < 0)
        {
          for (size_t j = 0; j < i; j++)
            descriptor_clear (&ds[j]);
          free (ds);
          jpath_pop (c, saved);
          return r;
        }
    }
  jpath_pop (c, saved);
  *out = ds;
  *n = v->u.array.len;
  return 0;
}

int
oci_doc_kind (const char *json, size_t len, const char *media_type, enum oci_doc_kind *kind,
              tong_error *err)
{
  struct jctx c = { .err = err, .what = "manifest", .mode = OCI_PARSE_ANY };
  _cleanup_tree_ yajl_val tree = NULL;
  _cleanup_free_ char *mt = NULL;
  int r;

  if (media_type && *media_type && strcmp (media_type, "application/json") != 0)
    mt = xstrdup (media_type);
  r = jtree_parse (&c, json, len, &tree);
  if (r < 0)
    return r;
  if (!mt)
    {
      r = get_str (&c, tree, "mediaType", false, &mt);
      if (r < 0)
        return r;
    }
  if (mt)
    {
      char *semi = strchr (mt, ';');
      if (semi)
        *semi = '\0';
      if (strcmp (mt, MT_OCI_INDEX) == 0 || strcmp (mt, MT_DOCKER_LIST) == 0)
        *kind = OCI_DOC_INDEX;
      else if (strcmp (mt, MT_OCI_MANIFEST) == 0 || strcmp (mt, MT_DOCKER_MANIFEST) == 0)
        *kind = OCI_DOC_MANIFEST;
      else
        return tong_err (err, 0,
                         "unsupported manifest media type \"%s\" (OCI image manifest or "
                         "index, Docker schema 2 manifest or manifest list)",
                         mt);
      return 0;
    }
  if (get (tree, "manifests"))
    *kind = OCI_DOC_INDEX;
  else if (get (tree, "layers") && get (tree, "config"))
    *kind = OCI_DOC_MANIFEST;
  else
    return tong_err (err, 0, "manifest: neither an image manifest nor an index");
  return 0;
}

int
oci_manifest_parse (const char *json, size_t len, struct oci_manifest *m, tong_error *err)
{
  struct jctx c = { .err = err, .what = "manifest", .mode = OCI_PARSE_ANY };
  _cleanup_tree_ yajl_val tree = NULL;
  yajl_val cfg, sv;
  int r;

  memset (m, 0, sizeof *m);
  r = jtree_parse (&c, json, len, &tree);
  if (r < 0)
    return r;
  if (!YAJL_IS_OBJECT (tree))
    return jerr (&c, "expected an object, got %s", jtype_name (tree));
  sv = get (tree, "schemaVersion");
  if (!sv || !YAJL_IS_INTEGER (sv) || YAJL_GET_INTEGER (sv) != 2)
    return tong_err (err, 0,
                     "manifest: schemaVersion: expected 2 (Docker schema 1 manifests are "
                     "not supported)");
  r = get_str (&c, tree, "mediaType", false, &m->media_type);
  if (r < 0)
    return r;
  cfg = get (tree, "config");
  {
    size_t saved = jpath_push_key (&c, "config");
    r = cfg ? descriptor_parse (&c, cfg, &m->config) : jerr (&c, "missing");
    jpath_pop (&c, saved);
  }
  if (r == 0)
    r = descriptor_array (&c, tree, "layers", &m->layers, &m->n_layers);
  for (size_t i = 0; r == 0 && i < m->n_layers; i++)
    {
      const char *mt = m->layers[i].media_type;
      if (mt && !oci_layer_media_type_known (mt))
        r = tong_err (err, 0, "manifest: layers[%zu].mediaType: unsupported layer type \"%s\"", i,
                      mt);
    }
  if (r < 0)
    oci_manifest_clear (m);
  return r;
}

void
oci_manifest_clear (struct oci_manifest *m)
{
  free (m->media_type);
  descriptor_clear (&m->config);
  for (size_t i = 0; i < m->n_layers; i++)
    descriptor_clear (&m->layers[i]);
  free (m->layers);
  memset (m, 0, sizeof *m);
}

int
oci_index_parse (const char *json, size_t len, struct oci_index *idx, tong_error *err)
{
  struct jctx c = { .err = err, .what = "index", .mode = OCI_PARSE_ANY };
  _cleanup_tree_ yajl_val tree = NULL;
  int r;

  memset (idx, 0, sizeof *idx);
  r = jtree_parse (&c, json, len, &tree);
  if (r < 0)
    return r;
  if (!YAJL_IS_OBJECT (tree))
    return jerr (&c, "expected an object, got %s", jtype_name (tree));
  r = get_str (&c, tree, "mediaType", false, &idx->media_type);
  if (r == 0)
    r = descriptor_array (&c, tree, "manifests", &idx->manifests, &idx->n_manifests);
  if (r < 0)
    oci_index_clear (idx);
  return r;
}

void
oci_index_clear (struct oci_index *idx)
{
  free (idx->media_type);
  for (size_t i = 0; i < idx->n_manifests; i++)
    descriptor_clear (&idx->manifests[i]);
  free (idx->manifests);
  memset (idx, 0, sizeof *idx);
}

int
oci_image_config_parse (const char *json, size_t len, struct oci_image_config *ic, tong_error *err)
{
  struct jctx c = { .err = err, .what = "image config", .mode = OCI_PARSE_ANY };
  _cleanup_tree_ yajl_val tree = NULL;
  yajl_val cfg, rootfs;
  int r;

  memset (ic, 0, sizeof *ic);
  r = jtree_parse (&c, json, len, &tree);
  if (r < 0)
    return r;
  if (!YAJL_IS_OBJECT (tree))
    return jerr (&c, "expected an object, got %s", jtype_name (tree));
  r = get_str (&c, tree, "os", false, &ic->os);
  if (r == 0)
    r = get_str (&c, tree, "architecture", false, &ic->architecture);
  if (r == 0)
    r = get_str (&c, tree, "created", false, &ic->created);
  cfg = get (tree, "config");
  if (r == 0 && cfg && !YAJL_IS_NULL (cfg))
    {
      size_t saved = jpath_push_key (&c, "config");
      r = get_str (&c, cfg, "User", false, &ic->user);
      if (r == 0)
        r = get_str (&c, cfg, "WorkingDir", false, &ic->working_dir);
      if (r == 0)
        r = get_str (&c, cfg, "StopSignal", false, &ic->stop_signal);
      if (r == 0)
        r = get_strv (&c, cfg, "Env", &ic->env, NULL);
      if (r == 0)
        r = get_strv (&c, cfg, "Entrypoint", &ic->entrypoint, NULL);
      if (r == 0)
        r = get_strv (&c, cfg, "Cmd", &ic->cmd, NULL);
      jpath_pop (&c, saved);
    }
  rootfs = get (tree, "rootfs");
  if (r == 0)
    {
      size_t saved = jpath_push_key (&c, "rootfs");
      if (!rootfs)
        r = jerr (&c, "missing");
      else
        r = get_strv (&c, rootfs, "diff_ids", &ic->diff_ids, &ic->n_diff_ids);
      for (size_t i = 0; r == 0 && i < ic->n_diff_ids; i++)
        if (!oci_digest_valid (ic->diff_ids[i]))
          r = jerr (&c, "diff_ids[%zu]: \"%s\" is not a sha256 digest", i, ic->diff_ids[i]);
      jpath_pop (&c, saved);
    }
  if (r < 0)
    oci_image_config_clear (ic);
  return r;
}

void
oci_image_config_clear (struct oci_image_config *ic)
{
  free (ic->os);
  free (ic->architecture);
  free (ic->created);
  free (ic->user);
  free (ic->working_dir);
  free (ic->stop_signal);
  strv_free (ic->env);
  strv_free (ic->entrypoint);
  strv_free (ic->cmd);
  strv_free (ic->diff_ids);
  memset (ic, 0, sizeof *ic);
}

/* The Go names registries use for uname's machines. */
static const char *
host_arch (const char **variant)
{
  static struct utsname u;
  static const struct
  {
    const char *machine, *arch, *variant;
  } map[] = {
    { "x86_64", "amd64", NULL },    { "aarch64", "arm64", NULL }, { "armv7l", "arm", "v7" },
    { "armv6l", "arm", "v6" },      { "i686", "386", NULL },      { "i386", "386", NULL },
    { "ppc64le", "ppc64le", NULL }, { "s390x", "s390x", NULL },   { "riscv64", "riscv64", NULL },
  };

  *variant = NULL;
  if (uname (&u) < 0)
    return "amd64";
  for (size_t i = 0; i < ARRAY_SIZE (map); i++)
    if (strcmp (u.machine, map[i].machine) == 0)
      {
        *variant = map[i].variant;
        return map[i].arch;
      }
  return u.machine;
}

int
oci_platform_parse (const char *text, struct oci_platform *p, tong_error *err)
{
  memset (p, 0, sizeof *p);
  if (!text)
    {
      const char *variant;
      p->os = xstrdup ("linux");
      p->architecture = xstrdup (host_arch (&variant));
      p->variant = variant ? xstrdup (variant) : NULL;
      return 0;
    }
  _cleanup_free_ char *copy = xstrdup (text);
  char *os = copy, *arch = strchr (copy, '/'), *variant = NULL;
  if (!arch || arch == os || arch[1] == '\0')
    return tong_err (err, 0, "--platform \"%s\": expected OS/ARCH[/VARIANT], e.g. linux/amd64",
                     text);
  *arch++ = '\0';
  variant = strchr (arch, '/');
  if (variant)
    {
      *variant++ = '\0';
      if (*variant == '\0' || strchr (variant, '/'))
        return tong_err (err, 0, "--platform \"%s\": expected OS/ARCH[/VARIANT], e.g. linux/amd64",
                         text);
    }
  p->os = xstrdup (os);
  p->architecture = xstrdup (arch);
  p->variant = variant ? xstrdup (variant) : NULL;
  return 0;
}

void
oci_platform_clear (struct oci_platform *p)
{
  free (p->os);
  free (p->architecture);
  free (p->variant);
  memset (p, 0, sizeof *p);
}

int
oci_index_select (const struct oci_index *idx, const struct oci_platform *want, size_t *which,
                  tong_error *err)
{
  char offer[1024] = "";
  size_t used = 0;
  ssize_t loose = -1;

  for (size_t i = 0; i < idx->n_manifests; i++)
    {
      const struct oci_platform *p = &idx->manifests[i].platform;
      if (!p->os || !p->architecture)
        continue;
      if (strcmp (p->os, want->os) == 0 && strcmp (p->architecture, want->architecture) == 0)
        {
          if (!want->variant || !p->variant || strcmp (want->variant, p->variant) == 0)
            {
              if (!want->variant || (p->variant && strcmp (want->variant, p->variant) == 0))
                {
                  *which = i;
                  return 0;
                }
              if (loose < 0)
                loose = (ssize_t) i;
            }
        }
      if (used < sizeof offer)
        {
          int n = str_format (offer + used, sizeof offer - used, "%s%s/%s%s%s", used ? ", " : "",
                              p->os, p->architecture, p->variant ? "/" : "",
                              p->variant ? p->variant : "");
          if (n > 0)
            used += (size_t) n;
        }
    }
  if (loose >= 0)
    {
      *which = (size_t) loose;
      return 0;
    }
  return tong_err_code (err, ENOENT, "no image for platform %s/%s%s%s in the index (it has: %s)",
                        want->os, want->architecture, want->variant ? "/" : "",
                        want->variant ? want->variant : "", used ? offer : "nothing");
}

bool
oci_layer_media_type_known (const char *mt)
{
  static const char *const known[] = {
    MT_OCI_LAYER,
    MT_OCI_LAYER_GZIP,
    MT_OCI_LAYER_ZSTD,
    MT_DOCKER_LAYER_GZIP,
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  };
  for (size_t i = 0; i < ARRAY_SIZE (known); i++)
    if (strcmp (mt, known[i]) == 0)
      return true;
  return false;
}
