#include "systemd-bus.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/base/dl.h"

#define LIBSYSTEMD "libsystemd.so.0"

static struct sd_bus_api api;

/* Each entry: the symbol and where its address goes in `api`. */
static const struct dl_symbol symbols[] = {
/* clang-format off */
#define SYM(field, sym) { #sym, offsetof (struct sd_bus_api, field) }
  /* clang-format on */
  SYM (open_system, sd_bus_open_system),
  SYM (flush_close_unref, sd_bus_flush_close_unref),
  SYM (message_new_method_call, sd_bus_message_new_method_call),
  SYM (message_append, sd_bus_message_append),
  SYM (message_append_array, sd_bus_message_append_array),
  SYM (message_open_container, sd_bus_message_open_container),
  SYM (message_close_container, sd_bus_message_close_container),
  SYM (message_read, sd_bus_message_read),
  SYM (message_unref, sd_bus_message_unref),
  SYM (call, sd_bus_call),
  SYM (get_property_string, sd_bus_get_property_string),
  SYM (add_match, sd_bus_add_match),
  SYM (slot_unref, sd_bus_slot_unref),
  SYM (process, sd_bus_process),
  SYM (wait, sd_bus_wait),
  SYM (error_free, sd_bus_error_free),
#undef SYM
};

int
sd_bus_api_load (const struct sd_bus_api **out, tong_error *err)
{
  static bool loaded;

  if (!loaded)
    {
      int r = dl_load (LIBSYSTEMD, symbols, sizeof symbols / sizeof symbols[0], &api,
                       "the systemd cgroup driver", "libsystemd0", "systemd 236 or newer", err);
      if (r < 0)
        return r;
      loaded = true;
    }
  *out = &api;
  return 0;
}
