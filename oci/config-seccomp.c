/* linux.seccomp: names are checked and comparison operators resolved here;
 * building the filter is the runtime's job. */
#include "oci/json.h"

#include <seccomp.h>

#include "src/base/util.h"

static const struct jenum_item action_items[] = {
  { "SCMP_ACT_KILL", 0 },  { "SCMP_ACT_KILL_PROCESS", 0 }, { "SCMP_ACT_KILL_THREAD", 0 },
  { "SCMP_ACT_TRAP", 0 },  { "SCMP_ACT_ERRNO", 0 },        { "SCMP_ACT_TRACE", 0 },
  { "SCMP_ACT_ALLOW", 0 }, { "SCMP_ACT_LOG", 0 },          { "SCMP_ACT_NOTIFY", 0 },
};
static const struct jenum action_enum
    = { "seccomp action", action_items, ARRAY_SIZE (action_items) };

static const struct jenum_item op_items[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};
static const struct jenum op_enum = { "seccomp operator", op_items, ARRAY_SIZE (op_items) };

static const struct jenum_item arch_items[] = {
  { "SCMP_ARCH_X86", 0 },      { "SCMP_ARCH_X86_64", 0 },      { "SCMP_ARCH_X32", 0 },
  { "SCMP_ARCH_ARM", 0 },      { "SCMP_ARCH_AARCH64", 0 },     { "SCMP_ARCH_MIPS", 0 },
  { "SCMP_ARCH_MIPS64", 0 },   { "SCMP_ARCH_MIPS64N32", 0 },   { "SCMP_ARCH_MIPSEL", 0 },
  { "SCMP_ARCH_MIPSEL64", 0 }, { "SCMP_ARCH_MIPSEL64N32", 0 }, { "SCMP_ARCH_PPC", 0 },
  { "SCMP_ARCH_PPC64", 0 },    { "SCMP_ARCH_PPC64LE", 0 },     { "SCMP_ARCH_S390", 0 },
  { "SCMP_ARCH_S390X", 0 },    { "SCMP_ARCH_PARISC", 0 },      { "SCMP_ARCH_PARISC64", 0 },
  { "SCMP_ARCH_RISCV64", 0 },  { "SCMP_ARCH_LOONGARCH64", 0 }, { "SCMP_ARCH_M68K", 0 },
  { "SCMP_ARCH_SH", 0 },       { "SCMP_ARCH_SHEB", 0 },
};
static const struct jenum arch_enum
    = { "seccomp architecture", arch_items, ARRAY_SIZE (arch_items) };

static const struct jenum_item flag_items[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", 0 },
  { "SECCOMP_FILTER_FLAG_LOG", 0 },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 0 },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 0 },
};
static const struct jenum flag_enum = { "seccomp flag", flag_items, ARRAY_SIZE (flag_items) };

static int
check_names (struct jctx *c, const char *key, char **names, const struct jenum *e)
{
  int num;

  for (size_t i = 0; names && names[i]; i++)
    if (!jenum_lookup (e, names[i], &num))
      {
        jpath_push_key (c, key);
        jpath_push_index (c, i);
        return jerr (c, "unknown %s \"%.100s\"", e->noun, names[i]);
      }
  return 0;
}

static const struct jfield arg_fields[] = {
  F_NUM ("index", J_U32, struct oci_seccomp_arg, index, unsigned int, J_REQUIRED),
  F_NUM ("value", J_U64, struct oci_seccomp_arg, value, uint64_t, J_REQUIRED),
  F_NUM ("valueTwo", J_U64, struct oci_seccomp_arg, value_two, uint64_t, J_OPTIONAL),
  F_ENUM ("op", struct oci_seccomp_arg, op, op_num, op_enum, J_REQUIRED),
};

static int
check_arg (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_seccomp_arg *a = obj;

  /* A system call has six arguments. */
  if (a->index > 5)
    {
      jpath_push_key (c, "index");
      return jerr (c, "%u is out of range 0 to 5", a->index);
    }
  return 0;
}
static const struct jtype arg_type = JTYPE (arg_fields, check_arg);

static int
check_syscall (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_seccomp_syscall *s = obj;

  if (s->names[0] == NULL)
    {
      jpath_push_key (c, "names");
      return jerr (c, "must name at least one system call");
    }
  return 0;
}

static const struct jfield syscall_fields[] = {
  F_STRV ("names", struct oci_seccomp_syscall, names, J_REQUIRED),
  F_ENUMS ("action", struct oci_seccomp_syscall, action, action_enum, J_REQUIRED),
  F_NUMH ("errnoRet", J_U32, struct oci_seccomp_syscall, errno_ret, uint32_t, has_errno_ret),
  F_ARRAY ("args", struct oci_seccomp_syscall, args, args_len, struct oci_seccomp_arg, arg_type,
           J_OPTIONAL),
};
static const struct jtype syscall_type = JTYPE (syscall_fields, check_syscall);

static int
check_seccomp (struct jctx *c, yajl_val v, void *obj)
{
  const struct oci_seccomp *s = obj;
  int r;

  r = check_names (c, "architectures", s->architectures, &arch_enum);
  if (r < 0)
    return r;
  return check_names (c, "flags", s->flags, &flag_enum);
}

static const struct jfield seccomp_fields[] = {
  F_ENUMS ("defaultAction", struct oci_seccomp, default_action, action_enum, J_REQUIRED),
  F_NUMH ("defaultErrnoRet", J_U32, struct oci_seccomp, default_errno_ret, uint32_t,
          has_default_errno_ret),
  F_STRV ("architectures", struct oci_seccomp, architectures, J_OPTIONAL),
  F_STRV ("flags", struct oci_seccomp, flags, J_OPTIONAL),
  F_STR ("listenerPath", struct oci_seccomp, listener_path, J_OPTIONAL),
  F_STR ("listenerMetadata", struct oci_seccomp, listener_metadata, J_OPTIONAL),
  F_ARRAY ("syscalls", struct oci_seccomp, syscalls, syscalls_len, struct oci_seccomp_syscall,
           syscall_type, J_OPTIONAL),
};
const struct jtype oci_seccomp_type = JTYPE (seccomp_fields, check_seccomp);
