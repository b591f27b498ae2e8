/* Unit tests of the cgroup v1 device lists: the writes planned for fixed
 * rule lists, and for thousands of random ones a model of the kernel's
 * devices controller (security/device_cgroup.c) fed with the writes, which
 * must answer every request as the rules' eBPF meaning does (last match
 * wins), unless the planner refused the list. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "src/base/util.h"
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

/* No rule for every device, yet only default deny can hold the list. */
static void
test_v1_the_other_default (void)
{
  PLAN_IS ("{\"devices\":[{\"allow\":false,\"type\":\"c\"},{\"allow\":false,\"type\":\"b\"}]}",
           false, "devices.deny=a\n" DEFAULTS);
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

/* The models below share nothing with the planner: their own access bits,
 * their own copy of the default rules. */
#define ACC_M 1u
#define ACC_R 2u
#define ACC_W 4u
#define ACC_ALL (ACC_M | ACC_R | ACC_W)

static unsigned
parse_access (const char *text)
{
  unsigned bits = 0;

  if (!text)
    return ACC_ALL;
  for (; *text; text++)
    bits |= *text == 'r' ? ACC_R : *text == 'w' ? ACC_W : *text == 'm' ? ACC_M : 0;
  return bits;
}

/* The kernel's devices controller of one cgroup below a parent that allows
 * everything: a default and exceptions keyed by type, major and minor (-1
 * for `*`), as security/device_cgroup.c keeps them. */
struct v1_exception
{
  char type;
  int64_t major, minor;
  unsigned access;
};

struct v1_cgroup
{
  bool default_allow;
  struct v1_exception ex[256];
  size_t n;
};

static int64_t
parse_number (const char *text)
{
  return strcmp (text, "*") == 0 ? -1 : strtoll (text, NULL, 10);
}

/* One write; false for what the kernel would reject with EINVAL. */
static bool
v1_write (struct v1_cgroup *cg, const char *file, const char *value)
{
  bool allow_file = strcmp (file, "devices.allow") == 0;
  struct v1_exception e;
  char type, major[24], minor[24], access[8];
  size_t i;

  if (!allow_file && strcmp (file, "devices.deny") != 0)
    return false;
  if (value[0] == 'a')
    {
      /* "a" (whatever follows): a new default, no exceptions. */
      cg->default_allow = allow_file;
      cg->n = 0;
      return true;
    }
  if (sscanf (value, "%c %23[0-9*]:%23[0-9*] %7s", &type, major, minor, access) != 4
      || (type != 'c' && type != 'b'))
    return false;
  e = (struct v1_exception){ type, parse_number (major), parse_number (minor),
                             parse_access (access) };
  for (i = 0; i < cg->n; i++)
    if (cg->ex[i].type == e.type && cg->ex[i].major == e.major && cg->ex[i].minor == e.minor)
      break;
  if (allow_file == cg->default_allow)
    {
      /* Writing what the default already says takes it out of the exceptions. */
      if (i < cg->n && (cg->ex[i].access &= ~e.access) == 0)
        cg->ex[i] = cg->ex[--cg->n];
    }
  else if (i < cg->n)
    cg->ex[i].access |= e.access;
  else if (cg->n < ARRAY_SIZE (cg->ex))
    cg->ex[cg->n++] = e;
  else
    return false;
  return true;
}

/* match_exception (default deny) and match_exception_partial (default allow). */
static bool
v1_allows (const struct v1_cgroup *cg, char type, int64_t major, int64_t minor, unsigned access)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      const struct v1_exception *e = &cg->ex[i];
      if (e->type != type || (e->major >= 0 && e->major != major)
          || (e->minor >= 0 && e->minor != minor))
        continue;
      if (cg->default_allow && (e->access & access))
        return false;
      if (!cg->default_allow && (access & ~e->access) == 0)
        return true;
    }
  return cg->default_allow;
}

/* The eBPF filter's meaning: the last matching rule decides, else allowed. */
struct ebpf_rule
{
  bool allow;
  char type; /* 'a', 'c', 'b' */
  int64_t major, minor;
  unsigned access;
};

