/* libseccomp, loaded with dlopen only for a spec with linux.seccomp: tong
 * links no libseccomp, so a container without a filter never maps it.  The
 * header is needed at build time (libseccomp-dev), the library at run time
 * (libseccomp2; the musl build's own libseccomp.so.2 from
 * scripts/musl-deps.sh, installed beside tong-full: src/self/twin.h).  Call sites
 * go through the table: seccomp_lib.f (...). */
#ifndef TONG_SECCOMP_LIB_H
#define TONG_SECCOMP_LIB_H

#include <seccomp.h>

#include "src/base/error.h"

/* Every function seccomp_filter.c calls. */
#define SECCOMP_LIB_FUNCTIONS(X)                                                                   \
  X (seccomp_arch_add)                                                                             \
  X (seccomp_arch_resolve_name)                                                                    \
  X (seccomp_export_bpf)                                                                           \
  X (seccomp_init)                                                                                 \
  X (seccomp_release)                                                                              \
  X (seccomp_rule_add_array)                                                                       \
  X (seccomp_syscall_resolve_name)

struct seccomp_lib
{
#define SECCOMP_LIB_FIELD(f) __typeof__ (f) *f;
  SECCOMP_LIB_FUNCTIONS (SECCOMP_LIB_FIELD)
#undef SECCOMP_LIB_FIELD
};

/* Valid once seccomp_lib_load has succeeded. */
extern struct seccomp_lib seccomp_lib;

/* dlopen libseccomp.so.2 once and resolve the functions above; an error
 * naming the package when it is not installed.  The runtime calls it before
 * it compiles a filter (src/seccomp/filter.h). */
int seccomp_lib_load (tong_error *err);

/* The file of the loaded libseccomp (malloc'ed), or NULL. */
char *seccomp_lib_path (void);

#endif
