/* Unit test: a spec in (mounts, linux.rootfsPropagation, linux.devices,
 * linux.sysctl, masked and read-only paths, root.readonly), the rootfs
 * plan's operations out, one line each, or the error create reports;
 * without root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "src/namespaces/rootfs-plan.h"
#include "tests/unit/check.h"

struct plan_case
{
  const char *name;
  const char *spec; /* config.json text */
  bool userns;      /* the rootfs is set up in a user namespace */
  /* Only the lines whose first word is one of these ("mknod host-node")
   * are compared; NULL: the whole plan. */
  const char *only;
  const char *expect; /* the described plan, or the error message */
  bool fails;
};

/* The mounts of a usual spec, and what the plan always holds with them. */
#define PROC "{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}"
#define DEV_TMPFS "{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}"
#define DEVPTS "{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\"}"
#define ROOT_PRIVATE "root propagation=0x44000\n"
#define DEFAULT_NODES                                                                              \
  "mknod /dev/null c 1:3 mode=0666 uid=0 gid=0\n"                                                  \
  "mknod /dev/zero c 1:5 mode=0666 uid=0 gid=0\n"                                                  \
  "mknod /dev/full c 1:7 mode=0666 uid=0 gid=0\n"                                                  \
  "mknod /dev/random c 1:8 mode=0666 uid=0 gid=0\n"                                                \
  "mknod /dev/urandom c 1:9 mode=0666 uid=0 gid=0\n"                                               \
  "mknod /dev/tty c 5:0 mode=0666 uid=0 gid=0\n"
#define DEV_SYMLINKS                                                                               \
  "symlink /dev/fd -> /proc/self/fd\n"                                                             \
  "symlink /dev/stdin -> /proc/self/fd/0\n"                                                        \
  "symlink /dev/stdout -> /proc/self/fd/1\n"                                                       \
  "symlink /dev/stderr -> /proc/self/fd/2\n"                                                       \
  "symlink /dev/core -> /proc/kcore\n"
#define SYSCTL_NS(ns, key)                                                                         \
  "{\"mounts\": [" PROC "], \"linux\": {\"namespaces\": [{\"type\": \"" ns "\"}],"                 \
  " \"sysctl\": {\"" key "\": \"1\"}}}"

