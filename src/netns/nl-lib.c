#include "nl-lib.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/base/dl.h"

#define LIBMNL "libmnl.so.0"
#define LIBNFTNL "libnftnl.so.11"

struct nl_lib nl_lib;

/* The one list of functions, split by library. */
#define NL_LIB_SYMBOL(f) { #f, offsetof (struct nl_lib, f) },
#define NL_LIB_SKIP(f)
static const struct dl_symbol mnl_symbols[] = { NL_LIB_FUNCTIONS (NL_LIB_SYMBOL, NL_LIB_SKIP) };
static const struct dl_symbol nftnl_symbols[] = { NL_LIB_FUNCTIONS (NL_LIB_SKIP, NL_LIB_SYMBOL) };
#undef NL_LIB_SYMBOL
#undef NL_LIB_SKIP

int
nl_lib_load (tong_error *err)
{
  static bool loaded;
  int r;

  if (loaded)
    return 0;
  /* libnftnl depends on libmnl itself: the loader finds it by its DT_NEEDED. */
  r = dl_load (LIBMNL, mnl_symbols, sizeof mnl_symbols / sizeof mnl_symbols[0], &nl_lib,
               "bridge networking", "libmnl0", "the version of Debian 12 or newer", err);
  if (r == 0)
    r = dl_load (LIBNFTNL, nftnl_symbols, sizeof nftnl_symbols / sizeof nftnl_symbols[0], &nl_lib,
                 "bridge networking", "libnftnl11", "the version of Debian 12 or newer", err);
  loaded = r == 0;
  return r;
}