static const struct ebpf_rule ebpf_defaults[] = {
  { true, 'c', -1, -1, ACC_M },    { true, 'b', -1, -1, ACC_M }, { true, 'c', 1, 3, ACC_ALL },
  { true, 'c', 1, 5, ACC_ALL },    { true, 'c', 1, 7, ACC_ALL }, { true, 'c', 1, 8, ACC_ALL },
  { true, 'c', 1, 9, ACC_ALL },    { true, 'c', 5, 0, ACC_ALL }, { true, 'c', 5, 2, ACC_ALL },
  { true, 'c', 136, -1, ACC_ALL },
};

static bool
ebpf_allows (const struct ebpf_rule *rules, size_t n, char type, int64_t major, int64_t minor,
             unsigned access)
{
  for (size_t i = n; i-- > 0;)
    {
      const struct ebpf_rule *r = &rules[i];
      if ((r->type != 'a' && r->type != type) || (r->major >= 0 && r->major != major)
          || (r->minor >= 0 && r->minor != minor))
        continue;
      if (r->allow ? (access & ~r->access) == 0 : (access & r->access) != 0)
        return r->allow;
    }
  return true;
}

static uint64_t seed = 0x5eed1234abcdULL;

static unsigned
rnd (unsigned n)
{
  seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  return (unsigned) (seed >> 33) % n;
}

static void
print_rules (const struct ebpf_rule *rules, size_t n)
{
  for (size_t i = 0; i < n; i++)
    printf ("#   %s %c %" PRId64 ":%" PRId64 " %s%s%s\n", rules[i].allow ? "allow" : "deny",
            rules[i].type, rules[i].major, rules[i].minor, rules[i].access & ACC_R ? "r" : "",
            rules[i].access & ACC_W ? "w" : "", rules[i].access & ACC_M ? "m" : "");
}

/* Does the plan give every request of the universe the rules' verdict?
 * Prints the first counterexample. */
static bool
equivalent (const struct cgroup_plan *p, const struct ebpf_rule *rules, size_t n, bool needed)
{
  static const int64_t majors[] = { 1, 4, 5, 136, 200 };
  static const int64_t minors[] = { 0, 2, 3, 4, 5, 7, 8, 9, 100 };
  struct v1_cgroup cg = { .default_allow = true };

  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->writes[i].controller, "devices") != 0
        || strcmp (p->writes[i].field, "linux.resources.devices") != 0
        || !v1_write (&cg, p->writes[i].file, p->writes[i].value))
      {
        printf ("# the kernel would refuse %s=%s\n", p->writes[i].file, p->writes[i].value);
        return false;
      }
  for (int t = 0; t < 2; t++)
    for (size_t i = 0; i < ARRAY_SIZE (majors); i++)
      for (size_t j = 0; j < ARRAY_SIZE (minors); j++)
        for (unsigned a = 1; a <= ACC_ALL; a++)
          {
            char type = t ? 'c' : 'b';
            bool want = !needed || ebpf_allows (rules, n, type, majors[i], minors[j], a);
            if (v1_allows (&cg, type, majors[i], minors[j], a) == want)
              continue;
            printf ("# %c %" PRId64 ":%" PRId64 " %s%s%s: the rules %s, cgroup v1 %s; rules:\n",
                    type, majors[i], minors[j], a & ACC_R ? "r" : "", a & ACC_W ? "w" : "",
                    a & ACC_M ? "m" : "", want ? "allow" : "refuse", want ? "refuses" : "allows");
            print_rules (rules, n);
            printf ("# writes:\n%s\n", writes_text (p));
            return false;
          }
  return true;
}

/* Thousands of random lists over a few types and numbers (with wildcards,
 * the default rules' numbers among them): planned writes fed to the kernel
 * model must answer every request as the rules do, or the list is refused. */