static const struct plan_case cases[] = {
  /* mounts */
  { "the whole plan of a usual spec",
    "{\"mounts\": [" PROC ","
    " {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    "  \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
    " {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
    "  \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\"]}]}",
    false, NULL,
    ROOT_PRIVATE "mount proc proc on /proc flags=0 data= propagation=0 (procfs kept)\n"
                 "mount tmpfs tmpfs on /dev flags=0x1000002 data=mode=755,size=65536k "
                 "propagation=0\n"
                 "mount devpts devpts on /dev/pts flags=0xa data=newinstance,ptmxmode=0666 "
                 "propagation=0\n" DEFAULT_NODES DEV_SYMLINKS
                 "symlink /dev/ptmx -> pts/ptmx (replacing)\n"
                 "pivot_root\n",
    false },
  { "a read-only tmpfs is mounted writable, filled, then made read-only",
    "{\"mounts\": [{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"options\": [\"ro\", "
    "\"nodev\"]}]}",
    false, "mount remount-ro pivot_root",
    "mount tmpfs tmpfs on /tmp flags=0x4 data= propagation=0\n"
    "remount-ro /tmp flags=0x5\n"
    "pivot_root\n",
    false },
  { "bind by type or by option, rbind, a bind over /dev",
    "{\"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv\","
    "  \"options\": [\"ro\"]},"
    " {\"destination\": \"/dev\", \"source\": \"/dev\", \"options\": [\"rbind\", \"rslave\"]}]}",
    false, NULL,
    ROOT_PRIVATE "bind /srv on /data flags=0x1001 remount=0x1 propagation=0\n"
                 "bind /dev on /dev flags=0x5000 remount=0 propagation=0x84000\n"
                 "pivot_root\n",
    false },
  { "cgroup is mounted as cgroup2; propagation parsed once, for the tree and for /",
    "{\"mounts\": [{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": "
    "\"cgroup\"}],"
    " \"linux\": {\"rootfsPropagation\": \"rshared\"}}",
    false, "root mount pivot_root propagation",
    "root propagation=0x104000 parent private\n"
    "mount cgroup2 cgroup on /sys/fs/cgroup flags=0 data= propagation=0\n"
    "pivot_root\n"
    "propagation 0x104000 on /\n",
    false },
  { "a mount on / is the new root", "{\"mounts\": [{\"destination\": \"/\", \"type\": \"tmpfs\"}]}",
    false, "mount", "mount tmpfs tmpfs on / flags=0 data= propagation=0 (the new root)\n", false },
  { "linux.mountLabel labels a tmpfs, not proc",
    "{\"mounts\": [" PROC ", {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"options\": "
    "[\"size=1m\"]}], \"linux\": {\"mountLabel\": \"system_u:object_r:c_t:s0\"}}",
    false, "mount",
    "mount proc proc on /proc flags=0 data= propagation=0 (procfs kept)\n"
    "mount tmpfs tmpfs on /tmp flags=0 data=size=1m,context=\"system_u:object_r:c_t:s0\" "
    "propagation=0\n",
    false },
  { "in a user namespace: the host's sysfs and mqueue without their namespaces",
    "{\"mounts\": [{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\"},"
    " {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\"},"
    " {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\"}],"
    " \"linux\": {\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"cgroup\"},"
    " {\"type\": \"ipc\", \"path\": \"/proc/1/ns/ipc\"}]}}",
    true, "mount",
    "mount sysfs sysfs on /sys flags=0 data= propagation=0 or bind the host's /sys\n"
    "mount mqueue mqueue on /dev/mqueue flags=0 data= propagation=0 or bind the host's "
    "/dev/mqueue\n"
    "mount cgroup2 cgroup on /sys/fs/cgroup flags=0 data= propagation=0\n",
    false },
  { "no host fallback outside a user namespace",
    "{\"mounts\": [{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\"}]}",
    false, "mount", "mount sysfs sysfs on /sys flags=0 data= propagation=0\n", false },
  /* mount errors, in the words create has always used */
  { "a mount on / that is not first",
    "{\"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\"}, {\"destination\": \"/\", "
    "\"type\": \"tmpfs\"}]}",
    false, NULL, "mounts[1]: a mount on `/` replaces the root and must come first", true },
  { "no destination",
    "{\"mounts\": [{\"destination\": \"/a\", \"type\": \"tmpfs\"}, {\"destination\": \"\", "
    "\"type\": \"tmpfs\"}]}",
    false, NULL, "mounts[1]: a mount has no destination", true },
  { "no type", "{\"mounts\": [{\"destination\": \"/a\"}]}", false, NULL,
    "mounts[0]: mount on `/a` has no type (use e.g. \"bind\", \"tmpfs\")", true },
  { "a bind without a source", "{\"mounts\": [{\"destination\": \"/a\", \"type\": \"bind\"}]}",
    false, NULL, "mounts[0]: bind mount on `/a` has no source", true },

  /* devices */
  { "the default nodes and symlinks, no ptmx link without devpts", "{\"mounts\": [" DEV_TMPFS "]}",
    false, "mknod host-node symlink", DEFAULT_NODES DEV_SYMLINKS, false },
  { "linux.devices overrides a default and adds nodes, a fifo among them",
    "{\"linux\": {\"devices\": ["
    " {\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"fileMode\": 384,"
    "  \"uid\": 5, \"gid\": 6},"
    " {\"path\": \"/dev/sda\", \"type\": \"b\", \"major\": 8, \"minor\": 0},"
    " {\"path\": \"/dev/input/u0\", \"type\": \"u\", \"major\": 13, \"minor\": 64},"
    " {\"path\": \"/dev/fifo\", \"type\": \"p\", \"fileMode\": 420}]}}",
    false, "mknod host-node",
    "mknod /dev/zero c 1:5 mode=0666 uid=0 gid=0\n"
    "mknod /dev/full c 1:7 mode=0666 uid=0 gid=0\n"
    "mknod /dev/random c 1:8 mode=0666 uid=0 gid=0\n"
    "mknod /dev/urandom c 1:9 mode=0666 uid=0 gid=0\n"
    "mknod /dev/tty c 5:0 mode=0666 uid=0 gid=0\n"
    "mknod /dev/null c 1:3 mode=0600 uid=5 gid=6\n"
    "mknod /dev/sda b 8:0 mode=0666 uid=0 gid=0\n"
    "mknod /dev/input/u0 u 13:64 mode=0666 uid=0 gid=0\n"
    "mknod /dev/fifo p 0:0 mode=0644 uid=0 gid=0\n",
    false },
  { "in a user namespace nodes are the host's, bound, but a fifo is made",
    "{\"linux\": {\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, "
    "\"minor\": 229}, {\"path\": \"/dev/fifo\", \"type\": \"p\"}]}}",
    true, "mknod host-node",
    "host-node /dev/null c 1:3\n"
    "host-node /dev/zero c 1:5\n"
    "host-node /dev/full c 1:7\n"
    "host-node /dev/random c 1:8\n"
    "host-node /dev/urandom c 1:9\n"
    "host-node /dev/tty c 5:0\n"
    "host-node /dev/fuse c 10:229\n"
    "mknod /dev/fifo p 0:0 mode=0666 uid=0 gid=0\n",
    false },
  { "/dev/ptmx links to the devpts of /dev/pts", "{\"mounts\": [" DEV_TMPFS ", " DEVPTS "]}", false,
    "symlink", DEV_SYMLINKS "symlink /dev/ptmx -> pts/ptmx (replacing)\n", false },
  { "a devpts elsewhere is not /dev/pts",
    "{\"mounts\": [{\"destination\": \"/mnt/pts\", \"type\": \"devpts\"}]}", false, "symlink",
    DEV_SYMLINKS, false },
  { "a bind that provides /dev provides its nodes and links",
    "{\"mounts\": [{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"/dev\"}, " DEVPTS
    "], \"linux\": {\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, "
    "\"minor\": 229}]}}",
    false, "mknod host-node symlink", "", false },
  { "a device path that names no file",
    "{\"linux\": {\"devices\": [{\"path\": \"/dev/..\", \"type\": \"c\", \"major\": 1, "
    "\"minor\": 3}]}}",
    false, NULL, "device path `/dev/..` does not name a file", true },
  { "the root names no file either",
    "{\"linux\": {\"devices\": [{\"path\": \"/\", \"type\": \"p\"}]}}", false, NULL,
    "device path `/` does not name a file", true },

  /* masked and read-only paths, root.readonly */
  { "masks and read-only paths below the kept procfs go through it",
    "{\"root\": {\"path\": \"rootfs\", \"readonly\": true}, \"mounts\": [" PROC "],"
    " \"linux\": {\"readonlyPaths\": [\"/proc/sys\", \"/etc/conf\"],"
    " \"maskedPaths\": [\"/proc/kcore\", \"/proc\", \"/sys/firmware\", \"/proc/../etc\"]}}",
    false, "pivot_root readonly-path mask readonly-root",
    "pivot_root\n"
    "readonly-path /proc/sys below the procfs: sys\n"
    "readonly-path /etc/conf\n"
    "mask /proc/kcore below the procfs: kcore\n"
    "mask /proc below the procfs: .\n"
    "mask /sys/firmware\n"
    "mask /proc/../etc\n"
    "readonly-root\n",
    false },
  { "without a proc mount, every path is the root's",
    "{\"linux\": {\"readonlyPaths\": [\"/proc/sys\"], \"maskedPaths\": [\"/proc/kcore\"]}}", false,
    "readonly-path mask readonly-root",
    "readonly-path /proc/sys\n"
    "mask /proc/kcore\n",
    false },

  /* the kept procfs */
  { "a mount below the procfs leaves it kept",
    "{\"mounts\": [" PROC ", {\"destination\": \"/proc/sys\", \"type\": \"tmpfs\"}],"
    " \"linux\": {\"maskedPaths\": [\"/proc/kcore\"]}}",
    false, "mount mask",
    "mount proc proc on /proc flags=0 data= propagation=0 (procfs kept)\n"
    "mount tmpfs tmpfs on /proc/sys flags=0 data= propagation=0\n"
    "mask /proc/kcore below the procfs: kcore\n",
    false },
  { "a mount at the procfs's destination hides it",
    "{\"mounts\": [" PROC ", {\"destination\": \"/proc/\", \"type\": \"tmpfs\"}],"
    " \"linux\": {\"maskedPaths\": [\"/proc/kcore\"]}}",
    false, "mount mask",
    "mount proc proc on /proc flags=0 data= propagation=0\n"
    "mount tmpfs tmpfs on /proc/ flags=0 data= propagation=0\n"
    "mask /proc/kcore\n",
    false },
  { "the last proc mount is kept",
    "{\"mounts\": [" PROC ", {\"destination\": \"/x/proc\", \"type\": \"proc\"}],"
    " \"linux\": {\"maskedPaths\": [\"/proc/kcore\", \"/x/proc/kcore\"]}}",
    false, "mount mask",
    "mount proc proc on /proc flags=0 data= propagation=0\n"
    "mount proc proc on /x/proc flags=0 data= propagation=0 (procfs kept)\n"
    "mask /proc/kcore\n"
    "mask /x/proc/kcore below the procfs: kcore\n",
    false },
  { "a hidden last proc mount keeps none, not an earlier one",
    "{\"mounts\": [" PROC ", {\"destination\": \"/x/proc\", \"type\": \"proc\"},"
    " {\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"/srv\"}]}",
    false, "mount bind",
    "mount proc proc on /proc flags=0 data= propagation=0\n"
    "mount proc proc on /x/proc flags=0 data= propagation=0\n"
    "bind /srv on /x flags=0x1000 remount=0 propagation=0\n",
    false },

  /* sysctls */
  { "a dotted and a slashed key, each with its namespace",
    "{\"mounts\": [" PROC "], \"linux\": {\"namespaces\": [{\"type\": \"network\"},"
    " {\"type\": \"ipc\", \"path\": \"/proc/1/ns/ipc\"}, {\"type\": \"uts\"}],"
    " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"net/ipv4/conf/eth0.100/forwarding\": "
    "\"0\", \"kernel.shmmni\": \"1000\", \"fs.mqueue.msg_max\": \"20\", "
    "\"kernel.hostname\": \"c\"}}}",
    false, "pivot_root sysctl",
    "pivot_root\n"
    "sysctl sys/net/ipv4/ip_forward = 1\n"
    "sysctl sys/net/ipv4/conf/eth0.100/forwarding = 0\n"
    "sysctl sys/kernel/shmmni = 1000\n"
    "sysctl sys/fs/mqueue/msg_max = 20\n"
    "sysctl sys/kernel/hostname = c\n",
    false },
  { "a key of no namespace", SYSCTL_NS ("network", "fs.file-max"), false, NULL,
    "linux.sysctl: `fs.file-max` is not namespaced: setting it in a container would change the "
    "host",
    true },
  { "a net key without a network namespace", SYSCTL_NS ("ipc", "net.ipv4.ip_forward"), false, NULL,
    "linux.sysctl: `net.ipv4.ip_forward` needs its own network namespace: add {\"type\": "
    "\"network\"} to linux.namespaces",
    true },
  { "an ipc key without an ipc namespace", SYSCTL_NS ("network", "kernel.msgmax"), false, NULL,
    "linux.sysctl: `kernel.msgmax` needs its own ipc namespace: add {\"type\": \"ipc\"}", true },
  { "a uts key without a uts namespace", SYSCTL_NS ("network", "kernel.domainname"), false, NULL,
    "linux.sysctl: `kernel.domainname` needs its own uts namespace: add {\"type\": \"uts\"}",
    true },
  { "a key that starts with a slash", SYSCTL_NS ("network", "/net/ipv4/ip_forward"), false, NULL,
    "linux.sysctl: `/net/ipv4/ip_forward` is not a valid sysctl name", true },
  { "a key that starts with a dot", SYSCTL_NS ("network", ".net.ipv4"), false, NULL,
    "linux.sysctl: `.net.ipv4` is not a valid sysctl name", true },
  { "a key with an empty component", SYSCTL_NS ("network", "net..ipv4"), false, NULL,
    "linux.sysctl: `net..ipv4` is not a valid sysctl name", true },
  { "a key that climbs out of sys", SYSCTL_NS ("network", "net/../../kcore"), false, NULL,
    "linux.sysctl: `net/../../kcore` is not a valid sysctl name", true },
  { "a key that ends in ..", SYSCTL_NS ("network", "net/.."), false, NULL,
    "linux.sysctl: `net/..` is not a valid sysctl name", true },
  { "an empty key", SYSCTL_NS ("network", ""), false, NULL,
    "linux.sysctl: `` is not a valid sysctl name", true },
  { "sysctls without a proc mount",
    "{\"linux\": {\"namespaces\": [{\"type\": \"network\"}],"
    " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}",
    false, NULL,
    "linux.sysctl needs /proc mounted: add a mount of type proc on /proc to set sysctls", true },
  { "sysctls with the kept procfs elsewhere",
    "{\"mounts\": [" PROC ", {\"destination\": \"/x/proc\", \"type\": \"proc\"}],"
    " \"linux\": {\"namespaces\": [{\"type\": \"network\"}],"
    " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}",
    false, NULL, "linux.sysctl needs /proc mounted", true },
  { "sysctls with the procfs hidden",
    "{\"mounts\": [" PROC ", {\"destination\": \"/proc\", \"type\": \"tmpfs\"}],"
    " \"linux\": {\"namespaces\": [{\"type\": \"network\"}],"
    " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}",
    false, NULL, "linux.sysctl needs /proc mounted", true },
  { "a key's error comes before the missing /proc",
    "{\"linux\": {\"namespaces\": [{\"type\": \"network\"}], \"sysctl\": {\"fs.file-max\": "
    "\"1\"}}}",
    false, NULL, "linux.sysctl: `fs.file-max` is not namespaced", true },
};

