/* runtime-spec v1.2 config.json for Linux, as typed C structs.
 * oci/config.c fills them from JSON (and validates); nothing here makes syscalls.
 * Optional scalars carry a has_* flag; absent strings are NULL; arrays are
 * (pointer, count) pairs; string lists are NULL-terminated char ** (strv). */
#ifndef TONG_OCI_SPEC_H
#define TONG_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct oci_kv
{
  char *key;
  char *value;
};

struct oci_map /* annotations, sysctl, unified: insertion order kept */
{
  struct oci_kv *items;
  size_t len;
};

struct oci_id_mapping
{
  uint32_t container_id, host_id, size;
};

struct oci_rlimit
{
  char *type;   /* "RLIMIT_NOFILE" */
  int resource; /* resolved RLIMIT_* number */
  uint64_t hard, soft;
};

struct oci_capabilities
{
  char **bounding, **effective, **inheritable, **permitted, **ambient; /* strv or NULL */
};

struct oci_user
{
  uint32_t uid, gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t additional_gids_len;
  char *username; /* windows only in the spec; kept for completeness */
};

struct oci_scheduler
{
  char *policy; /* SCHED_OTHER ... */
  int policy_num;
  bool has_nice, has_priority, has_runtime, has_deadline, has_period;
  int32_t nice, priority;
  uint64_t runtime, deadline, period;
  char **flags; /* strv */
};

struct oci_io_priority
{
  char *class; /* IOPRIO_CLASS_RT|BE|IDLE */
  int class_num;
  int priority;
};

struct oci_process
{
  bool terminal;
  bool has_console_size;
  unsigned int console_height, console_width;
  struct oci_user user;
  char **args;                           /* strv, at least one for create */
  char *command_line;                    /* windows only */
  char **env;                            /* strv */
  char *cwd;                             /* absolute */
  struct oci_capabilities *capabilities; /* NULL: absent */
  struct oci_rlimit *rlimits;
  size_t rlimits_len;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int oom_score_adj;
  char *selinux_label;
  struct oci_io_priority *io_priority; /* NULL: absent */
  struct oci_scheduler *scheduler;     /* NULL: absent */
};

struct oci_root
{
  char *path;
  bool readonly;
};

struct oci_mount
{
  char *destination;
  char *source;
  char *type;
  char **options; /* strv or NULL */
  struct oci_id_mapping *uid_mappings, *gid_mappings;
  size_t uid_mappings_len, gid_mappings_len;
};

struct oci_hook
{
  char *path;
  char **args; /* strv or NULL */
  char **env;  /* strv or NULL */
  bool has_timeout;
  int timeout; /* seconds, > 0 */
};

struct oci_hook_list
{
  struct oci_hook *items;
  size_t len;
};

struct oci_hooks
{
  struct oci_hook_list prestart, create_runtime, create_container, start_container, poststart,
      poststop;
};

enum oci_ns_type
{
  OCI_NS_PID,
  OCI_NS_NETWORK,
  OCI_NS_MOUNT,
  OCI_NS_IPC,
  OCI_NS_UTS,
  OCI_NS_USER,
  OCI_NS_CGROUP,
  OCI_NS_TIME,
  OCI_NS_COUNT
};

struct oci_namespace
{
  enum oci_ns_type type;
  char *path; /* NULL: create a new one */
};

struct oci_time_offset
{
  bool present;
  int64_t secs;
  uint32_t nanosecs;
};

struct oci_device
{
  char type; /* 'c', 'b', 'u', 'p' */
  char *path;
  bool has_major, has_minor, has_file_mode, has_uid, has_gid;
  int64_t major, minor;
  uint32_t file_mode, uid, gid;
};

struct oci_device_cgroup
{
  bool allow;
  char *type; /* "a", "c", "b" or NULL (= all) */
  bool has_major, has_minor;
  int64_t major, minor;
  char *access; /* "rwm" subset or NULL */
};

struct oci_weight_device
{
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
};

struct oci_throttle_device
{
  int64_t major, minor;
  uint64_t rate;
};

struct oci_hugepage_limit
{
  char *page_size;
  uint64_t limit;
};

