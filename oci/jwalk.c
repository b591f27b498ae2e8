/* The generic parts of the table walker: scalars, lists, maps, nested objects,
 * and freeing whatever a table describes. */
#include "oci/json.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/util.h"

#define AT(base, off) ((char *) (base) + (off))

static yajl_val
jget (yajl_val obj, const char *key)
{
  /* With duplicate keys the last one wins, as in most JSON decoders. */
  for (size_t i = obj->u.object.len; i-- > 0;)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

static const char *
int_noun (enum jkind k)
{
  switch (k)
    {
    case J_U16:
      return "an unsigned 16-bit integer";
    case J_U32:
      return "an unsigned 32-bit integer";
    case J_I32:
      return "a 32-bit integer";
    case J_U64:
      return "an unsigned 64-bit integer";
    default:
      return "a 64-bit integer";
    }
}

/* Integers are read from yajl's text form: yajl's own long long cannot hold
 * values such as RLIM_INFINITY (2^64-1), and "1.0" or "1e3" are not integers. */
static int
parse_int (struct jctx *c, yajl_val v, enum jkind k, void *dst)
{
  const char *s, *end;
  unsigned long long u;
  uint64_t max;
  bool neg;

  if (!YAJL_IS_NUMBER (v))
    return jerr (c, "expected %s, got %s", int_noun (k), jtype_name (v));
  s = v->u.number.r;
  neg = *s == '-';
  end = digits_scan (s + neg, &u);
  if (!end || *end != '\0')
    return jerr (c, "expected %s, got %.64s", int_noun (k), s);
  switch (k)
    {
    case J_U16:
    case J_U32:
    case J_U64:
      max = k == J_U16 ? UINT16_MAX : k == J_U32 ? UINT32_MAX : UINT64_MAX;
      if ((neg && u != 0) || u > max)
        return jerr (c, "expected %s, got %.64s", int_noun (k), s);
      if (k == J_U16)
        *(uint16_t *) dst = (uint16_t) u;
      else if (k == J_U32)
        *(uint32_t *) dst = (uint32_t) u;
      else
        *(uint64_t *) dst = u;
      return 0;
    default:
      max = k == J_I32 ? (uint64_t) INT32_MAX : (uint64_t) INT64_MAX;
      if (u > max + neg)
        return jerr (c, "expected %s, got %.64s", int_noun (k), s);
      if (k == J_I32)
        *(int32_t *) dst = neg ? (int32_t) (0 - (uint32_t) u) : (int32_t) u;
      else
        *(int64_t *) dst = neg ? (int64_t) (0 - (uint64_t) u) : (int64_t) u;
      return 0;
    }
}

static int
parse_string (struct jctx *c, yajl_val v, char **dst)
{
  if (!YAJL_IS_STRING (v))
    return jerr (c, "expected a string, got %s", jtype_name (v));
  *dst = xstrdup (v->u.string);
  return 0;
}

static int
parse_strv (struct jctx *c, yajl_val v, char ***dst)
{
  char **strv;
  size_t n;

  if (!YAJL_IS_ARRAY (v))
    return jerr (c, "expected an array of strings, got %s", jtype_name (v));
  n = v->u.array.len;
  strv = *dst = xcalloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      yajl_val s = v->u.array.values[i];
      if (!YAJL_IS_STRING (s))
        {
          jpath_push_index (c, i);
          return jerr (c, "expected a string, got %s", jtype_name (s));
        }
      strv[i] = xstrdup (s->u.string);
    }
  return 0;
}

static int
parse_u32s (struct jctx *c, yajl_val v, uint32_t **dst, size_t *len)
{
  if (!YAJL_IS_ARRAY (v))
    return jerr (c, "expected an array of unsigned 32-bit integers, got %s", jtype_name (v));
  *dst = xcalloc (v->u.array.len, sizeof (uint32_t));
  *len = v->u.array.len;
  for (size_t i = 0; i < v->u.array.len; i++)
    {
      size_t saved = jpath_push_index (c, i);
      int r = parse_int (c, v->u.array.values[i], J_U32, &(*dst)[i]);
      if (r < 0)
        return r;
      jpath_pop (c, saved);
    }
  return 0;
}

