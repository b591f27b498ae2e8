/* The loopback device of a new network namespace. */
#ifndef TONG_NETNS_LOOPBACK_H
#define TONG_NETNS_LOOPBACK_H

#include "src/base/error.h"

/* Bring `lo` up in the caller's network namespace, as runc and crun do for a
 * network namespace they create. */
int netns_loopback_up (tong_error *err);

#endif