struct oci_net_priority
{
  char *name;
  uint32_t priority;
};

struct oci_rdma_limit
{
  char *device;
  bool has_hca_handles, has_hca_objects;
  uint32_t hca_handles, hca_objects;
};

struct oci_resources
{
  struct oci_device_cgroup *devices;
  size_t devices_len;
  struct
  {
    bool present;
    bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness,
        has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
    int64_t limit, reservation, swap, kernel, kernel_tcp;
    uint64_t swappiness;
    bool disable_oom_killer, use_hierarchy, check_before_update;
  } memory;
  struct
  {
    bool present;
    bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime, has_realtime_period,
        has_idle;
    uint64_t shares, period, realtime_period, burst;
    int64_t quota, realtime_runtime, idle;
    char *cpus, *mems;
  } cpu;
  struct
  {
    bool present;
    int64_t limit;
  } pids;
  struct
  {
    bool present;
    bool has_weight, has_leaf_weight;
    uint16_t weight, leaf_weight;
    struct oci_weight_device *weight_device;
    size_t weight_device_len;
    struct oci_throttle_device *throttle_read_bps, *throttle_write_bps, *throttle_read_iops,
        *throttle_write_iops;
    size_t throttle_read_bps_len, throttle_write_bps_len, throttle_read_iops_len,
        throttle_write_iops_len;
  } block_io;
  struct oci_hugepage_limit *hugepage_limits;
  size_t hugepage_limits_len;
  struct
  {
    bool present;
    bool has_class_id;
    uint32_t class_id;
    struct oci_net_priority *priorities;
    size_t priorities_len;
  } network;
  struct oci_rdma_limit *rdma;
  size_t rdma_len;
  struct oci_map unified;
};

struct oci_seccomp_arg
{
  unsigned int index;
  uint64_t value, value_two;
  char *op;   /* SCMP_CMP_* */
  int op_num; /* resolved enum scmp_compare value */
};

struct oci_seccomp_syscall
{
  char **names; /* strv, at least one */
  char *action; /* SCMP_ACT_* */
  bool has_errno_ret;
  uint32_t errno_ret;
  struct oci_seccomp_arg *args;
  size_t args_len;
};

struct oci_seccomp
{
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures; /* strv or NULL */
  char **flags;         /* strv or NULL */
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t syscalls_len;
};

struct oci_intel_rdt
{
  char *clos_id, *l3_cache_schema, *mem_bw_schema;
  bool enable_cmt, enable_mbm;
};

struct oci_memory_policy
{
  char *mode; /* MPOL_* */
  char *nodes;
  char **flags; /* strv or NULL */
};

struct oci_personality
{
  char *domain; /* LINUX or LINUX32 */
  char **flags;
};

struct oci_linux
{
  struct oci_namespace *namespaces;
  size_t namespaces_len;
  struct oci_id_mapping *uid_mappings, *gid_mappings;
  size_t uid_mappings_len, gid_mappings_len;
  struct oci_time_offset time_offsets_monotonic, time_offsets_boottime;
  struct oci_device *devices;
  size_t devices_len;
  char *cgroups_path;
  struct oci_resources *resources; /* NULL: absent */
  struct oci_map sysctl;
  struct oci_seccomp *seccomp; /* NULL: absent */
  char *rootfs_propagation;    /* shared, slave, private, unbindable, or NULL */
  char **masked_paths;         /* strv or NULL */
  char **readonly_paths;       /* strv or NULL */
  char *mount_label;
  struct oci_personality *personality;     /* NULL: absent */
  struct oci_intel_rdt *intel_rdt;         /* NULL: absent */
  struct oci_memory_policy *memory_policy; /* NULL: absent */
};

struct oci_spec
{
  char *oci_version;
  struct oci_process *process; /* NULL: absent */
  struct oci_root *root;       /* NULL: absent */
  char *hostname;
  char *domainname;
  struct oci_mount *mounts;
  size_t mounts_len;
  struct oci_hooks *hooks; /* NULL: absent */
  struct oci_map annotations;
  struct oci_linux *linux_; /* NULL: absent ("linux" is a predefined macro in GNU C) */
};

#endif
