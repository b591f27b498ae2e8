/* tong-shim: global options, the opened store, and the commands. */
#ifndef TONG_SHIM_SHIM_H
#define TONG_SHIM_SHIM_H

#include <stdbool.h>

#include <sqlite3.h>

#include "src/base/error.h"
#include "src/shim/store.h"

/* tong-shim's own failures exit with this status (as podman), so that they
 * are told apart from the container's exit codes. */
#define SHIM_EXIT_ERROR 125

/* The FUSE overlay tong-shim falls back to, rootless, where the kernel refuses overlayfs. */
#define FUSE_OVERLAYFS "fuse-overlayfs"

struct shim_globals
{
  const char *root;            /* the store */
  const char *runroot;         /* state of running containers */
  const char *runtime;         /* the tong binary */
  const char *registries_conf; /* may be NULL */
  const char *mount_program;   /* rootless: mount overlay roots with this FUSE program; NULL:
                                  the kernel's overlayfs, else fuse-overlayfs if it refuses */
  bool rootless;
};

/* A command's view of the store: blobs and the metadata database. */
struct shim
{
  const struct shim_globals *g;
  struct store store;
  sqlite3 *db;
};

int shim_open (const struct shim_globals *g, struct shim *s, tong_error *err);
void shim_close (struct shim *s);

typedef int (*shim_command_fn) (const struct shim_globals *g, int argc, char **argv,
                                tong_error *err);

/* Print the usage line of a command (its --help). */
void shim_command_usage (const char *name);
/* "unknown option" for a command, naming it. */
int shim_unknown_option (int argc, char **argv, tong_error *err);

int cmd_pull (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_images (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_rmi (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_inspect (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_load (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_save (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_run (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_ps (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_logs (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_stop (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_rm (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_exec (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_prune (const struct shim_globals *g, int argc, char **argv, tong_error *err);
int cmd_check (const struct shim_globals *g, int argc, char **argv, tong_error *err);

#endif
