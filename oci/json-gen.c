#include "json-gen.h"

#include <string.h>

void
json_gen_string (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

yajl_gen_status
json_gen_integer (yajl_gen g, long long v)
{
  char buf[24], *p = buf + sizeof buf;
  unsigned long long u = v < 0 ? -(unsigned long long) v : (unsigned long long) v;

  do
    *--p = (char) ('0' + u % 10);
  while ((u /= 10));
  if (v < 0)
    *--p = '-';
  return yajl_gen_number (g, p, (size_t) (buf + sizeof buf - p));
}

yajl_val
json_object_get (yajl_val obj, const char *key)
{
  for (size_t i = 0; YAJL_IS_OBJECT (obj) && i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

/* The recursion follows the input's depth, which the parsers bound. */
void
json_gen_merged (yajl_gen g, yajl_val base, yajl_val patch)
{
  yajl_val v = patch ? patch : base;

  if (YAJL_IS_OBJECT (v))
    {
      yajl_val b = YAJL_IS_OBJECT (base) ? base : NULL, p = YAJL_IS_OBJECT (patch) ? patch : NULL;
      yajl_gen_map_open (g);
      for (size_t i = 0; b && i < b->u.object.len; i++)
        {
          json_gen_string (g, b->u.object.keys[i]);
          json_gen_merged (g, b->u.object.values[i],
                           p ? json_object_get (p, b->u.object.keys[i]) : NULL);
        }
      for (size_t i = 0; p && i < p->u.object.len; i++)
        if (!b || !json_object_get (b, p->u.object.keys[i]))
          {
            json_gen_string (g, p->u.object.keys[i]);
            json_gen_merged (g, NULL, p->u.object.values[i]);
          }
      yajl_gen_map_close (g);
    }
  else if (YAJL_IS_ARRAY (v))
    {
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        json_gen_merged (g, NULL, v->u.array.values[i]);
      yajl_gen_array_close (g);
    }
  else if (YAJL_IS_STRING (v))
    json_gen_string (g, v->u.string);
  else if (YAJL_IS_NUMBER (v))
    yajl_gen_number (g, v->u.number.r, strlen (v->u.number.r));
  else if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    yajl_gen_bool (g, YAJL_IS_TRUE (v));
  else
    yajl_gen_null (g);
}

void
json_gen_value (yajl_gen g, yajl_val v)
{
  json_gen_merged (g, NULL, v);
}
