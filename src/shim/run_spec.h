/* What `tong-shim run` was asked for: its flags, parsed and checked (pure,
 * unit-tested), before anything is created. */
#ifndef TONG_SHIM_RUN_SPEC_H
#define TONG_SHIM_RUN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/base/error.h"

enum net_mode
{
  NET_NONE,
  NET_HOST,
  NET_BRIDGE,
  NET_PASTA, /* rootless: pasta, a user-space network stack */
};

struct volume
{
  char *source; /* absolute host path */
  char *destination;
  bool read_only;
};

struct run_spec
{
  char *name;
  bool rm, detach, interactive, tty, read_only;
  char **env; /* K=V in order: --env-file entries then -e, NULL-terminated */
  size_t n_env;
  struct volume *volumes;
  size_t n_volumes;
  char *workdir;
  char *user;
  char *entrypoint; /* NULL: the image's; "": none */
  bool has_entrypoint;
  enum net_mode net;
  char **publish; /* "H:C[/proto]" checked */
  size_t n_publish;
  char *hostname;
  int64_t memory;     /* bytes, 0 = unset */
  int64_t cpu_quota;  /* us per 100000 us period, 0 = unset */
  int64_t pids_limit; /* 0 = unset */
  char **cap_add, **cap_drop;
  size_t n_cap_add, n_cap_drop;
  bool no_new_privileges;
  bool seccomp_unconfined;
  char *seccomp_file;
  char *apparmor;
  char *runtime; /* run --runtime PATH */
  char *image;
  char **cmd; /* NULL-terminated, may be empty */
};

/* Parse run's argv (argv[0] = "run"); -ENOENT/-EINVAL with the bad flag named.
 * Environment files are read here. */
int run_spec_parse (int argc, char **argv, struct run_spec *o, tong_error *err);
void run_spec_clear (struct run_spec *o);

/* "CAP_NET_ADMIN", "net_admin" -> "CAP_NET_ADMIN" (caller frees); "ALL" kept; NULL if unknown. */
char *cap_normalize (const char *name);

#endif
