/* Walking a yajl tree into C structs by table, with the JSON path kept for errors. */
#include "oci/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "oci/json-tree.h"
#include "src/base/util.h"

/* Append n bytes of s to the path, cut at its end as snprintf would. */
static void
jpath_append (struct jctx *c, const char *s, size_t n)
{
  size_t room = sizeof c->path - 1 - c->path_len;

  if (n > room)
    n = room;
  memcpy (c->path + c->path_len, s, n);
  c->path_len += n;
  c->path[c->path_len] = '\0';
}

/* Called for every key of a config.json: kept to memcpy, as it runs a few
 * hundred times per container. */
size_t
jpath_push_key (struct jctx *c, const char *key)
{
  size_t saved = c->path_len;
  size_t len = strlen (key);
  bool plain = len > 0;

  for (const char *p = key; *p; p++)
    if (!ascii_isalnum (*p) && *p != '_')
      plain = false;
  if (plain)
    {
      if (c->path_len)
        jpath_append (c, ".", 1);
      jpath_append (c, key, len);
    }
  else
    {
      jpath_append (c, "[\"", 2);
      jpath_append (c, key, len < 200 ? len : 200);
      jpath_append (c, "\"]", 2);
    }
  return saved;
}

size_t
jpath_push_index (struct jctx *c, size_t i)
{
  size_t saved = c->path_len;
  size_t room = sizeof c->path - c->path_len;
  int n = str_format (c->path + c->path_len, room, "[%zu]", i);

  c->path_len = n < 0 || (size_t) n >= room ? sizeof c->path - 1 : c->path_len + n;
  return saved;
}

void
jpath_pop (struct jctx *c, size_t saved)
{
  c->path_len = saved;
  c->path[saved] = '\0';
}

int
jerr (struct jctx *c, const char *fmt, ...)
{
  char msg[2048];
  va_list ap;

  va_start (ap, fmt);
  str_vformat (msg, sizeof msg, fmt, ap);
  va_end (ap);
  if (c->path_len == 0)
    return tong_err (c->err, 0, "%s: %s", c->what, msg);
  return tong_err (c->err, 0, "%s: %s: %s", c->what, c->path, msg);
}

const char *
jtype_name (yajl_val v)
{
  if (v == NULL)
    return "nothing";
  switch (v->type)
    {
    case yajl_t_string:
      return "string";
    case yajl_t_number:
      return "number";
    case yajl_t_object:
      return "object";
    case yajl_t_array:
      return "array";
    case yajl_t_true:
    case yajl_t_false:
      return "boolean";
    case yajl_t_null:
      return "null";
    default:
      return "unknown value";
    }
}

bool
jenum_lookup (const struct jenum *e, const char *name, int *value)
{
  for (size_t i = 0; i < e->len; i++)
    if (strcmp (e->items[i].name, name) == 0)
      {
        *value = e->items[i].value;
        return true;
      }
  return false;
}

/* Translate a byte offset into 1-based line and column. */
static void
line_column (const char *json, size_t off, size_t *line, size_t *col)
{
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++)
    {
      if (json[i] == '\n')
        {
          (*line)++;
          *col = 1;
        }
      else
        (*col)++;
    }
}

/* One pass before yajl: nesting depth (yajl's tree recurses per level) and
 * NUL characters, raw or escaped, which a C string would silently cut. */
static int
precheck (struct jctx *c, const char *json, size_t len)
{
  size_t depth = 0, line, col;
  bool in_string = false;

  for (size_t i = 0; i < len; i++)
    {
      char ch = json[i];
      const char *problem = NULL;
      char deep[64];

      if (ch == '\0')
        problem = "NUL byte in input";
      else if (in_string)
        {
          if (ch == '"')
            in_string = false;
          else if (ch == '\\' && i + 1 < len)
            {
              if (json[i + 1] == 'u' && len - i >= 6 && memcmp (json + i + 2, "0000", 4) == 0)
                problem = "strings must not contain NUL (\\u0000)";
              else
                i++;
            }
        }
      else if (ch == '"')
        in_string = true;
      else if (ch == '{' || ch == '[')
        {
          if (++depth > OCI_JSON_MAX_DEPTH)
            {
              str_format (deep, sizeof deep, "nesting deeper than %d levels", OCI_JSON_MAX_DEPTH);
              problem = deep;
            }
        }
      else if ((ch == '}' || ch == ']') && depth > 0)
        depth--;
      if (problem)
        {
          line_column (json, i, &line, &col);
          return jerr (c, "invalid JSON: %s at line %zu, column %zu", problem, line, col);
        }
    }
  return 0;
}

int
jtree_parse (struct jctx *c, const char *json, size_t len, yajl_val *out)
{
  char msg[256];
  size_t i, off, line, col;
  int r;

  for (i = 0; i < len && ascii_isspace (json[i]); i++)
    ;
  if (i == len)
    return jerr (c, "invalid JSON: empty input");
  r = precheck (c, json, len);
  if (r < 0)
    return r;
  *out = json_tree_parse (json, len, msg, sizeof msg, &off);
  if (*out == NULL)
    {
      line_column (json, off, &line, &col);
      return jerr (c, "invalid JSON: %s at line %zu, column %zu", msg, line, col);
    }
  return 0;
}
