/* Which commands a container's status allows: one table, with runc's
 * wording for each refusal. */
#ifndef TONG_STATUS_H
#define TONG_STATUS_H

#include "src/base/error.h"
#include "src/container/state.h"

enum container_op
{
  OP_START,
  OP_KILL,
  OP_EXEC,
  OP_EXEC_IGNORE_PAUSED, /* exec --ignore-paused */
  OP_PAUSE,
  OP_RESUME,
  OP_PS,
  OP_UPDATE,
  OP_EVENTS,
  OP_DELETE, /* without --force */
  OP_COUNT
};

/* 0 when op may act on container id in status; otherwise fail with err set
 * to the refusal (errnum ESRCH where runc's "not running" is meant, which
 * callers test). */
int container_op_allowed (enum container_op op, enum container_status status, const char *id,
                          tong_error *err);

#endif
