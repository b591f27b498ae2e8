/* Compiled seccomp filters, kept in the state root.
 *
 * libseccomp takes ~1 ms to compile a small profile and ~13 ms for a default
 * profile of 300 system calls on the benchmark's VM (docs/bench.md), in every
 * container start; the same profile gives the same program for one kernel,
 * one libseccomp and one tong.  The runtime keeps each program it compiled in
 * ROOT/seccomp:cache/ (a name no container id can have), keyed by all of
 * that, and finds it there the next time (docs/seccomp.md). */
#ifndef TONG_SECCOMP_CACHE_H
#define TONG_SECCOMP_CACHE_H

#include <stdbool.h>

#include "oci/spec.h"
#include "src/seccomp/filter.h"

#define SECCOMP_CACHE_DIR "seccomp:cache"

/* At most this many programs are kept: storing one more empties the cache. */
#define SECCOMP_CACHE_MAX 64

/* The key of s: every field of the spec's linux.seccomp, tong's build id and
 * the boot id of the kernel; NULL when tong has no build id or the boot id
 * cannot be read (then nothing is cached).  malloc'ed. */
char *seccomp_cache_key (const struct oci_seccomp *s);

/* The program stored for key in rootfd's cache, if there is one whose key
 * matches byte for byte, whose checksum holds and whose libseccomp is still
 * the file that compiled it. */
bool seccomp_cache_lookup (int rootfd, const char *key, struct seccomp_program **out);

/* Keep prog (just compiled, with libseccomp loaded) for key; a failure to do
 * so is logged at debug level and changes nothing else. */
void seccomp_cache_store (int rootfd, const char *key, const struct seccomp_program *prog);

#endif
