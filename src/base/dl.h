/* Libraries that tong opens only for the containers that need them
 * (libseccomp, libmnl and libnftnl, libsystemd): the table of a library's
 * functions is filled once, on first use. */
#ifndef TONG_DL_H
#define TONG_DL_H

#include <stddef.h>

#include "src/base/error.h"

struct dl_symbol
{
  const char *name; /* the function's name in the library */
  size_t offset;    /* where its address goes in the caller's table */
};

/* dlopen soname (it stays open) and store each symbol's address at table +
 * offset.  Errors name the feature that needs the library (`needed_by`:
 * "linux.seccomp"), the Debian package that has it (NULL: a library tong
 * installs itself, soname is then its path), and for a missing
 * symbol what version is needed (`minimum`, e.g. "2.5 or newer"). */
int dl_load (const char *soname, const struct dl_symbol *symbols, size_t n, void *table,
             const char *needed_by, const char *package, const char *minimum, tong_error *err);

#endif
