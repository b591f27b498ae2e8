#include "dl.h"

#include <dlfcn.h>
#include <errno.h>

int
dl_load (const char *soname, const struct dl_symbol *symbols, size_t n, void *table,
         const char *needed_by, const char *package, const char *minimum, tong_error *err)
{
  void *h = dlopen (soname, RTLD_NOW | RTLD_LOCAL);

  if (!h && !package)
    return tong_err (err, ENOENT, "%s needs %s: %s", needed_by, soname, dlerror ());
  if (!h)
    return tong_err (err, ENOENT, "%s needs %s (install the Debian package %s): %s", needed_by,
                     soname, package, dlerror ());
  for (size_t i = 0; i < n; i++)
    {
      void *f = dlsym (h, symbols[i].name);
      if (!f)
        {
          dlclose (h);
          return tong_err (err, ENOSYS, "%s has no %s: %s is too old (%s needs %s)", soname,
                           symbols[i].name, package, needed_by, minimum);
        }
      /* POSIX guarantees that a function's address survives the trip through void *. */
      *(void **) ((char *) table + symbols[i].offset) = f;
    }
  return 0;
}
