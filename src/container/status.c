#include "status.h"

#include <errno.h>
#include <stddef.h>

#define ALLOW(s) (1U << (s))
#define ALL_BUT(s) (~ALLOW (s))

/* What a refusal message is formatted with. */
enum refusal_args
{
  ARGS_NONE,
  ARGS_ID,
  ARGS_STATUS,
  ARGS_ID_STATUS,
};

struct refusal
{
  int errnum; /* ESRCH, or 0 */
  enum refusal_args args;
  const char *msg;
};

struct op_rule
{
  unsigned allowed;                             /* ALLOW (STATUS_...) bits */
  struct refusal by_status[STATUS_STOPPED + 1]; /* a refusal for this status, */
  struct refusal otherwise;                     /* else this one */
};

static const struct op_rule rules[OP_COUNT] = {
  [OP_START] = {
    .allowed = ALLOW (STATUS_CREATED),
    .by_status = {
      [STATUS_STOPPED] = { 0, ARGS_NONE, "cannot start a container that has stopped" },
      [STATUS_RUNNING] = { 0, ARGS_NONE, "cannot start an already running container" },
    },
    .otherwise = { 0, ARGS_STATUS, "cannot start a container in the %s state" },
  },
  [OP_KILL] = {
    .allowed = ALL_BUT (STATUS_STOPPED),
    .otherwise = { ESRCH, ARGS_NONE, "container not running" },
  },
  [OP_EXEC] = {
    .allowed = ALLOW (STATUS_CREATED) | ALLOW (STATUS_RUNNING),
    .by_status = {
      [STATUS_STOPPED] = { ESRCH, ARGS_NONE, "cannot exec in a stopped container" },
      [STATUS_CREATING] = { 0, ARGS_ID, "cannot exec in container \"%s\": it is still being created" },
    },
    .otherwise = { 0, ARGS_NONE, "cannot exec in a paused container (use --ignore-paused to override)" },
  },
  [OP_EXEC_IGNORE_PAUSED] = {
    .allowed = ALLOW (STATUS_CREATED) | ALLOW (STATUS_RUNNING) | ALLOW (STATUS_PAUSED),
    .by_status = {
      [STATUS_STOPPED] = { ESRCH, ARGS_NONE, "cannot exec in a stopped container" },
    },
    .otherwise = { 0, ARGS_ID, "cannot exec in container \"%s\": it is still being created" },
  },
  [OP_PAUSE] = {
    .allowed = ALLOW (STATUS_RUNNING) | ALLOW (STATUS_CREATED),
    .otherwise = { ESRCH, ARGS_NONE, "container not running" },
  },
  [OP_RESUME] = {
    .allowed = ALLOW (STATUS_PAUSED),
    .otherwise = { 0, ARGS_NONE, "container not paused" },
  },
  [OP_PS] = {
    .allowed = ALL_BUT (STATUS_STOPPED),
    .otherwise = { ESRCH, ARGS_NONE, "container not running" },
  },
  [OP_UPDATE] = {
    .allowed = ALL_BUT (STATUS_STOPPED),
    .otherwise = { ESRCH, ARGS_NONE, "container not running" },
  },
  [OP_EVENTS] = {
    .allowed = ALL_BUT (STATUS_STOPPED),
    .otherwise = { ESRCH, ARGS_ID, "container with id %s is not running" },
  },
  [OP_DELETE] = {
    .allowed = ALL_BUT (STATUS_RUNNING) & ALL_BUT (STATUS_PAUSED),
    .otherwise = { 0, ARGS_ID_STATUS, "cannot delete container %s that is not stopped: %s" },
  },
};

/* msg with each "%s" replaced by the next of args, in buf. */
static void
fill (char *buf, size_t size, const char *msg, const char *const *args, size_t nargs)
{
  size_t n = 0, next = 0;

  for (const char *p = msg; *p && n + 1 < size; p++)
    {
      if (p[0] == '%' && p[1] == 's' && next < nargs)
        {
          for (const char *a = args[next++]; *a && n + 1 < size; a++)
            buf[n++] = *a;
          p++;
        }
      else
        buf[n++] = *p;
    }
  buf[n] = '\0';
}

int
container_op_allowed (enum container_op op, enum container_status status, const char *id,
                      tong_error *err)
{
  const struct op_rule *rule = &rules[op];
  const struct refusal *no;
  const char *args[2] = { id, status_name (status) };
  char msg[sizeof err->msg];

  if (rule->allowed & ALLOW (status))
    return 0;
  no = rule->by_status[status].msg ? &rule->by_status[status] : &rule->otherwise;
  switch (no->args)
    {
    case ARGS_ID:
      fill (msg, sizeof msg, no->msg, args, 1);
      break;
    case ARGS_STATUS:
      fill (msg, sizeof msg, no->msg, args + 1, 1);
      break;
    case ARGS_ID_STATUS:
      fill (msg, sizeof msg, no->msg, args, 2);
      break;
    case ARGS_NONE:
    default:
      fill (msg, sizeof msg, no->msg, NULL, 0);
      break;
    }
  return tong_err_code (err, no->errnum ? no->errnum : EINVAL, "%s", msg);
}