/* Keep the lines of text whose first word is in `only` (space-separated). */
static char *
filter_lines (const char *text, const char *only)
{
  size_t len = strlen (text);
  char *out = malloc (len + 1);
  size_t n = 0;

  if (out == NULL)
    abort ();
  for (const char *line = text; *line;)
    {
      const char *end = strchr (line, '\n');
      size_t word = strcspn (line, " \n"),
             line_len = end ? (size_t) (end - line + 1) : strlen (line);
      bool keep = false;

      for (const char *w = only; *w; w += strcspn (w, " "), w += strspn (w, " "))
        if (strcspn (w, " ") == word && strncmp (w, line, word) == 0)
          keep = true;
      if (keep)
        {
          memcpy (out + n, line, line_len);
          n += line_len;
        }
      line += line_len;
    }
  out[n] = '\0';
  return out;
}

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
          printf ("not ok - %s: the spec does not parse: %s\n", c->name, err.msg);
          failures++;
          continue;
        }
      r = rootfs_plan_build (spec, c->userns, false, &plan, &err);
      if (c->fails)
        {
          if (r == 0)
            rootfs_plan_free (&plan);
          report (c->name, r < 0 && strstr (err.msg, c->expect), "error \"%s\", expected \"%s\"",
                  r < 0 ? err.msg : "(none)", c->expect);
        }
      else if (r < 0)
        report (c->name, false, "error \"%s\"", err.msg);
      else
        {
          char *text = rootfs_plan_describe (&plan);
          char *got = c->only ? filter_lines (text, c->only) : text;

          report (c->name, strcmp (got, c->expect) == 0, "plan\n%sexpected\n%s", got, c->expect);
          if (got != text)
            free (got);
          free (text);
          rootfs_plan_free (&plan);
        }
      oci_spec_free (spec);
    }
}

