/* A yajl tree built from yajl's event parser, numbers kept as text
 * (oci/json-tree.c says why). */
#ifndef TONG_OCI_JSON_TREE_H
#define TONG_OCI_JSON_TREE_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

/* Parse len bytes of JSON (comments allowed) into a tree that
 * yajl_tree_free frees.  On a syntax error: NULL, yajl's message in errbuf
 * and the byte offset where parsing stopped in *offset. */
yajl_val json_tree_parse (const char *json, size_t len, char *errbuf, size_t errlen,
                          size_t *offset);

#endif
