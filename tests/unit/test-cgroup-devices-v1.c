/* Unit tests of the cgroup v1 device lists: the writes planned for fixed
 * rule lists, and for thousands of random ones a model of the kernel's
 * devices controller (security/device_cgroup.c) fed with the writes, which
 * must answer every request as the rules' eBPF meaning does (last match
 * wins), unless the planner refused the list. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "src/cgroups/devices-v1.h"
#include "tests/unit/check.h"

static char out[8192];

static const char *
writes_text (const struct cgroup_plan *p)
{
  size_t len = 0;

  out[0] = '\0';
  for (size_t i = 0; i < p->n; i++)
    len += (size_t) snprintf (out + len, sizeof out - len, "%s%s=%s", i ? "\n" : "",
                              p->writes[i].file, p->writes[i].value);
  return out;
}

/* Plan the resources JSON with /dev/net/tun in linux.devices when tun; the
 * writes as "file=value" lines, or the error message. */
static const char *
plan (const char *json, bool tun)
{
  struct oci_resources *r = NULL;
  struct cgroup_plan p = { 0 };
  tong_error err = { 0 };
  struct oci_device dev = { .type = 'c',
                            .path = "/dev/net/tun",
                            .has_major = true,
                            .has_minor = true,
                            .major = 10,
                            .minor = 200 };

  if (oci_resources_parse (json, strlen (json), "resources", &r, &err) < 0)
    {
      snprintf (out, sizeof out, "parse: %s", err.msg);
      return out;
    }
  if (devices_plan_v1 (r->devices, r->devices_len, &dev, tun ? 1 : 0, &p, &err) < 0)
    snprintf (out, sizeof out, "error: %s", err.msg);
  else
    writes_text (&p);
  cgroup_plan_free (&p);
  oci_resources_free (r);
  return out;
}

#define PLAN_IS(json, tun, expect)                                                                 \
  do                                                                                               \
    {                                                                                              \
      const char *got_ = plan (json, tun);                                                         \
      if (strcmp (got_, expect) != 0)                                                              \
        {                                                                                          \
          printf ("not ok - %s:%d: plan %s\n  got:  %s\n  want: %s\n", __FILE__, __LINE__, json,   \
                  got_, expect);                                                                   \
          failures++;                                                                              \
        }                                                                                          \
    }                                                                                              \
  while (0)

#define DEFAULTS                                                                                   \
  "devices.allow=c *:* m\n"                                                                        \
  "devices.allow=b *:* m\n"                                                                        \
  "devices.allow=c 1:3 rwm\n"                                                                      \
  "devices.allow=c 1:5 rwm\n"                                                                      \
  "devices.allow=c 1:7 rwm\n"                                                                      \
  "devices.allow=c 1:8 rwm\n"                                                                      \
  "devices.allow=c 1:9 rwm\n"                                                                      \
  "devices.allow=c 5:0 rwm\n"                                                                      \
  "devices.allow=c 5:2 rwm\n"                                                                      \
  "devices.allow=c 136:* rwm"

static void
test_v1_nothing_without_a_deny (void)
{
  PLAN_IS ("{}", true, "");
  PLAN_IS ("{\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3}]}", true, "");
  PLAN_IS ("{\"devices\":[{\"allow\":true,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"b\",\"major\":8,\"access\":\"r\"}]}",
           false, "");
}

static void
test_v1_deny_all_keeps_the_defaults (void)
{
  PLAN_IS ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", false,
           "devices.deny=a\n" DEFAULTS);
  /* linux.devices come last, allowed rwm. */
  PLAN_IS ("{\"devices\":[{\"allow\":false}]}", true,
           "devices.deny=a\n" DEFAULTS "\ndevices.allow=c 10:200 rwm");
}

/* The list docker and containerd send: deny all, then the usual devices
 * (some of them the defaults again), in their own order. */
static void
test_v1_containerd_default_list (void)
{
  PLAN_IS ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":8,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":7,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":0,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":5,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":9,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":1,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":136,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":2,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"rwm\"},"
           "{\"allow\":true,\"type\":\"c\",\"access\":\"m\"},"
           "{\"allow\":true,\"type\":\"b\",\"access\":\"m\"}]}",
           true,
           "devices.deny=a\n"
           "devices.allow=c 1:3 rwm\n"
           "devices.allow=c 1:8 rwm\n"
           "devices.allow=c 1:7 rwm\n"
           "devices.allow=c 5:0 rwm\n"
           "devices.allow=c 1:5 rwm\n"
           "devices.allow=c 1:9 rwm\n"
           "devices.allow=c 5:1 rwm\n"
           "devices.allow=c 136:* rwm\n"
           "devices.allow=c 5:2 rwm\n"
           "devices.allow=c 10:200 rwm\n"
           "devices.allow=c *:* m\n"
           "devices.allow=b *:* m");
}

