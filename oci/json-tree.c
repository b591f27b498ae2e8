/* A yajl tree built from yajl's event parser, numbers kept as text.
 *
 * yajl_tree_parse converts every number with strtod and its own integer
 * parse.  tong reads numbers from their text (oci/jwalk.c), and strtod, with
 * the locale tables it reads, is the one user of two more 64 KB windows of
 * libc in a container's start (docs/bench.md).  This builder makes the same
 * nodes (yajl_tree_free frees them) from the events of yajl_parse, with
 * numbers as their text and, when the text is an integer that fits a long
 * long, that value and YAJL_NUMBER_INT_VALID; never a double. */
#include "oci/json-tree.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "oci/json.h"
#include "src/base/util.h"

struct builder
{
  yajl_val stack[OCI_JSON_MAX_DEPTH + 1]; /* open objects and arrays */
  size_t depth;
  yajl_val root;
  char *key; /* the key of the next value of the innermost object */
};

/* Arrays grow by doubling at 4, 8, 16 ... entries: a node keeps no capacity,
 * so it is the length that says when one is full. */
static bool
full (size_t len)
{
  return len == 0 || (len >= 4 && (len & (len - 1)) == 0);
}

static size_t
grown (size_t len)
{
  return len == 0 ? 4 : len * 2;
}

/* Add v to the innermost open object or array, or make it the root. */
static int
attach (struct builder *b, yajl_val v)
{
  yajl_val top;

  if (b->depth == 0)
    {
      b->root = v;
      return 1;
    }
  top = b->stack[b->depth - 1];
  if (top->type == yajl_t_object)
    {
      size_t n = top->u.object.len;
      if (full (n))
        {
          top->u.object.keys = xrealloc (top->u.object.keys, grown (n) * sizeof (char *));
          top->u.object.values = xrealloc (top->u.object.values, grown (n) * sizeof (yajl_val));
        }
      top->u.object.keys[n] = TAKE_PTR (b->key);
      top->u.object.values[n] = v;
      top->u.object.len++;
    }
  else
    {
      size_t n = top->u.array.len;
      if (full (n))
        top->u.array.values = xrealloc (top->u.array.values, grown (n) * sizeof (yajl_val));
      top->u.array.values[n] = v;
      top->u.array.len++;
    }
  return 1;
}

static yajl_val
node (yajl_type type)
{
  yajl_val v = xcalloc (1, sizeof *v);
  v->type = type;
  return v;
}

static char *
text (const unsigned char *s, size_t len)
{
  char *p = xmalloc (len + 1);
  memcpy (p, s, len);
  p[len] = '\0';
  return p;
}

static int
on_null (void *ctx)
{
  return attach (ctx, node (yajl_t_null));
}

static int
on_boolean (void *ctx, int value)
{
  return attach (ctx, node (value ? yajl_t_true : yajl_t_false));
}

/* The value of an integer's text, as yajl's tree gives it: digits with an
 * optional minus, no more than a long long holds. */
static bool
integer_value (const char *s, long long *out)
{
  bool neg = *s == '-';
  unsigned long long v = 0, limit = neg ? (unsigned long long) LLONG_MAX + 1 : LLONG_MAX;

  if (neg)
    s++;
  if (!*s)
    return false;
  for (; *s; s++)
    {
      if (!ascii_isdigit (*s) || v > (limit - (unsigned) (*s - '0')) / 10)
        return false;
      v = v * 10 + (unsigned) (*s - '0');
    }
  *out = neg ? (long long) -v : (long long) v;
  return true;
}

static int
on_number (void *ctx, const char *s, size_t len)
{
  yajl_val v = node (yajl_t_number);

  v->u.number.r = text ((const unsigned char *) s, len);
  if (integer_value (v->u.number.r, &v->u.number.i))
    v->u.number.flags = YAJL_NUMBER_INT_VALID;
  return attach (ctx, v);
}

static int
on_string (void *ctx, const unsigned char *s, size_t len)
{
  yajl_val v = node (yajl_t_string);

  v->u.string = text (s, len);
  return attach (ctx, v);
}

static int
open_container (struct builder *b, yajl_type type)
{
  yajl_val v = node (type);

  /* The precheck of jtree_parse bounds the depth; this keeps the stack
   * safe whoever calls. */
  if (b->depth == ARRAY_SIZE (b->stack))
    {
      yajl_tree_free (v);
      return 0;
    }
  attach (b, v);
  b->stack[b->depth++] = v;
  return 1;
}

static int
on_start_map (void *ctx)
{
  return open_container (ctx, yajl_t_object);
}

static int
on_map_key (void *ctx, const unsigned char *s, size_t len)
{
  struct builder *b = ctx;

  free (b->key);
  b->key = text (s, len);
  return 1;
}

static int
on_end (void *ctx)
{
  struct builder *b = ctx;

  b->depth--;
  return 1;
}

static int
on_start_array (void *ctx)
{
  return open_container (ctx, yajl_t_array);
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = on_end,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end,
};

yajl_val
json_tree_parse (const char *json, size_t len, char *errbuf, size_t errlen, size_t *offset)
{
  struct builder b = { .depth = 0 };
  yajl_handle h = yajl_alloc (&callbacks, NULL, &b);
  yajl_status st;

  if (!h)
    abort ();
  yajl_config (h, yajl_allow_comments, 1);
  st = yajl_parse (h, (const unsigned char *) json, len);
  /* A text that is fine so far but ends early fails at its end. */
  *offset = st == yajl_status_ok ? len : yajl_get_bytes_consumed (h);
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  if (st != yajl_status_ok)
    {
      unsigned char *msg = yajl_get_error (h, 0, NULL, 0);

      if (*offset > len)
        *offset = len;
      str_format (errbuf, errlen, "%s", msg ? (char *) msg : "syntax error");
      errbuf[strcspn (errbuf, "\n")] = '\0';
      if (msg)
        yajl_free_error (h, msg);
      yajl_free (h);
      free (b.key);
      yajl_tree_free (b.root);
      return NULL;
    }
  yajl_free (h);
  free (b.key);
  return b.root;
}
