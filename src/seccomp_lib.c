#include "seccomp_lib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#define LIBSECCOMP "libseccomp.so.2"

struct seccomp_lib seccomp_lib;

static const struct
{
  const char *name;
  size_t offset;
} symbols[] = {
#define SECCOMP_LIB_SYMBOL(f) { #f, offsetof (struct seccomp_lib, f) },
  SECCOMP_LIB_FUNCTIONS (SECCOMP_LIB_SYMBOL)
#undef SECCOMP_LIB_SYMBOL
};

int
seccomp_lib_load (tong_error *err)
{
  static bool loaded;
  void *h;

  if (loaded)
    return 0;
  h = dlopen (LIBSECCOMP, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return tong_err (err, ENOENT,
                     "linux.seccomp needs " LIBSECCOMP
                     " (install the Debian package libseccomp2): %s",
                     dlerror ());
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
    {
      void *f = dlsym (h, symbols[i].name);
      if (!f)
        {
          dlclose (h);
          return tong_err (err, ENOSYS, LIBSECCOMP " has no %s: libseccomp2 is too old "
                                                   "(tong needs 2.5 or newer)",
                           symbols[i].name);
        }
      /* POSIX guarantees that a function's address survives the trip through void *. */
      *(void **) ((char *) &seccomp_lib + symbols[i].offset) = f;
    }
  loaded = true;
  return 0;
}