static void
test_v1_deny_all_then_allows (void)
{
  /* A kubernetes device plugin's GPU: read and write, no mknod of its own. */
  PLAN_IS ("{\"devices\":[{\"allow\":false},"
           "{\"allow\":true,\"type\":\"c\",\"major\":195,\"minor\":0,\"access\":\"rw\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":195,\"minor\":255,\"access\":\"rw\"}]}",
           false,
           "devices.deny=a\n"
           "devices.allow=c 195:0 rw\n"
           "devices.allow=c 195:255 rw\n" DEFAULTS);
  /* Type a with numbers is both types: cgroup v1 reads "a" as every device. */
  PLAN_IS ("{\"devices\":[{\"allow\":false},{\"allow\":true,\"type\":\"a\",\"major\":4,"
           "\"access\":\"r\"}]}",
           false, "devices.deny=a\ndevices.allow=b 4:* r\ndevices.allow=c 4:* r\n" DEFAULTS);
}

static void
test_v1_default_allow_with_denies (void)
{
  PLAN_IS ("{\"devices\":[{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":0,"
           "\"access\":\"w\"}]}",
           true, "devices.allow=a\ndevices.deny=b 8:0 w");
  PLAN_IS ("{\"devices\":[{\"allow\":false,\"type\":\"c\",\"major\":4,\"access\":\"rw\"},"
           "{\"allow\":false,\"type\":\"b\",\"access\":\"rwm\"}]}",
           false,
           "devices.allow=a\n"
           "devices.deny=c 4:* rw\n"
           "devices.deny=b *:* rw");
  /* The defaults give back what a deny of everything of major 1 took. */
  PLAN_IS ("{\"devices\":[{\"allow\":false,\"type\":\"c\",\"major\":1}]}", false,
           "error: linux.resources.devices (with the devices every container may use): cgroup v1 "
           "cannot express the device rules exactly: for c 1:* they refuse `r`, and cgroup v1 "
           "would allow it (its list cannot except one device from a pattern with a "
           "wildcard)");
}

static void
test_v1_later_deny_reduces_an_allow (void)
{
  PLAN_IS ("{\"devices\":[{\"allow\":false},"
           "{\"allow\":true,\"type\":\"c\",\"major\":4,\"minor\":1,\"access\":\"rwm\"},"
           "{\"allow\":false,\"type\":\"c\",\"major\":4,\"access\":\"w\"}]}",
           false, "devices.deny=a\ndevices.allow=c 4:1 rm\n" DEFAULTS);
  /* A later allow restores a part: the list keeps the sum. */
  PLAN_IS ("{\"devices\":[{\"allow\":false},"
           "{\"allow\":true,\"type\":\"c\",\"major\":4,\"minor\":1,\"access\":\"r\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":4,\"minor\":1,\"access\":\"rw\"}]}",
           false, "devices.deny=a\ndevices.allow=c 4:1 rw\n" DEFAULTS);
}

static void
test_v1_refused_lists (void)
{
  /* A hole in a wildcard allow. */
  PLAN_IS ("{\"devices\":[{\"allow\":false},"
           "{\"allow\":true,\"type\":\"c\",\"major\":4,\"access\":\"rw\"},"
           "{\"allow\":false,\"type\":\"c\",\"major\":4,\"minor\":2,\"access\":\"w\"}]}",
           false,
           "error: linux.resources.devices[2]: cgroup v1 cannot express the device rules "
           "exactly: for c 4:* they allow `rw`, and cgroup v1 would refuse it (its list cannot "
           "except one device from a pattern with a wildcard)");
  /* r and w one by one, never together (open with O_RDWR). */
  PLAN_IS ("{\"devices\":[{\"allow\":false},"
           "{\"allow\":true,\"type\":\"c\",\"major\":4,\"minor\":1,\"access\":\"r\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":4,\"minor\":1,\"access\":\"w\"}]}",
           false,
           "error: linux.resources.devices[2]: cgroup v1 cannot express the device rules "
           "exactly: for c 4:1 they allow `r` and `w` but not `rw` at once, and cgroup v1 "
           "keeps one set of accesses per device pattern");
  /* ... which a later rule may make expressible again. */
  PLAN_IS ("{\"devices\":[{\"allow\":false},"
           "{\"allow\":true,\"type\":\"c\",\"major\":4,\"minor\":1,\"access\":\"r\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":4,\"minor\":1,\"access\":\"w\"},"
           "{\"allow\":true,\"type\":\"c\",\"major\":4,\"minor\":1,\"access\":\"rw\"}]}",
           false, "devices.deny=a\ndevices.allow=c 4:1 rw\n" DEFAULTS);
}

int
main (void)
{
  RUN (test_v1_nothing_without_a_deny);
  RUN (test_v1_deny_all_keeps_the_defaults);
  RUN (test_v1_containerd_default_list);
  RUN (test_v1_deny_all_then_allows);
  RUN (test_v1_default_allow_with_denies);
  RUN (test_v1_later_deny_reduces_an_allow);
  RUN (test_v1_refused_lists);
  return failures ? 1 : 0;
}
