#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static int log_fd = -1;
static bool log_json;
static bool log_debug_enabled;
const char *log_program = "tong";

/* Records other than errors are held back until the command ends: podman
 * reads the --log file of a failed create or exec as one JSON object, so a
 * failing invocation must write its error record and nothing else.  Only the
 * process that opened the log holds records back; its children write theirs
 * at once. */
static pid_t log_pid;
static char held[16384];
static size_t held_len;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int
log_init (const char *path, bool json, bool debug, tong_error *err)
{
  log_json = json;
  log_debug_enabled = debug;
  if (!path || !*path)
    return 0;
  log_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
  if (log_fd < 0)
    return tong_err (err, errno, "open log file `%s`", path);
  log_pid = getpid ();
  return 0;
}

void
log_flush (void)
{
  /* A forked child has a copy of the parent's records: they are not its own. */
  if (log_fd >= 0 && held_len > 0 && getpid () == log_pid)
    (void) write_all (log_fd, held, held_len);
  held_len = 0;
}

/* Append s to buf as the body of a JSON string. */
static size_t
json_escape (char *buf, size_t cap, const char *s)
{
  size_t n = 0;
  for (; *s && n + 7 < cap; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        {
          buf[n++] = '\\';
          buf[n++] = (char) c;
        }
      else if (c == '\n')
        n += (size_t) str_format (buf + n, cap - n, "\\n");
      else if (c == '\t')
        n += (size_t) str_format (buf + n, cap - n, "\\t");
      else if (c < 0x20)
        n += (size_t) str_format (buf + n, cap - n, "\\u%04x", c);
      else
        buf[n++] = (char) c;
    }
  buf[n] = '\0';
  return n;
}

static void
log_write (enum log_level level, const char *msg)
{
  char line[sizeof ((tong_error *) 0)->msg * 2 + 256];
  char now[64];
  int n;

  if (log_fd < 0)
    return;
  rfc3339_now (now, sizeof now);
  if (log_json)
    {
      char esc[sizeof line - 128];
      json_escape (esc, sizeof esc, msg);
      n = str_format (line, sizeof line, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
                      level_names[level], esc, now);
    }
  else
    n = str_format (line, sizeof line, "time=\"%s\" level=%s msg=\"%s\"\n", now, level_names[level],
                    msg);
  if (n <= 0)
    return;
  if ((size_t) n >= sizeof line)
    n = sizeof line - 1;
  if (level == LOG_LEVEL_ERROR || getpid () != log_pid)
    {
      (void) write_all (log_fd, line, (size_t) n);
      return;
    }
  if (held_len + (size_t) n > sizeof held)
    log_flush ();
  if ((size_t) n > sizeof held)
    (void) write_all (log_fd, line, (size_t) n);
  else
    {
      memcpy (held + held_len, line, (size_t) n);
      held_len += (size_t) n;
    }
}

void
log_msg (enum log_level level, const char *fmt, ...)
{
  char msg[4096];
  va_list ap;

  if (level == LOG_LEVEL_DEBUG && !log_debug_enabled)
    return;
  va_start (ap, fmt);
  str_vformat (msg, sizeof msg, fmt, ap);
  va_end (ap);
  log_write (level, msg);
  /* Warnings and debug output also reach stderr when there is no log file, or
   * with --debug, so a person at a shell sees them. */
  if (log_fd < 0 || log_debug_enabled)
    fprintf (stderr, "%s: %s%s\n", log_program, level == LOG_LEVEL_WARNING ? "warning: " : "", msg);
}

void
log_error_report (const tong_error *err)
{
  /* Records held back are not lost: they go to stderr as they are. */
  if (held_len > 0 && log_fd >= 0 && !log_debug_enabled && getpid () == log_pid)
    (void) write_all (STDERR_FILENO, held, held_len);
  held_len = 0;
  log_write (LOG_LEVEL_ERROR, err->msg);
  fprintf (stderr, "%s: %s\n", log_program, err->msg);
}
