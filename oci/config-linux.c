/* The "linux" object of config.json, except resources and seccomp. */
#include "oci/json.h"

#include <linux/sched.h> /* CLONE_NEW*, without needing _GNU_SOURCE */
#include <string.h>

#include "src/base/util.h"

/* CLONE_NEWTIME; older glibc headers lack it. */
#define OCI_CLONE_NEWTIME 0x80

static const struct oci_ns_info ns_table[OCI_NS_COUNT] = {
  [OCI_NS_PID] = { "pid", "pid", CLONE_NEWPID },
  [OCI_NS_NETWORK] = { "network", "net", CLONE_NEWNET },
  [OCI_NS_MOUNT] = { "mount", "mnt", CLONE_NEWNS },
  [OCI_NS_IPC] = { "ipc", "ipc", CLONE_NEWIPC },
  [OCI_NS_UTS] = { "uts", "uts", CLONE_NEWUTS },
  [OCI_NS_USER] = { "user", "user", CLONE_NEWUSER },
  [OCI_NS_CGROUP] = { "cgroup", "cgroup", CLONE_NEWCGROUP },
  [OCI_NS_TIME] = { "time", "time", OCI_CLONE_NEWTIME },
};

const struct oci_ns_info *
oci_ns_info (enum oci_ns_type t)
{
  return (unsigned) t < OCI_NS_COUNT ? &ns_table[t] : NULL;
}

const struct oci_namespace *
oci_spec_namespace (const struct oci_spec *s, enum oci_ns_type t)
{
  if (s == NULL || s->linux_ == NULL)
    return NULL;
  for (size_t i = 0; i < s->linux_->namespaces_len; i++)
    if (s->linux_->namespaces[i].type == t)
      return &s->linux_->namespaces[i];
  return NULL;
}

static int
parse_ns_type (struct jctx *c, yajl_val v, void *dst)
{
  if (!YAJL_IS_STRING (v))
    return jerr (c, "expected a string, got %s", jtype_name (v));
  for (int t = 0; t < OCI_NS_COUNT; t++)
    if (strcmp (v->u.string, ns_table[t].name) == 0)
      {
        *(enum oci_ns_type *) dst = (enum oci_ns_type) t;
        return 0;
      }
  return jerr (c, "unknown namespace \"%.100s\"", v->u.string);
}

static const struct jfield namespace_fields[] = {
  F_FUNC ("type", struct oci_namespace, type, parse_ns_type, J_REQUIRED),
  F_STR ("path", struct oci_namespace, path, J_OPTIONAL),
};
static const struct jtype namespace_type = JTYPE (namespace_fields, NULL);

static const struct jfield id_mapping_fields[] = {
  F_NUM ("containerID", J_U32, struct oci_id_mapping, container_id, uint32_t, J_REQUIRED),
  F_NUM ("hostID", J_U32, struct oci_id_mapping, host_id, uint32_t, J_REQUIRED),
  F_NUM ("size", J_U32, struct oci_id_mapping, size, uint32_t, J_REQUIRED),
};
const struct jtype oci_id_mapping_type = JTYPE (id_mapping_fields, NULL);

static const struct jfield time_offset_fields[] = {
  F_NUM ("secs", J_I64, struct oci_time_offset, secs, int64_t, J_OPTIONAL),
  F_NUM ("nanosecs", J_U32, struct oci_time_offset, nanosecs, uint32_t, J_OPTIONAL),
};

static int
check_time_offset (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_time_offset *t = obj;

  if (t->nanosecs >= 1000000000)
    {
      jpath_push_key (c, "nanosecs");
      return jerr (c, "%u is out of range: must be below 1000000000", t->nanosecs);
    }
  return 0;
}
static const struct jtype time_offset_type = JTYPE (time_offset_fields, check_time_offset);

static const struct jfield time_offsets_fields[] = {
  F_INLINEH ("monotonic", struct oci_linux, time_offsets_monotonic, struct oci_time_offset,
             time_offset_type, time_offsets_monotonic.present),
  F_INLINEH ("boottime", struct oci_linux, time_offsets_boottime, struct oci_time_offset,
             time_offset_type, time_offsets_boottime.present),
};
static const struct jtype time_offsets_type = JTYPE (time_offsets_fields, NULL);

