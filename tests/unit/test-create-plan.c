/* Unit test: namespace combinations and the facts create gathers in, the
 * create plan's flags and decisions out, without root. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "src/container/create-plan.h"
#include "tests/unit/check.h"

struct plan_case
{
  const char *spec;
  const char *joined; /* namespace types the spec names by path: "user,pid" */
  bool in_userns;
  bool rootless; /* a user other than root: the facts give a user namespace */
  int preserve, listen;
  const char *expect;
  bool cgroup_after_clone; /* cgroup v1: the driver moves the init after its clone */
};

#define NS(t) "{\"type\": \"" t "\"}"
#define NSP(t) "{\"type\": \"" t "\", \"path\": \"/proc/1/ns/x\"}"

static const struct plan_case cases[] = {
  /* tong spec's set: everything new in clone3, the network deferred to the
   * init (no user namespace, hook or networking: released early) */
  { "{\"linux\": {\"namespaces\": [" NS ("pid") "," NS ("network") "," NS ("ipc") "," NS (
        "uts") "," NS ("mount") "," NS ("cgroup") "]}}",
    "", false, false, 0, 0,
    "clone=0x2e020000 unshare=0x40000000 skip=0x1 new_netns early_release defer_netns nfds=0 "
    "maps=0/0",
    false },
  /* a new user namespace: maps first, no early release, hidden later */
  { "{\"linux\": {\"namespaces\": [" NS ("pid") "," NS ("user") "," NS ("mount") "," NS (
        "network") "]}}",
    "", false, false, 0, 0,
    "clone=0x70020000 unshare=0 skip=0x1 new_userns defer_hide new_netns rootfs_in_userns "
    "nfds=0 maps=0/0",
    false },
  /* a user namespace joined by path: the others are unshared after it */
  { "{\"linux\": {\"namespaces\": [" NS ("pid") "," NSP ("user") "," NS ("mount") "," NS (
        "uts") "]}}",
    "user", false, false, 0, 0,
    "clone=0x20000000 unshare=0x4020000 skip=0x1 rootfs_in_userns nfds=0 maps=0/0", false },
  /* time: unshared by the init; a hook keeps the release for after it */
  { "{\"linux\": {\"namespaces\": [" NS ("time") "," NS (
        "mount") "]},"
                 " \"hooks\": {\"prestart\": [{\"path\": \"/bin/true\"}]}}",
    "", false, false, 0, 0, "clone=0x20000 unshare=0 skip=0x1 new_timens nfds=0 maps=0/0", false },
  /* networking annotations: no early release; the network from clone3 */
  { "{\"linux\": {\"namespaces\": [" NS (
        "network") "]},"
                   " \"annotations\": {\"org.tong.net.mode\": \"bridge\"}}",
    "", false, false, 0, 0, "clone=0x40000000 unshare=0 skip=0x1 new_netns nfds=0 maps=0/0",
    false },
  /* root of a user namespace, preserved and socket-activation fds */
  { "{\"linux\": {\"namespaces\": [" NSP ("network") "]}}", "network", true, false, 2, 3,
    "clone=0 unshare=0 skip=0x1 early_release rootfs_in_userns nfds=5 maps=0/0 "
    "env=LISTEN_FDS=3,LISTEN_PID=1",
    false },
  /* the spec's own maps are the ones written */
  { "{\"linux\": {\"namespaces\": [" NS ("user") "," NS (
        "mount") "],"
                 " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
                 " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1},"
                 " {\"containerID\": 1, \"hostID\": 100000, \"size\": 65536}]}}",
    "", false, false, 0, 0,
    "clone=0x10020000 unshare=0 skip=0x1 new_userns rootfs_in_userns nfds=0 maps=1/2", false },
  /* a user other than root, no user namespace in the spec: one is planned
   * with the rootless maps, and the spec is left as parsed */
  { "{\"linux\": {\"namespaces\": [" NS ("pid") "," NS ("mount") "]}}", "", false, true, 0, 0,
    "clone=0x30020000 unshare=0 skip=0x1 new_userns defer_hide rootfs_in_userns nfds=0 "
    "maps=2/2",
    false },
  /* cgroup v1: the init makes its cgroup namespace once it is in its
   * cgroups, not at the clone */
  { "{\"linux\": {\"namespaces\": [" NS ("pid") "," NS ("network") "," NS ("ipc") "," NS (
        "uts") "," NS ("mount") "," NS ("cgroup") "]}}",
    "", false, false, 0, 0,
    "clone=0x2c020000 unshare=0x42000000 skip=0x1 new_netns early_release defer_netns nfds=0 "
    "maps=0/0",
    true },
};

static void
test_cases (void)
{
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      const struct plan_case *c = &cases[i];
      struct create_facts f = { .in_userns = c->in_userns,
                                .rootless_userns = c->rootless,
                                .preserve_fds = c->preserve,
                                .listen_fds = c->listen,
                                .cgroup_after_clone = c->cgroup_after_clone };
      struct oci_spec *spec = NULL;
      struct create_plan p;
      tong_error err = { 0 };
      char *text;

      if (oci_spec_parse (c->spec, strlen (c->spec), OCI_PARSE_ANY, &spec, &err) < 0)
        {
          fprintf (stderr, "case %zu: the spec does not parse: %s\n", i, err.msg);
          failures++;
          continue;
        }
      if (c->rootless)
        f.rootless_maps = (struct subid_maps){ .uids = { { 0, 1000, 1 }, { 1, 100000, 65536 } },
                                               .gids = { { 0, 1000, 1 }, { 1, 100000, 65536 } },
                                               .n_uids = 2,
                                               .n_gids = 2 };
      for (int t = 0; t < OCI_NS_COUNT; t++)
        {
          const char *name = oci_ns_info ((enum oci_ns_type) t)->name;
          const char *at = strstr (c->joined, name);
          f.joined[t] = at && (at[strlen (name)] == '\0' || at[strlen (name)] == ',');
        }
      create_plan_make (spec, &f, &p);
      text = create_plan_describe (&p);
      if (strcmp (text, c->expect) != 0)
        {
          fprintf (stderr, "case %zu: plan\n  %s\nexpected\n  %s\n", i, text, c->expect);
          failures++;
        }
      CHECK (p.first_closed_fd == 3 + p.nfds);
      if (c->rootless)
        {
          CHECK (oci_spec_namespace (spec, OCI_NS_USER) == NULL);
          CHECK (p.id_maps.uids == f.rootless_maps.uids && p.id_maps.gids == f.rootless_maps.gids);
        }
      free (text);
      oci_spec_free (spec);
    }
}

int
main (void)
{
  RUN (test_cases);
  if (failures)
    {
      fprintf (stderr, "test-create-plan: %d failures\n", failures);
      return 1;
    }
  printf ("test-create-plan: ok\n");
  return 0;
}
