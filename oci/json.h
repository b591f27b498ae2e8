/* Internal to oci/: a table-driven walker over a yajl tree.
 * Each JSON object maps to a C struct through a table of fields (name, kind,
 * offset); one generic routine parses any table, another frees what it built.
 * Errors carry the JSON path: "config.json: linux.devices[0].major: ...". */
#ifndef TONG_OCI_JSON_H
#define TONG_OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <yajl/yajl_tree.h>

#include "oci/config.h"
#include "src/base/error.h"

/* Objects nested deeper than this are rejected before yajl builds a tree:
 * yajl's tree code recurses once per level. */
#define OCI_JSON_MAX_DEPTH 256

struct jctx
{
  tong_error *err;
  const char *what; /* "config.json", "process.json" ... */
  enum oci_parse_mode mode;
  size_t path_len;
  char path[1024];
};

enum jkind
{
  J_STR,
  J_BOOL,
  J_U16,
  J_U32,
  J_I32,
  J_U64,
  J_I64,
  J_ENUM,   /* string checked against a jenum; string and/or number stored */
  J_STRV,   /* array of strings -> NULL-terminated char ** */
  J_MAP,    /* object of strings -> struct oci_map */
  J_U32S,   /* array of uint32 -> uint32_t *, size_t len */
  J_OBJ,    /* object -> newly allocated struct, pointer stored */
  J_INLINE, /* object -> struct embedded at off (off 0: fields of the same struct) */
  J_ARRAY,  /* array of objects -> items pointer, size_t len */
  J_KEYED,  /* object of objects -> items, len; each item's key stored at key_off */
  J_FUNC,   /* custom parser; must not allocate (the free walker ignores it) */
};

enum jreq
{
  J_OPTIONAL,
  J_REQUIRED,        /* by the schema, in every mode */
  J_REQUIRED_CREATE, /* only when parsing for create */
};

struct jenum_item
{
  const char *name;
  int value;
};

struct jenum
{
  const char *noun; /* for "unknown namespace \"nett\"" */
  const struct jenum_item *items;
  size_t len;
};

struct jtype;
typedef int (*jfunc) (struct jctx *c, yajl_val v, void *dst);

#define J_NO_OFF ((ssize_t) -1)

struct jfield
{
  const char *name;
  enum jkind kind;
  enum jreq req;
  size_t off;
  ssize_t aux_off; /* has-flag (bool), enum number (int) or array length (size_t) */
  ssize_t key_off; /* J_KEYED: char * in each item */
  size_t size;     /* J_OBJ, J_ARRAY, J_KEYED: size of one struct */
  const struct jtype *type;
  const struct jenum *enumt;
  jfunc fn;
};

struct jtype
{
  const struct jfield *fields;
  size_t len;
  /* Optional validation once the fields are parsed; path points at the object. */
  int (*check) (struct jctx *c, yajl_val v, void *obj);
};

#define JTYPE(fields, check)                                                                       \
  {                                                                                                \
    fields, sizeof (fields) / sizeof ((fields)[0]), check                                          \
  }

/* Compile-time check that member m of T has C type ctype (0 when it does). */
#define J_TYPED(T, m, ctype) (0 * sizeof (&((T *) 0)->m == (ctype *) 0))
#define J_OFF(T, m, ctype) (offsetof (T, m) + J_TYPED (T, m, ctype))
#define J_AUX(T, m, ctype) ((ssize_t) J_OFF (T, m, ctype))

#define F_STR(n, T, m, req)                                                                        \
  {                                                                                                \
    n, J_STR, req, J_OFF (T, m, char *), J_NO_OFF, J_NO_OFF, 0, 0, 0, 0                            \
  }
#define F_BOOL(n, T, m)                                                                            \
  {                                                                                                \
    n, J_BOOL, J_OPTIONAL, J_OFF (T, m, bool), J_NO_OFF, J_NO_OFF, 0, 0, 0, 0                      \
  }
#define F_BOOLR(n, T, m)                                                                           \
  {                                                                                                \
    n, J_BOOL, J_REQUIRED, J_OFF (T, m, bool), J_NO_OFF, J_NO_OFF, 0, 0, 0, 0                      \
  }
#define F_BOOLH(n, T, m, h)                                                                        \
  {                                                                                                \
    n, J_BOOL, J_OPTIONAL, J_OFF (T, m, bool), J_AUX (T, h, bool), J_NO_OFF, 0, 0, 0, 0            \
  }
#define F_NUM(n, k, T, m, ctype, req)                                                              \
  {                                                                                                \
    n, k, req, J_OFF (T, m, ctype), J_NO_OFF, J_NO_OFF, sizeof (ctype), 0, 0, 0                    \
  }
