#include "nl-lib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#define LIBMNL "libmnl.so.0"
#define LIBNFTNL "libnftnl.so.11"

struct nl_lib nl_lib;

enum
{
  IN_MNL,
  IN_NFTNL,
};

static const struct
{
  const char *name;
  size_t offset;
  int lib;
} symbols[] = {
#define NL_LIB_MNL(f) { #f, offsetof (struct nl_lib, f), IN_MNL },
#define NL_LIB_NFTNL(f) { #f, offsetof (struct nl_lib, f), IN_NFTNL },
  NL_LIB_FUNCTIONS (NL_LIB_MNL, NL_LIB_NFTNL)
#undef NL_LIB_MNL
#undef NL_LIB_NFTNL
};

static const struct
{
  const char *soname;
  const char *package;
} libs[] = {
  [IN_MNL] = { LIBMNL, "libmnl0" },
  [IN_NFTNL] = { LIBNFTNL, "libnftnl11" },
};

int
nl_lib_load (tong_error *err)
{
  static void *handles[2];
  static bool loaded;

  if (loaded)
    return 0;
  for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
    if (!handles[i])
      {
        /* libnftnl depends on libmnl itself: the loader finds it by its DT_NEEDED. */
        handles[i] = dlopen (libs[i].soname, RTLD_NOW | RTLD_LOCAL);
        if (!handles[i])
          return tong_err (err, ENOENT,
                           "bridge networking needs %s (install the Debian package %s): %s",
                           libs[i].soname, libs[i].package, dlerror ());
      }
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
    {
      void *f = dlsym (handles[symbols[i].lib], symbols[i].name);
      if (!f)
        return tong_err (err, ENOSYS, "%s has no %s: the installed %s is too old",
                         libs[symbols[i].lib].soname, symbols[i].name,
                         libs[symbols[i].lib].package);
      /* POSIX guarantees that a function's address survives the trip through void *. */
      *(void **) ((char *) &nl_lib + symbols[i].offset) = f;
    }
  loaded = true;
  return 0;
}