static int
parse_device_type (struct jctx *c, yajl_val v, void *dst)
{
  if (!YAJL_IS_STRING (v))
    return jerr (c, "expected a string, got %s", jtype_name (v));
  if (strlen (v->u.string) != 1 || strchr ("cbup", v->u.string[0]) == NULL)
    return jerr (c, "unknown device type \"%.100s\": use c, b, u or p", v->u.string);
  *(char *) dst = v->u.string[0];
  return 0;
}

static int
check_device (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_device *d = obj;

  if (d->type != 'p' && (!d->has_major || !d->has_minor))
    {
      jpath_push_key (c, d->has_major ? "minor" : "major");
      return jerr (c, "required for a device of type %c", d->type);
    }
  if (d->path[0] != '/')
    {
      jpath_push_key (c, "path");
      return jerr (c, "\"%.200s\" is not an absolute path", d->path);
    }
  return 0;
}

static const struct jfield device_fields[] = {
  F_FUNC ("type", struct oci_device, type, parse_device_type, J_REQUIRED),
  F_STR ("path", struct oci_device, path, J_REQUIRED),
  F_NUMH ("major", J_I64, struct oci_device, major, int64_t, has_major),
  F_NUMH ("minor", J_I64, struct oci_device, minor, int64_t, has_minor),
  F_NUMH ("fileMode", J_U32, struct oci_device, file_mode, uint32_t, has_file_mode),
  F_NUMH ("uid", J_U32, struct oci_device, uid, uint32_t, has_uid),
  F_NUMH ("gid", J_U32, struct oci_device, gid, uint32_t, has_gid),
};
static const struct jtype device_type = JTYPE (device_fields, check_device);

static const struct jenum_item personality_items[] = { { "LINUX", 0 }, { "LINUX32", 0 } };
static const struct jenum personality_enum
    = { "personality domain", personality_items, ARRAY_SIZE (personality_items) };

static const struct jfield personality_fields[] = {
  F_ENUMS ("domain", struct oci_personality, domain, personality_enum, J_REQUIRED),
  F_STRV ("flags", struct oci_personality, flags, J_OPTIONAL),
};
static const struct jtype personality_type = JTYPE (personality_fields, NULL);

static const struct jfield intel_rdt_fields[] = {
  F_STR ("closID", struct oci_intel_rdt, clos_id, J_OPTIONAL),
  F_STR ("l3CacheSchema", struct oci_intel_rdt, l3_cache_schema, J_OPTIONAL),
  F_STR ("memBwSchema", struct oci_intel_rdt, mem_bw_schema, J_OPTIONAL),
  F_BOOL ("enableCMT", struct oci_intel_rdt, enable_cmt),
  F_BOOL ("enableMBM", struct oci_intel_rdt, enable_mbm),
};
static const struct jtype intel_rdt_type = JTYPE (intel_rdt_fields, NULL);

static const struct jenum_item mpol_mode_items[] = {
  { "MPOL_DEFAULT", 0 },
  { "MPOL_PREFERRED", 1 },
  { "MPOL_BIND", 2 },
  { "MPOL_INTERLEAVE", 3 },
  { "MPOL_LOCAL", 4 },
  { "MPOL_PREFERRED_MANY", 5 },
  { "MPOL_WEIGHTED_INTERLEAVE", 6 },
};
static const struct jenum mpol_mode_enum
    = { "memory policy mode", mpol_mode_items, ARRAY_SIZE (mpol_mode_items) };
static const struct jenum_item mpol_flag_items[] = {
  { "MPOL_F_NUMA_BALANCING", 0 },
  { "MPOL_F_RELATIVE_NODES", 0 },
  { "MPOL_F_STATIC_NODES", 0 },
};
static const struct jenum mpol_flag_enum
    = { "memory policy flag", mpol_flag_items, ARRAY_SIZE (mpol_flag_items) };

