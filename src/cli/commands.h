/* tong's commands, one file each (src/cli/cmd_*.c).  main.c parses the global
 * flags and dispatches; each command parses its own flags with getopt_long_only,
 * so that both `--flag` and runc's single-dash `-flag` forms are accepted. */
#ifndef TONG_COMMANDS_H
#define TONG_COMMANDS_H

#include <stdbool.h>

#include "src/base/error.h"
#include "src/container/globals.h"

/* A command returns the process exit status (>= 0) or a negative errno with
 * err set; main prints err once and exits 1.  argv[0] is the command name. */
typedef int (*tong_command_fn) (struct tong_globals *g, int argc, char **argv, tong_error *err);

int cmd_create (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_start (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_exec (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_run (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_state (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_kill (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_delete (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_list (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_pause (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_resume (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_ps (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_update (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_events (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_spec (struct tong_globals *g, int argc, char **argv, tong_error *err);
int cmd_features (struct tong_globals *g, int argc, char **argv, tong_error *err);

struct create_options;
/* The flags `create` and `run` share; run also takes -d/--detach, --keep and
 * --no-subreaper (pass NULL pointers for create).  Fills o->id from the argument. */
int create_flags_parse (int argc, char **argv, struct create_options *o, bool *detach, bool *keep,
                        tong_error *err);

/* Exactly one ID argument after the flags (runc's "requires exactly 1 argument"). */
int command_id_arg (int argc, char **argv, const char **id, tong_error *err);

/* For commands whose only flag is --help: parse it, then the one ID. */
int command_only_id (int argc, char **argv, const char **id, tong_error *err);

/* Print a command's usage (from the table in main.c) to stdout. */
void command_usage (const char *name);

#endif
