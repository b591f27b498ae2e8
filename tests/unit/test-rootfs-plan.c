/* Unit test: the spec's mounts and linux.rootfsPropagation in, the rootfs
 * plan's steps (or the error create reports) out, without root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "src/namespaces/rootfs-plan.h"
#include "tests/unit/check.h"

struct plan_case
{
  const char *spec;   /* config.json text */
  const char *expect; /* the described plan, or the error message */
  bool fails;
};

static const struct plan_case cases[] = {
  { "{\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
    " {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    "  \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
    " {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
    "  \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\"]}]}",
    "mount proc proc on /proc flags=0 data= propagation=0\n"
    "mount tmpfs tmpfs on /dev flags=0x1000002 data=mode=755,size=65536k propagation=0\n"
    "mount devpts devpts on /dev/pts flags=0xa data=newinstance,ptmxmode=0666 propagation=0\n"
    "devpts mounted\n",
    false },
  /* a read-only tmpfs is mounted writable, filled, then made read-only */
  { "{\"mounts\": [{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"options\": [\"ro\", "
    "\"nodev\"]}]}",
    "mount tmpfs tmpfs on /tmp flags=0x4 data= propagation=0 then read-only\n", false },
  /* bind by type or by option, rbind, a bind over /dev */
  { "{\"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv\","
    "  \"options\": [\"ro\"]},"
    " {\"destination\": \"/dev\", \"source\": \"/dev\", \"options\": [\"rbind\", \"rslave\"]}]}",
    "bind /srv on /data flags=0x1001 remount=0x1 propagation=0\n"
    "bind /dev on /dev flags=0x5000 remount=0 propagation=0x84000\n"
    "dev bound\n",
    false },
  /* "cgroup" is mounted as cgroup2; propagation parsed once */
  { "{\"mounts\": [{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": "
    "\"cgroup\"}],"
    " \"linux\": {\"rootfsPropagation\": \"rshared\"}}",
    "mount cgroup2 cgroup on /sys/fs/cgroup flags=0 data= propagation=0\n"
    "propagation 0x104000\n",
    false },
  { "{\"mounts\": [{\"destination\": \"/\", \"type\": \"tmpfs\"}]}",
    "mount tmpfs tmpfs on / flags=0 data= propagation=0 (the new root)\n", false },
  /* errors, in the words create has always used */
  { "{\"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\"}, {\"destination\": \"/\", "
    "\"type\": \"tmpfs\"}]}",
    "mounts[1]: a mount on `/` replaces the root and must come first", true },
  { "{\"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\"}, {\"destination\": \"\", "
    "\"type\": \"tmpfs\"}]}",
    "mounts[1]: a mount has no destination", true },
  { "{\"mounts\": [{\"destination\": \"/a\"}]}",
    "mounts[0]: mount on `/a` has no type (use e.g. \"bind\", \"tmpfs\")", true },
  { "{\"mounts\": [{\"destination\": \"/a\", \"type\": \"bind\"}]}",
    "mounts[0]: bind mount on `/a` has no source", true },
};

static void
test_cases (void)
{
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      const struct plan_case *c = &cases[i];
      struct oci_spec *spec = NULL;
      struct rootfs_plan plan;
      tong_error err = { 0 };
      int r;

      if (oci_spec_parse (c->spec, strlen (c->spec), OCI_PARSE_ANY, &spec, &err) < 0)
        {
          fprintf (stderr, "case %zu: the spec does not parse: %s\n", i, err.msg);
          failures++;
          continue;
        }
      r = rootfs_plan_build (spec, &plan, &err);
      if (c->fails)
        {
          CHECK (r < 0);
          if (r < 0 && !strstr (err.msg, c->expect))
            {
              fprintf (stderr, "case %zu: error \"%s\", expected \"%s\"\n", i, err.msg, c->expect);
              failures++;
            }
        }
      else
        {
          CHECK (r == 0);
          if (r == 0)
            {
              char *text = rootfs_plan_describe (&plan);
              if (strcmp (text, c->expect) != 0)
                {
                  fprintf (stderr, "case %zu: plan\n%sexpected\n%s", i, text, c->expect);
                  failures++;
                }
              free (text);
              rootfs_plan_free (&plan);
            }
        }
      oci_spec_free (spec);
    }
}

int
main (void)
{
  RUN (test_cases);
  if (failures)
    {
      fprintf (stderr, "test-rootfs-plan: %d failures\n", failures);
      return 1;
    }
  printf ("test-rootfs-plan: ok\n");
  return 0;
}
