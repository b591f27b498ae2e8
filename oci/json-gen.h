/* Writing parsed JSON back out with yajl's generator: a tree copied as it is,
 * or merged with a patch (the patch's members replace the base's, objects
 * merged member by member).  Numbers keep their text. */
#ifndef TONG_OCI_JSON_GEN_H
#define TONG_OCI_JSON_GEN_H

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

void json_gen_string (yajl_gen g, const char *s);

/* An integer.  yajl_gen_integer formats with sprintf, which Debian's
 * fortified yajl takes from a corner of libc nothing else on tong's common
 * paths touches: 64 KB more of tong's peak RSS (docs/bench.md). */
yajl_gen_status json_gen_integer (yajl_gen g, long long v);

/* obj's member key, or NULL (also when obj is not an object). */
yajl_val json_object_get (yajl_val obj, const char *key);

/* base merged with patch (either may be NULL; NULL and NULL write null). */
void json_gen_merged (yajl_gen g, yajl_val base, yajl_val patch);

/* v as it is. */
void json_gen_value (yajl_gen g, yajl_val v);

#endif
