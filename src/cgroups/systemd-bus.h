/* libsystemd's sd-bus, loaded only when the systemd cgroup driver is used:
 * tong links no libsystemd, so a container that does not ask for systemd
 * never maps it.  The header is needed at build time (libsystemd-dev), the
 * library at run time (libsystemd0). */
#ifndef TONG_CGROUP_SYSTEMD_BUS_H
#define TONG_CGROUP_SYSTEMD_BUS_H

#include <systemd/sd-bus.h>

#include "src/base/error.h"

struct sd_bus_api
{
  int (*open_system) (sd_bus **bus);
  sd_bus *(*flush_close_unref) (sd_bus *bus);
  int (*message_new_method_call) (sd_bus *bus, sd_bus_message **m, const char *destination,
                                  const char *path, const char *interface, const char *member);
  int (*message_append) (sd_bus_message *m, const char *types, ...);
  int (*message_append_array) (sd_bus_message *m, char type, const void *ptr, size_t size);
  int (*message_open_container) (sd_bus_message *m, char type, const char *contents);
  int (*message_close_container) (sd_bus_message *m);
  int (*message_read) (sd_bus_message *m, const char *types, ...);
  sd_bus_message *(*message_unref) (sd_bus_message *m);
  int (*call) (sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error,
               sd_bus_message **reply);
  int (*get_property_string) (sd_bus *bus, const char *destination, const char *path,
                              const char *interface, const char *member, sd_bus_error *ret_error,
                              char **ret);
  int (*add_match) (sd_bus *bus, sd_bus_slot **slot, const char *match,
                    sd_bus_message_handler_t callback, void *userdata);
  sd_bus_slot *(*slot_unref) (sd_bus_slot *slot);
  int (*process) (sd_bus *bus, sd_bus_message **r);
  int (*wait) (sd_bus *bus, uint64_t timeout_usec);
  void (*error_free) (sd_bus_error *e);
};

/* dlopen libsystemd.so.0 once and resolve the functions above; an error
 * naming the package when it is not installed. */
int sd_bus_api_load (const struct sd_bus_api **api, tong_error *err);

#endif
