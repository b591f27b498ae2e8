/* tong built with musl, and its twin built with glibc.
 *
 * A glibc process start costs ~0.7 ms on hosts where `cpuid` traps to the
 * hypervisor (docs/bench.md), and tong is started once per container
 * operation: where musl is available the runtime is built with it
 * (configure --with-musl).  Three libraries tong uses exist on Debian only
 * for glibc: libsystemd (the systemd cgroup driver), libmnl and libnftnl
 * (bridge networking).  A command that needs one is handed, before it has
 * changed anything, to tong-full: the same sources built with glibc,
 * installed in $(pkglibexecdir).  A glibc build does everything itself. */
#ifndef TONG_TWIN_H
#define TONG_TWIN_H

#include <stdbool.h>

#include "src/base/error.h"

#define TWIN_NAME "tong-full"

/* Set by tong for a copy of itself that runs from a memfd
 * (src/self/guard.c): the directory of the binary it was copied from. */
#define TWIN_EXE_DIR_ENV "_TONG_EXE_DIR"

/* Is this the musl build (no libsystemd, libmnl, libnftnl; its own
 * libseccomp)? */
static inline bool
built_with_musl (void)
{
#ifdef __GLIBC__
  return false;
#else
  return true;
#endif
}

/* Exec tong-full (callers check built_with_musl first) with the arguments
 * and signal mask tong started with; `why` names the feature ("the systemd
 * cgroup driver").  Returns only on failure, with an error naming the
 * binary. */
int twin_hand_over (const char *why, tong_error *err);

/* The directory of the running binary (the one a sealed copy was made from),
 * or NULL; malloc'ed. */
char *twin_exe_dir (void);

/* A file tong installs in $(pkglibexecdir) (tong-full, libseccomp.so.2 of the
 * musl build): next to the running binary if it is there (a build tree),
 * else in $(pkglibexecdir).  malloc'ed. */
char *twin_private_file (const char *name);

#endif