/* linux.devices that the parser already refuses: the plan refuses them in
 * the same words as before, whoever made the spec. */
static void
test_device_errors (void)
{
  static const char *const json
      = "{\"linux\": {\"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, "
        "\"minor\": 229}]}}";
  static const struct
  {
    const char *name;
    char type;
    bool drop_minor;
    const char *path;
    const char *expect;
  } errors[] = {
    { "a device of unknown type", 'x', false, NULL,
      "linux.devices: `/dev/fuse` has unknown type `x` (use c, u, b or p)" },
    { "a device without a minor number", 'c', true, NULL,
      "linux.devices: `/dev/fuse` needs major and minor numbers" },
    { "a device at a relative path", 'c', false, "dev/fuse",
      "linux.devices: path `dev/fuse` must be absolute" },
  };

  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
    {
      struct oci_spec *spec = NULL;
      struct rootfs_plan plan;
      tong_error err = { 0 };
      struct oci_device *d;
      int r;

      if (oci_spec_parse (json, strlen (json), OCI_PARSE_ANY, &spec, &err) < 0)
        {
          report (errors[i].name, false, "the spec does not parse: %s", err.msg);
          continue;
        }
      d = &spec->linux_->devices[0];
      d->type = errors[i].type;
      d->has_minor = !errors[i].drop_minor;
      if (errors[i].path)
        {
          free (d->path);
          d->path = strdup (errors[i].path);
        }
      r = rootfs_plan_build (spec, false, false, &plan, &err);
      if (r == 0)
        rootfs_plan_free (&plan);
      report (errors[i].name, r < 0 && strcmp (err.msg, errors[i].expect) == 0,
              "error \"%s\", expected \"%s\"", r < 0 ? err.msg : "(none)", errors[i].expect);
      oci_spec_free (spec);
    }
}