struct key_index
{
  const char *key;
  size_t index;
};

static int
key_index_cmp (const void *a, const void *b)
{
  const struct key_index *x = a, *y = b;
  int r = strcmp (x->key, y->key);

  if (r != 0)
    return r;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* An object of strings; a repeated key keeps its last value, found by sorting
 * (n log n) so that maps with 100k annotations stay cheap. */
static int
parse_map (struct jctx *c, yajl_val v, struct oci_map *m)
{
  _cleanup_free_ struct key_index *order = NULL;
  _cleanup_free_ bool *dropped = NULL;
  size_t n;

  if (!YAJL_IS_OBJECT (v))
    return jerr (c, "expected an object of strings, got %s", jtype_name (v));
  n = v->u.object.len;
  for (size_t i = 0; i < n; i++)
    if (!YAJL_IS_STRING (v->u.object.values[i]))
      {
        jpath_push_key (c, v->u.object.keys[i]);
        return jerr (c, "expected a string, got %s", jtype_name (v->u.object.values[i]));
      }
  order = xcalloc (n, sizeof *order);
  dropped = xcalloc (n, sizeof *dropped);
  for (size_t i = 0; i < n; i++)
    order[i] = (struct key_index){ v->u.object.keys[i], i };
  qsort (order, n, sizeof *order, key_index_cmp);
  for (size_t i = 0; i + 1 < n; i++)
    if (strcmp (order[i].key, order[i + 1].key) == 0)
      dropped[order[i].index] = true;
  m->items = xcalloc (n, sizeof *m->items);
  for (size_t i = 0; i < n; i++)
    if (!dropped[i])
      {
        m->items[m->len].key = xstrdup (v->u.object.keys[i]);
        m->items[m->len].value = xstrdup (v->u.object.values[i]->u.string);
        m->len++;
      }
  return 0;
}

static int
parse_items (struct jctx *c, yajl_val v, const struct jfield *f, void *base)
{
  bool keyed = f->kind == J_KEYED;
  size_t n;
  char *items;

  if (keyed ? !YAJL_IS_OBJECT (v) : !YAJL_IS_ARRAY (v))
    return jerr (c, "expected %s, got %s", keyed ? "an object" : "an array", jtype_name (v));
  n = keyed ? v->u.object.len : v->u.array.len;
  items = xcalloc (n, f->size);
  /* Ownership moves to the struct first, so a failure below frees it all. */
  *(void **) AT (base, f->off) = items;
  *(size_t *) AT (base, f->aux_off) = n;
  for (size_t i = 0; i < n; i++)
    {
      void *item = items + i * f->size;
      yajl_val iv = keyed ? v->u.object.values[i] : v->u.array.values[i];
      size_t saved = keyed ? jpath_push_key (c, v->u.object.keys[i]) : jpath_push_index (c, i);
      int r;

      if (keyed)
        *(char **) AT (item, f->key_off) = xstrdup (v->u.object.keys[i]);
      r = jparse_object (c, iv, f->type, item);
      if (r < 0)
        return r;
      jpath_pop (c, saved);
    }
  return 0;
}

static int
parse_field (struct jctx *c, yajl_val v, const struct jfield *f, void *base)
{
  void *dst = AT (base, f->off);
  int r, num;

  switch (f->kind)
    {
    case J_STR:
      return parse_string (c, v, dst);
    case J_BOOL:
      if (!YAJL_IS_TRUE (v) && !YAJL_IS_FALSE (v))
        return jerr (c, "expected a boolean, got %s", jtype_name (v));
      *(bool *) dst = YAJL_IS_TRUE (v);
      break;
    case J_U16:
    case J_U32:
    case J_I32:
    case J_U64:
    case J_I64:
      r = parse_int (c, v, f->kind, dst);
      if (r < 0)
        return r;
      break;
    case J_ENUM:
      if (!YAJL_IS_STRING (v))
        return jerr (c, "expected a string, got %s", jtype_name (v));
      if (!jenum_lookup (f->enumt, v->u.string, &num))
        return jerr (c, "unknown %s \"%.100s\"", f->enumt->noun, v->u.string);
      *(char **) dst = xstrdup (v->u.string);
      if (f->aux_off != J_NO_OFF)
        *(int *) AT (base, f->aux_off) = num;
      return 0;
    case J_STRV:
      return parse_strv (c, v, dst);
    case J_MAP:
      return parse_map (c, v, dst);
    case J_U32S:
      return parse_u32s (c, v, dst, (size_t *) AT (base, f->aux_off));
    case J_OBJ:
      if (!YAJL_IS_OBJECT (v))
        return jerr (c, "expected an object, got %s", jtype_name (v));
      *(void **) dst = xcalloc (1, f->size);
      return jparse_object (c, v, f->type, *(void **) dst);
    case J_INLINE:
      r = jparse_object (c, v, f->type, dst);
      if (r < 0)
        return r;
      break;
    case J_ARRAY:
    case J_KEYED:
      return parse_items (c, v, f, base);
    case J_FUNC:
      return f->fn (c, v, dst);
    }
  if (f->aux_off != J_NO_OFF)
    *(bool *) AT (base, f->aux_off) = true;
  return 0;
}

int
jparse_object (struct jctx *c, yajl_val v, const struct jtype *t, void *base)
{
  if (!YAJL_IS_OBJECT (v))
    return jerr (c, "expected an object, got %s", jtype_name (v));
  for (size_t i = 0; i < t->len; i++)
    {
      const struct jfield *f = &t->fields[i];
      yajl_val fv = jget (v, f->name);
      size_t saved;
      int r;

      /* null means absent, as for Go's decoder that runc uses. */
      if (fv == NULL || YAJL_IS_NULL (fv))
        {
          if (f->req == J_OPTIONAL
              || (f->req == J_REQUIRED_CREATE && c->mode != OCI_PARSE_FOR_CREATE))
            continue;
          jpath_push_key (c, f->name);
          return jerr (c, f->req == J_REQUIRED ? "required" : "required for create");
        }
      saved = jpath_push_key (c, f->name);
      r = parse_field (c, fv, f, base);
      if (r < 0)
        return r;
      jpath_pop (c, saved);
    }
  return t->check ? t->check (c, v, base) : 0;
}

void
jfree_object (const struct jtype *t, void *base)
{
  for (size_t i = 0; i < t->len; i++)
    {
      const struct jfield *f = &t->fields[i];
      void *dst = AT (base, f->off);

      switch (f->kind)
        {
        case J_STR:
        case J_ENUM:
        case J_U32S:
          free (*(void **) dst);
          break;
        case J_STRV:
          strvfreep (dst);
          break;
        case J_MAP:
          {
            struct oci_map *m = dst;
            for (size_t j = 0; j < m->len; j++)
              {
                free (m->items[j].key);
                free (m->items[j].value);
              }
            free (m->items);
            break;
          }
        case J_OBJ:
          if (*(void **) dst)
            {
              jfree_object (f->type, *(void **) dst);
              free (*(void **) dst);
            }
          break;
        case J_INLINE:
          jfree_object (f->type, dst);
          break;
        case J_ARRAY:
        case J_KEYED:
          {
            char *items = *(char **) dst;
            size_t n = *(size_t *) AT (base, f->aux_off);
            for (size_t j = 0; items && j < n; j++)
              {
                if (f->kind == J_KEYED)
                  free (*(char **) AT (items + j * f->size, f->key_off));
                jfree_object (f->type, items + j * f->size);
              }
            free (items);
            break;
          }
        default:
          break;
        }
    }
}
