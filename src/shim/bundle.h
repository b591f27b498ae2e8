/* A container's bundle: config.json from the image config and run's flags
 * (pure, unit-tested), and the files bind-mounted over /etc. */
#ifndef TONG_SHIM_BUNDLE_H
#define TONG_SHIM_BUNDLE_H

#include <stddef.h>

#include "oci/image.h"
#include "src/base/error.h"
#include "src/shim/run_spec.h"
#include "src/shim/users.h"

struct bundle_plan
{
  const struct run_spec *run;
  const struct oci_image_config *image;
  const struct user_ids *user; /* resolved -u or the image's User; NULL = root */
  const char *bundle_dir;      /* absolute; hosts, resolv.conf, hostname live here */
  const char *hostname;
  const char *id;
  unsigned long long nofile; /* RLIMIT_NOFILE soft and hard: tong-shim's own hard limit */
  /* Rootless: the overlay's options (lowerdir=, upperdir=, workdir=,
   * userxattr), mounted by tong on `/` inside the container's user
   * namespace, where an unprivileged user may mount it.  NULL: tong-shim
   * mounted the root itself. */
  const char *const *root_overlay;
};

/* The process arguments as podman builds them: --entrypoint (or the image's
 * Entrypoint) followed by the command given (or, without --entrypoint, the
 * image's Cmd).  -EINVAL when that leaves nothing to run. */
int bundle_args (const struct run_spec *o, const struct oci_image_config *ic, char ***args,
                 tong_error *err);
/* The environment: PATH default, the image's Env, HOSTNAME, TERM with -t, then
 * --env-file and -e in order; a later NAME replaces an earlier one. */
char **bundle_env (const struct run_spec *o, const struct oci_image_config *ic,
                   const char *hostname);

/* config.json text (caller frees). */
int bundle_config_json (const struct bundle_plan *p, char **json, size_t *len, tong_error *err);

/* hosts, resolv.conf and hostname in dirfd. */
int bundle_write_etc (int dirfd, const char *hostname, tong_error *err);

#endif
