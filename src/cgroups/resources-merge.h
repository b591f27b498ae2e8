/* `update` merges what it is given into the resources a container already
 * has, as runc does: a later partial update keeps the earlier values. */
#ifndef TONG_CGROUP_RESOURCES_MERGE_H
#define TONG_CGROUP_RESOURCES_MERGE_H

#include "src/base/error.h"

/* Merge JSON object `patch` into `base` (NULL or "" for none): objects merge
 * key by key, anything else (numbers, strings, arrays) is replaced.  `what`
 * names the patch in errors.  Returns the merged JSON text, or NULL with err set. */
char *resources_json_merge (const char *base, const char *patch, const char *what, tong_error *err);

/* The JSON text of the value at "linux" -> "resources" in config.json text,
 * "{}" when absent; NULL with err set when the text is not JSON. */
char *resources_json_from_config (const char *config, tong_error *err);

#endif
