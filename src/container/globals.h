/* What the global flags of tong's command line say, which the CLI fills and
 * the container layer reads. */
#ifndef TONG_GLOBALS_H
#define TONG_GLOBALS_H

#include <stdbool.h>

struct tong_globals
{
  const char *root;           /* --root: state directory root */
  const char *log;            /* --log FILE or NULL */
  bool log_json;              /* --log-format json */
  bool debug;                 /* --debug */
  bool systemd_cgroup;        /* --systemd-cgroup or --cgroup-manager systemd */
  const char *cgroup_manager; /* cgroupfs (default), systemd, disabled */
  bool rootless;              /* running as non-root */
};

#endif