static void
test_v1_random_lists_mean_what_the_filter_means (void)
{
  static const char *types[] = { NULL, "a", "c", "b" };
  static const char *accesses[] = { NULL, "r", "w", "m", "rw", "rm", "wm", "rwm" };
  static const int64_t majors[] = { -1, 1, 4, 5 };
  static const int64_t minors[] = { -1, 3, 4 };
  const int lists = 5000;
  int refused = 0, planned = 0, combinations = 0;

  for (int iter = 0; iter < lists; iter++)
    {
      struct oci_device_cgroup spec[6];
      struct ebpf_rule rules[6 + ARRAY_SIZE (ebpf_defaults) + 1];
      struct oci_device dev
          = { .type = 'c', .has_major = true, .has_minor = true, .major = 4, .minor = 3 };
      size_t n_spec = 1 + rnd (5), n = 0, n_dev = rnd (4) == 0;
      struct cgroup_plan p = { 0 };
      tong_error err = { 0 };
      bool needed = false;

      for (size_t i = 0; i < n_spec; i++)
        {
          int64_t major = majors[rnd (ARRAY_SIZE (majors))];
          int64_t minor = minors[rnd (ARRAY_SIZE (minors))];
          spec[i] = (struct oci_device_cgroup){ rnd (2) == 0,
                                                (char *) types[rnd (ARRAY_SIZE (types))],
                                                major >= 0,
                                                minor >= 0,
                                                major,
                                                minor,
                                                (char *) accesses[rnd (ARRAY_SIZE (accesses))] };
          if (i == 0 && rnd (2))
            spec[i] = (struct oci_device_cgroup){ false, NULL, false, false, 0, 0, "rwm" };
          rules[n++] = (struct ebpf_rule){ spec[i].allow, spec[i].type ? spec[i].type[0] : 'a',
                                           spec[i].has_major ? spec[i].major : -1,
                                           spec[i].has_minor ? spec[i].minor : -1,
                                           parse_access (spec[i].access) };
          needed = needed || !spec[i].allow;
        }
      for (size_t i = 0; i < ARRAY_SIZE (ebpf_defaults); i++)
        rules[n++] = ebpf_defaults[i];
      if (n_dev)
        rules[n++] = (struct ebpf_rule){ true, 'c', 4, 3, ACC_ALL };

      if (devices_plan_v1 (spec, n_spec, &dev, n_dev, &p, &err) < 0)
        {
          refused++;
          /* A refusal names one of the two things cgroup v1 cannot say; the
           * search for a list never gives up on these sizes. */
          if (!strstr (err.msg, "cannot express") || strstr (err.msg, "no list found"))
            {
              report ("test_v1_random_lists_mean_what_the_filter_means", false,
                      "unexpected error: %s", err.msg);
              return;
            }
          combinations += strstr (err.msg, "at once") != NULL;
          continue;
        }
      planned++;
      if ((p.n == 0) != !needed || !equivalent (&p, rules, n, needed))
        {
          report ("test_v1_random_lists_mean_what_the_filter_means", false,
                  "list %d: the plan differs from the rules (see above)", iter);
          cgroup_plan_free (&p);
          return;
        }
      cgroup_plan_free (&p);
    }
  printf ("# %d random lists: %d planned, %d refused (%d for accesses allowed one by one but "
          "not at once, %d for a device inside a wildcard pattern)\n",
          lists, planned, refused, combinations, refused - combinations);
  report ("test_v1_random_lists_mean_what_the_filter_means", planned > 0 && refused > 0,
          "%d planned, %d refused: the lists do not exercise both", planned, refused);
}

int
main (void)
{
  RUN (test_v1_nothing_without_a_deny);
  RUN (test_v1_deny_all_keeps_the_defaults);
  RUN (test_v1_containerd_default_list);
  RUN (test_v1_deny_all_then_allows);
  RUN (test_v1_default_allow_with_denies);
  RUN (test_v1_the_other_default);
  RUN (test_v1_later_deny_reduces_an_allow);
  RUN (test_v1_refused_lists);
  test_v1_random_lists_mean_what_the_filter_means ();
  return failures ? 1 : 0;
}
