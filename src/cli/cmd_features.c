/* tong features: the runtime-spec "features" document (features.md), which
 * tells a caller such as containerd what this runtime implements.  It must be
 * truthful: it describes what tong applies, not what the host offers. */
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "src/cgroups/hierarchy.h"
#include "src/process/caps.h"
#include "src/namespaces/mount-options.h"
#include "src/base/util.h"

/* What the runtime implements.  Flip a flag here, and nowhere else, when the
 * code behind it lands: a feature reported here is one that callers will use. */
static const struct
{
  bool cgroup_v1;           /* cgroup v1 manager */
  bool cgroup_v2;           /* cgroup v2 manager (cgroupfs driver) */
  bool cgroup_systemd;      /* system-wide systemd cgroup driver */
  bool cgroup_systemd_user; /* user-scoped systemd cgroup driver */
  bool cgroup_rdma;         /* the rdma controller */
  bool seccomp;             /* linux.seccomp, with the names in seccomp_* below */
  bool apparmor;            /* process.apparmorProfile (when the host has AppArmor) */
  bool selinux;             /* process.selinuxLabel, linux.mountLabel (with SELinux) */
  bool intel_rdt;           /* linux.intelRdt */
  bool idmap_mounts;        /* uidMappings/gidMappings on mounts */
} tong_features = {
  .cgroup_v1 = true,
  .cgroup_v2 = true,
  .cgroup_systemd = true,
  .cgroup_systemd_user = false,
  .cgroup_rdma = true,
  .seccomp = true,
  .apparmor = true,
  .selinux = true,
  .intel_rdt = false,
  .idmap_mounts = true,
};

#define FEATURES_OCI_VERSION_MIN "1.0.0"
#define FEATURES_OCI_VERSION_MAX "1.2.0"

static const char *const hook_phases[] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL,
};

/* Every option the rootfs code understands, in the order of its table
 * (src/namespaces/mount-options.c): keep the two in step. */
/* The namespace types config.json may name (enum oci_ns_type), sorted. */
static const char *const namespace_types[] = {
  "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL,
};

/* Reported only once the seccomp flag above is on: the names the seccomp code
 * must then accept in linux.seccomp. */