/* On a cgroup v1 host a "cgroup" mount is the tree of the container's v1
 * cgroups (its options kept); an explicit cgroup2 stays one. */
static void
test_cgroup_tree (void)
{
  static const char json[]
      = "{\"mounts\": [{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": "
        "\"cgroup\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
        " {\"destination\": \"/cg2\", \"type\": \"cgroup2\", \"source\": \"cgroup2\"}]}";
  struct oci_spec *spec = NULL;
  struct rootfs_plan plan;
  tong_error err = { 0 };
  char *text = NULL;

  if (oci_spec_parse (json, strlen (json), OCI_PARSE_ANY, &spec, &err) < 0
      || rootfs_plan_build (spec, false, true, &plan, &err) < 0)
    {
      report ("cgroup tree on a v1 host", false, "%s", err.msg);
      oci_spec_free (spec);
      return;
    }
  text = rootfs_plan_describe (&plan);
  report ("cgroup tree on a v1 host",
          strstr (text, "cgroup-tree on /sys/fs/cgroup flags=0xf\n")
              && strstr (text, "mount cgroup2 cgroup2 on /cg2"),
          "plan:\n%s", text);
  free (text);
  rootfs_plan_free (&plan);
  oci_spec_free (spec);
}

int
main (void)
{
  test_cases ();
  test_device_errors ();
  test_cgroup_tree ();
  if (failures)
    {
      fprintf (stderr, "test-rootfs-plan: %d failures\n", failures);
      return 1;
    }
  printf ("test-rootfs-plan: ok\n");
  return 0;
}