static int
check_memory_policy (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_memory_policy *m = obj;
  int num;

  for (size_t i = 0; m->flags && m->flags[i]; i++)
    if (!jenum_lookup (&mpol_flag_enum, m->flags[i], &num))
      {
        jpath_push_key (c, "flags");
        jpath_push_index (c, i);
        return jerr (c, "unknown memory policy flag \"%.100s\"", m->flags[i]);
      }
  return 0;
}

static const struct jfield memory_policy_fields[] = {
  F_ENUMS ("mode", struct oci_memory_policy, mode, mpol_mode_enum, J_REQUIRED),
  F_STR ("nodes", struct oci_memory_policy, nodes, J_OPTIONAL),
  F_STRV ("flags", struct oci_memory_policy, flags, J_OPTIONAL),
};
static const struct jtype memory_policy_type = JTYPE (memory_policy_fields, check_memory_policy);

/* runtime-spec names four; runc also takes the recursive forms. */
static const struct jenum_item propagation_items[] = {
  { "shared", 0 },  { "slave", 0 },  { "private", 0 },  { "unbindable", 0 },
  { "rshared", 0 }, { "rslave", 0 }, { "rprivate", 0 }, { "runbindable", 0 },
};
static const struct jenum propagation_enum
    = { "rootfs propagation", propagation_items, ARRAY_SIZE (propagation_items) };

static int
check_linux (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_linux *l = obj;
  size_t first[OCI_NS_COUNT];
  bool seen[OCI_NS_COUNT] = { false };

  for (size_t i = 0; i < l->namespaces_len; i++)
    {
      enum oci_ns_type t = l->namespaces[i].type;
      if (seen[t])
        {
          jpath_push_key (c, "namespaces");
          jpath_push_index (c, i);
          return jerr (c, "duplicate namespace \"%s\" (also at index %zu)", ns_table[t].name,
                       first[t]);
        }
      seen[t] = true;
      first[t] = i;
    }
  return 0;
}

static const struct jfield linux_fields[] = {
  F_ARRAY ("namespaces", struct oci_linux, namespaces, namespaces_len, struct oci_namespace,
           namespace_type, J_OPTIONAL),
  F_ARRAY ("uidMappings", struct oci_linux, uid_mappings, uid_mappings_len, struct oci_id_mapping,
           oci_id_mapping_type, J_OPTIONAL),
  F_ARRAY ("gidMappings", struct oci_linux, gid_mappings, gid_mappings_len, struct oci_id_mapping,
           oci_id_mapping_type, J_OPTIONAL),
  { "timeOffsets", J_INLINE, J_OPTIONAL, 0, J_NO_OFF, J_NO_OFF, 0, &time_offsets_type, 0, 0 },
  F_ARRAY ("devices", struct oci_linux, devices, devices_len, struct oci_device, device_type,
           J_OPTIONAL),
  F_STR ("cgroupsPath", struct oci_linux, cgroups_path, J_OPTIONAL),
  F_OBJ ("resources", struct oci_linux, resources, struct oci_resources, oci_resources_type,
         J_OPTIONAL),
  F_MAP ("sysctl", struct oci_linux, sysctl),
  F_OBJ ("seccomp", struct oci_linux, seccomp, struct oci_seccomp, oci_seccomp_type, J_OPTIONAL),
  F_ENUMS ("rootfsPropagation", struct oci_linux, rootfs_propagation, propagation_enum, J_OPTIONAL),
  F_STRV ("maskedPaths", struct oci_linux, masked_paths, J_OPTIONAL),
  F_STRV ("readonlyPaths", struct oci_linux, readonly_paths, J_OPTIONAL),
  F_STR ("mountLabel", struct oci_linux, mount_label, J_OPTIONAL),
  F_OBJ ("personality", struct oci_linux, personality, struct oci_personality, personality_type,
         J_OPTIONAL),
  F_OBJ ("intelRdt", struct oci_linux, intel_rdt, struct oci_intel_rdt, intel_rdt_type, J_OPTIONAL),
  F_OBJ ("memoryPolicy", struct oci_linux, memory_policy, struct oci_memory_policy,
         memory_policy_type, J_OPTIONAL),
};
const struct jtype oci_linux_type = JTYPE (linux_fields, check_linux);