#define F_NUMH(n, k, T, m, ctype, h)                                                               \
  {                                                                                                \
    n, k, J_OPTIONAL, J_OFF (T, m, ctype), J_AUX (T, h, bool), J_NO_OFF, sizeof (ctype), 0, 0, 0   \
  }
#define F_ENUM(n, T, m, num, e, req)                                                               \
  {                                                                                                \
    n, J_ENUM, req, J_OFF (T, m, char *), J_AUX (T, num, int), J_NO_OFF, 0, 0, &(e), 0             \
  }
#define F_ENUMS(n, T, m, e, req)                                                                   \
  {                                                                                                \
    n, J_ENUM, req, J_OFF (T, m, char *), J_NO_OFF, J_NO_OFF, 0, 0, &(e), 0                        \
  }
#define F_STRV(n, T, m, req)                                                                       \
  {                                                                                                \
    n, J_STRV, req, J_OFF (T, m, char **), J_NO_OFF, J_NO_OFF, 0, 0, 0, 0                          \
  }
#define F_MAP(n, T, m)                                                                             \
  {                                                                                                \
    n, J_MAP, J_OPTIONAL, J_OFF (T, m, struct oci_map), J_NO_OFF, J_NO_OFF, 0, 0, 0, 0             \
  }
#define F_U32S(n, T, m, len)                                                                       \
  {                                                                                                \
    n, J_U32S, J_OPTIONAL, J_OFF (T, m, uint32_t *), J_AUX (T, len, size_t), J_NO_OFF, 0, 0, 0, 0  \
  }
#define F_OBJ(n, T, m, ST, t, req)                                                                 \
  {                                                                                                \
    n, J_OBJ, req, J_OFF (T, m, ST *), J_NO_OFF, J_NO_OFF, sizeof (ST), &(t), 0, 0                 \
  }
#define F_INLINE(n, T, m, ST, t, req)                                                              \
  {                                                                                                \
    n, J_INLINE, req, J_OFF (T, m, ST), J_NO_OFF, J_NO_OFF, 0, &(t), 0, 0                          \
  }
#define F_INLINEH(n, T, m, ST, t, h)                                                               \
  {                                                                                                \
    n, J_INLINE, J_OPTIONAL, J_OFF (T, m, ST), J_AUX (T, h, bool), J_NO_OFF, 0, &(t), 0, 0         \
  }
/* An object whose fields live in the same struct as its parent's. */
#define F_SAME(n, T, t, h)                                                                         \
  {                                                                                                \
    n, J_INLINE, J_OPTIONAL, 0, J_AUX (T, h, bool), J_NO_OFF, 0, &(t), 0, 0                        \
  }
#define F_ARRAY(n, T, m, len, ST, t, req)                                                          \
  {                                                                                                \
    n, J_ARRAY, req, J_OFF (T, m, ST *), J_AUX (T, len, size_t), J_NO_OFF, sizeof (ST), &(t), 0, 0 \
  }
#define F_KEYED(n, T, m, len, ST, key, t)                                                          \
  {                                                                                                \
    n, J_KEYED, J_OPTIONAL, J_OFF (T, m, ST *), J_AUX (T, len, size_t), J_AUX (ST, key, char *),   \
        sizeof (ST), &(t), 0, 0                                                                    \
  }
#define F_FUNC(n, T, m, fn, req)                                                                   \
  {                                                                                                \
    n, J_FUNC, req, offsetof (T, m), J_NO_OFF, J_NO_OFF, 0, 0, 0, fn                               \
  }

/* Path handling: push returns the length to restore with jpath_pop. */
size_t jpath_push_key (struct jctx *c, const char *key);
size_t jpath_push_index (struct jctx *c, size_t i);
void jpath_pop (struct jctx *c, size_t saved);

/* Fill c->err with "what: path: message"; returns -EINVAL. */
int jerr (struct jctx *c, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* "string", "number", "object", "array", "boolean", "null". */
const char *jtype_name (yajl_val v);
/* Look an enum name up; returns false when unknown. */
bool jenum_lookup (const struct jenum *e, const char *name, int *value);

/* Parse JSON text into a yajl tree (depth-checked, errors with line and column). */
int jtree_parse (struct jctx *c, const char *json, size_t len, yajl_val *out);

int jparse_object (struct jctx *c, yajl_val v, const struct jtype *t, void *base);
void jfree_object (const struct jtype *t, void *base);

/* Object types, one per file of oci/. */
extern const struct jtype oci_process_type;
extern const struct jtype oci_linux_type;
extern const struct jtype oci_resources_type;
extern const struct jtype oci_seccomp_type;
extern const struct jtype oci_id_mapping_type;

#endif
