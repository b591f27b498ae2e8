/* Walking a yajl tree into C structs by table, with the JSON path kept for errors. */
#include "oci/json.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "src/util.h"

size_t
jpath_push_key (struct jctx *c, const char *key)
{
  size_t saved = c->path_len;
  size_t room = sizeof c->path - c->path_len;
  bool plain = *key != '\0';
  int n;

  for (const char *p = key; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_')
      plain = false;
  if (plain)
    n = snprintf (c->path + c->path_len, room, "%s%s", c->path_len ? "." : "", key);
  else
    n = snprintf (c->path + c->path_len, room, "[\"%.200s\"]", key);
  c->path_len = n < 0 || (size_t) n >= room ? sizeof c->path - 1 : c->path_len + n;
  return saved;
}

size_t
jpath_push_index (struct jctx *c, size_t i)
{
  size_t saved = c->path_len;
  size_t room = sizeof c->path - c->path_len;
  int n = snprintf (c->path + c->path_len, room, "[%zu]", i);

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
  vsnprintf (msg, sizeof msg, fmt, ap);
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
              snprintf (deep, sizeof deep, "nesting deeper than %d levels", OCI_JSON_MAX_DEPTH);
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

/* yajl_tree_parse reports no position: rerun the bare parser for one. */
static int
syntax_error (struct jctx *c, const char *json, size_t len)
{
  yajl_handle h = yajl_alloc (NULL, NULL, NULL);
  size_t off, line, col;
  char msg[256];
  unsigned char *text;

  if (h == NULL)
    return tong_err (c->err, ENOMEM, "%s: parse JSON", c->what);
  yajl_config (h, yajl_allow_comments, 1);
  if (yajl_parse (h, (const unsigned char *) json, len) == yajl_status_ok)
    {
      /* The text so far is fine: the error is at the end (premature EOF). */
      yajl_complete_parse (h);
      off = len;
    }
  else
    off = yajl_get_bytes_consumed (h);
  text = yajl_get_error (h, 0, NULL, 0);
  snprintf (msg, sizeof msg, "%s", text ? (char *) text : "syntax error");
  if (text)
    yajl_free_error (h, text);
  yajl_free (h);
  msg[strcspn (msg, "\n")] = '\0';
  if (off > len)
    off = len;
  line_column (json, off, &line, &col);
  return jerr (c, "invalid JSON: %s at line %zu, column %zu", msg, line, col);
}

int
jtree_parse (struct jctx *c, const char *json, size_t len, yajl_val *out)
{
  _cleanup_free_ char *text = NULL;
  char errbuf[512];
  size_t i;
  int r;

  for (i = 0; i < len && isspace ((unsigned char) json[i]); i++)
    ;
  if (i == len)
    return jerr (c, "invalid JSON: empty input");
  r = precheck (c, json, len);
  if (r < 0)
    return r;
  /* yajl_tree_parse wants a NUL-terminated string. */
  text = xmalloc (len + 1);
  memcpy (text, json, len);
  text[len] = '\0';
  *out = yajl_tree_parse (text, errbuf, sizeof errbuf);
  if (*out == NULL)
    return syntax_error (c, json, len);
  return 0;
}