static const char *const seccomp_actions[] = {
  "SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO",
  "SCMP_ACT_KILL",        "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY",      "SCMP_ACT_TRACE",
  "SCMP_ACT_TRAP",        NULL,
};
static const char *const seccomp_operators[] = {
  "SCMP_CMP_EQ", "SCMP_CMP_GE",        "SCMP_CMP_GT", "SCMP_CMP_LE",
  "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};
static const char *const seccomp_archs[] = {
  "SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",         "SCMP_ARCH_MIPS",
  "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_RISCV64",
  "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",       "SCMP_ARCH_X32",
  "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      NULL,
};

static void
json_gen_freep (yajl_gen *gen)
{
  if (*gen)
    yajl_gen_free (*gen);
}

/* The generator with its first failure remembered; checked once at the end. */
struct features_writer
{
  yajl_gen gen;
  yajl_gen_status status;
};

static void
fw_check (struct features_writer *w, yajl_gen_status s)
{
  if (w->status == yajl_gen_status_ok)
    w->status = s;
}

static void
fw_string (struct features_writer *w, const char *s)
{
  fw_check (w, yajl_gen_string (w->gen, (const unsigned char *) s, strlen (s)));
}

static void
fw_key_string (struct features_writer *w, const char *key, const char *value)
{
  fw_string (w, key);
  fw_string (w, value);
}

static void
fw_key_bool (struct features_writer *w, const char *key, bool value)
{
  fw_string (w, key);
  fw_check (w, yajl_gen_bool (w->gen, value));
}

static void
fw_key_open_map (struct features_writer *w, const char *key)
{
  fw_string (w, key);
  fw_check (w, yajl_gen_map_open (w->gen));
}

static void
fw_map_close (struct features_writer *w)
{
  fw_check (w, yajl_gen_map_close (w->gen));
}

static void
fw_key_strv (struct features_writer *w, const char *key, const char *const *v)
{
  fw_string (w, key);
  fw_check (w, yajl_gen_array_open (w->gen));
  for (; *v; v++)
    fw_string (w, *v);
  fw_check (w, yajl_gen_array_close (w->gen));
}

static void
fw_key_enabled (struct features_writer *w, const char *key, bool enabled)
{
  fw_key_open_map (w, key);
  fw_key_bool (w, "enabled", enabled);
  fw_map_close (w);
}

/* The capability names process.capabilities accepts: caps.c's table, so the
 * list cannot drift from what the parser recognises. */
static void
fw_capabilities (struct features_writer *w)
{
  const char *name;

  fw_string (w, "capabilities");
  fw_check (w, yajl_gen_array_open (w->gen));
  for (int cap = 0; (name = caps_name (cap)) != NULL; cap++)
    fw_string (w, name);
  fw_check (w, yajl_gen_array_close (w->gen));
}

static void
fw_linux (struct features_writer *w)
{
  fw_key_open_map (w, "linux");
  fw_key_strv (w, "namespaces", namespace_types);
  fw_capabilities (w);

  fw_key_open_map (w, "cgroup");
  fw_key_bool (w, "v1", tong_features.cgroup_v1);
  fw_key_bool (w, "v2", tong_features.cgroup_v2);
  fw_key_bool (w, "systemd", tong_features.cgroup_systemd);
  fw_key_bool (w, "systemdUser", tong_features.cgroup_systemd_user);
  fw_key_bool (w, "rdma", tong_features.cgroup_rdma);
  fw_map_close (w);

  fw_key_open_map (w, "seccomp");
  fw_key_bool (w, "enabled", tong_features.seccomp);
  if (tong_features.seccomp)
    {
      fw_key_strv (w, "actions", seccomp_actions);
      fw_key_strv (w, "operators", seccomp_operators);
      fw_key_strv (w, "archs", seccomp_archs);
    }
  fw_map_close (w);

  fw_key_enabled (w, "apparmor", tong_features.apparmor);
  fw_key_enabled (w, "selinux", tong_features.selinux);
  fw_key_enabled (w, "intelRdt", tong_features.intel_rdt);

  fw_key_open_map (w, "mountExtensions");
  fw_key_enabled (w, "idmap", tong_features.idmap_mounts);
  fw_map_close (w);

  fw_map_close (w);
}

static int
features_print (tong_error *err)
{
  __attribute__ ((cleanup (json_gen_freep))) yajl_gen gen = yajl_gen_alloc (NULL);
  struct features_writer w = { .gen = gen, .status = yajl_gen_status_ok };
  const unsigned char *buf;
  size_t len;
  int r;

  if (!gen)
    return tong_err (err, ENOMEM, "allocate JSON generator");
  /* Four spaces, as `runc features` prints it. */
  yajl_gen_config (w.gen, yajl_gen_beautify, 1);
  yajl_gen_config (w.gen, yajl_gen_indent_string, "    ");

  fw_check (&w, yajl_gen_map_open (w.gen));
  fw_key_string (&w, "ociVersionMin", FEATURES_OCI_VERSION_MIN);
  fw_key_string (&w, "ociVersionMax", FEATURES_OCI_VERSION_MAX);
  fw_key_strv (&w, "hooks", hook_phases);
  fw_string (&w, "mountOptions");
  fw_check (&w, yajl_gen_array_open (w.gen));
  for (size_t i = 0; mount_option_name (i); i++)
    fw_string (&w, mount_option_name (i));
  fw_check (&w, yajl_gen_array_close (w.gen));
  fw_linux (&w);
  /* What this host is, beside what tong can do: the cgroup mode decides
   * the driver (docs/cgroups.md). */
  fw_key_open_map (&w, "annotations");
  fw_key_string (&w, "org.tong.cgroup.mode", cgroup_mode_name (cgroup_host_get ()->mode));
  fw_map_close (&w);
  fw_map_close (&w);

  if (w.status == yajl_gen_status_ok)
    w.status = yajl_gen_get_buf (w.gen, &buf, &len);
  if (w.status != yajl_gen_status_ok)
    return tong_err (err, 0, "features: JSON generator error %d", (int) w.status);
  r = write_all (STDOUT_FILENO, buf, len);
  if (r < 0)
    return tong_err (err, -r, "features: write to stdout");
  return 0;
}

int
cmd_features (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option options[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  optind = 0; /* reinitialise getopt: main.c has parsed the global flags */
  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+h", options, NULL)) != -1)
    {
      switch (c)
        {
        case 'h':
          command_usage ("features");
          return 0;
        default:
          return tong_err (err, 0, "features: unknown flag `%s` (see `tong features --help`)",
                           argv[optind - 1]);
        }
    }
  if (optind < argc)
    return tong_err (err, 0, "features: takes no arguments, got `%s`", argv[optind]);
  return features_print (err);
}
