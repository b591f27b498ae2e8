/* Logging: text or JSON lines to the --log file (containerd and podman read it)
 * and text to stderr. */
#ifndef TONG_LOG_H
#define TONG_LOG_H

#include <stdbool.h>

#include "error.h"

enum log_level
{
  LOG_LEVEL_ERROR,
  LOG_LEVEL_WARNING,
  LOG_LEVEL_INFO,
  LOG_LEVEL_DEBUG,
};

/* The program name that prefixes messages on stderr ("tong" unless set). */
extern const char *log_program;

/* path may be NULL (stderr only). json selects --log-format json. */
int log_init (const char *path, bool json, bool debug, tong_error *err);
void log_msg (enum log_level level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Report an error once: to stderr and, if set, to the log file. */
void log_error_report (const tong_error *err);
/* Write the records held back (see log.c) to the log file: call once the
 * command has succeeded. */
void log_flush (void);

#define log_debug(...) log_msg (LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_warning(...) log_msg (LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg (LOG_LEVEL_INFO, __VA_ARGS__)

#endif
