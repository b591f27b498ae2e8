#include "lib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/base/dl.h"
#include "src/self/twin.h"
#include "src/base/util.h"

#define LIBSECCOMP "libseccomp.so.2"

struct seccomp_lib seccomp_lib;

static const struct dl_symbol symbols[] = {
#define SECCOMP_LIB_SYMBOL(f) { #f, offsetof (struct seccomp_lib, f) },
  SECCOMP_LIB_FUNCTIONS (SECCOMP_LIB_SYMBOL)
#undef SECCOMP_LIB_SYMBOL
};

int
seccomp_lib_load (tong_error *err)
{
  static bool loaded;
  _cleanup_free_ char *path = NULL;
  int r;

  if (loaded)
    return 0;
  /* The musl build: libseccomp built for musl, installed with tong. */
  path = built_with_musl () ? twin_private_file (LIBSECCOMP) : NULL;
  r = dl_load (path ? path : LIBSECCOMP, symbols, sizeof symbols / sizeof symbols[0], &seccomp_lib,
               "linux.seccomp", path ? NULL : "libseccomp2", "2.5 or newer", err);
  loaded = r == 0;
  return r;
}

char *
seccomp_lib_path (void)
{
  Dl_info info;

  if (!seccomp_lib.seccomp_init || !dladdr ((void *) seccomp_lib.seccomp_init, &info)
      || !info.dli_fname || info.dli_fname[0] != '/')
    return NULL;
  return xstrdup (info.dli_fname);
}
