#include "devices-bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "devices-rules.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

static void
emit (struct device_program *p, struct bpf_insn insn)
{
  p->insns = xrealloc (p->insns, (p->len + 1) * sizeof *p->insns);
  p->insns[p->len++] = insn;
}

#define INSN(c, d, s, o, i)                                                                        \
  ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN (BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define MOV_REG(d, s) INSN (BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i) INSN (BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define AND_IMM(d, i) INSN (BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i)
#define RSH_IMM(d, i) INSN (BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define JNE_IMM(d, i, o) INSN (BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JEQ_IMM(d, i, o) INSN (BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define EXIT() INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers once the context is read: r2 access, r3 type, r4 major, r5 minor. */
static void
emit_rule (struct device_program *p, const struct device_rule *r)
{
  int len = 2; /* r0 = verdict; exit */
  int skip;

  /* The block's length first: each test jumps over the rest of it. */
  if (r->type)
    len += 1;
  if (r->access != DEVICE_ACC_ALL)
    len += 3;
  if (r->major >= 0)
    len += 1;
  if (r->minor >= 0)
    len += 1;
  skip = len - 1;
  if (r->type)
    emit (p, JNE_IMM (3, r->type, skip--));
  /* An allow rule covers a request whose accesses it all allows; a deny
   * rule refuses a request that asks for any access it denies. */
  if (r->access != DEVICE_ACC_ALL)
    {
      emit (p, MOV_REG (6, 2));
      skip--;
      if (r->allow)
        {
          emit (p, AND_IMM (6, (int32_t) (~r->access & DEVICE_ACC_ALL)));
          skip--;
          emit (p, JNE_IMM (6, 0, skip--));
        }
      else
        {
          emit (p, AND_IMM (6, (int32_t) r->access));
          skip--;
          emit (p, JEQ_IMM (6, 0, skip--));
        }
    }
  if (r->major >= 0)
    emit (p, JNE_IMM (4, (int32_t) r->major, skip--));
  if (r->minor >= 0)
    emit (p, JNE_IMM (5, (int32_t) r->minor, skip--));
  emit (p, MOV_IMM (0, r->allow ? 1 : 0));
  emit (p, EXIT ());
}

int
devices_program_build (const struct oci_device_cgroup *rules, size_t n_rules,
                       const struct oci_device *devices, size_t n_devices,
                       struct device_program *prog, tong_error *err)
{
  _cleanup_free_ struct device_rule *all = NULL;
  size_t n = 0;
  int r;

  memset (prog, 0, sizeof *prog);
  r = device_rules_collect (rules, n_rules, devices, n_devices, &all, &n, &prog->needed, err);
  if (r < 0 || !prog->needed)
    return r;

  /* r1 = ctx (struct bpf_cgroup_dev_ctx): access_type = access << 16 | type. */
  emit (prog, LDX_W (2, 1, offsetof (struct bpf_cgroup_dev_ctx, access_type)));
  emit (prog, MOV_REG (3, 2));
  emit (prog, AND_IMM (3, 0xffff));
  emit (prog, RSH_IMM (2, 16));
  emit (prog, LDX_W (4, 1, offsetof (struct bpf_cgroup_dev_ctx, major)));
  emit (prog, LDX_W (5, 1, offsetof (struct bpf_cgroup_dev_ctx, minor)));
  /* The last rule that matches decides: test them from the last. */
  for (size_t i = n; i-- > 0;)
    {
      emit_rule (prog, &all[i]);
      /* A rule for every device and access ends the program: the kernel's
       * verifier refuses code that cannot be reached. */
      if (device_rule_is_all (&all[i]))
        return 0;
    }
  /* No rule matched: allowed, as in cgroup v1 before any rule. */
  emit (prog, MOV_IMM (0, 1));
  emit (prog, EXIT ());
  return 0;
}

void
devices_program_free (struct device_program *prog)
{
  free (prog->insns);
  memset (prog, 0, sizeof *prog);
}

static int
prog_load (const struct device_program *p, tong_error *err)
{
  static char log[8192];
  union bpf_attr attr;
  int fd;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) p->insns;
  attr.insn_cnt = (uint32_t) p->len;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  attr.log_buf = (uint64_t) (uintptr_t) log;
  attr.log_size = sizeof log;
  attr.log_level = 1;
  log[0] = '\0';
  fd = sys_bpf (BPF_PROG_LOAD, &attr, sizeof attr);
  if (fd < 0 && errno == ENOSPC)
    {
      /* The verifier's log did not fit: load again without it. */
      attr.log_buf = 0;
      attr.log_size = 0;
      attr.log_level = 0;
      fd = sys_bpf (BPF_PROG_LOAD, &attr, sizeof attr);
    }
  if (fd < 0)
    {
      int saved = errno;
      log[strcspn (log, "\n")] = '\0';
      errno = saved;
    }
  if (fd < 0)
    return tong_err (err, errno,
                     "linux.resources.devices: load the device filter (eBPF) "
                     "into the kernel%s%.300s",
                     log[0] ? ": " : "", log);
  return fd;
}

/* Ids of the device programs attached to the cgroup. */
static int
prog_query (int cgfd, uint32_t *ids, uint32_t *count, tong_error *err)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = (uint32_t) cgfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
  attr.query.prog_cnt = *count;
  if (sys_bpf (BPF_PROG_QUERY, &attr, sizeof attr) < 0)
    return tong_err (err, errno, "query the cgroup's device filters");
  *count = attr.query.prog_cnt;
  return 0;
}

static int
prog_detach_id (int cgfd, uint32_t id, tong_error *err)
{
  union bpf_attr attr;
  _cleanup_close_ int fd = -1;

  memset (&attr, 0, sizeof attr);
  attr.prog_id = id;
  fd = sys_bpf (BPF_PROG_GET_FD_BY_ID, &attr, sizeof attr);
  if (fd < 0)
    return errno == ENOENT ? 0 : tong_err (err, errno, "open device filter %u", id);
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgfd;
  attr.attach_bpf_fd = (uint32_t) fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf (BPF_PROG_DETACH, &attr, sizeof attr) < 0 && errno != ENOENT)
    return tong_err (err, errno, "detach the old device filter %u", id);
  return 0;
}

int
devices_program_attach (const char *path, const struct device_program *prog, bool replace,
                        tong_error *err)
{
  _cleanup_close_ int cgfd = -1, progfd = -1;
  uint32_t old[64], n_old = ARRAY_SIZE (old);
  union bpf_attr attr;
  int r;

  if (!prog->needed && !replace)
    return 0;
  cgfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgfd < 0)
    return tong_err (err, errno, "open cgroup `%s`", path);
  if (replace)
    {
      r = prog_query (cgfd, old, &n_old, err);
      if (r < 0)
        return r;
    }
  if (prog->needed)
    {
      progfd = prog_load (prog, err);
      if (progfd < 0)
        return progfd;
      memset (&attr, 0, sizeof attr);
      attr.target_fd = (uint32_t) cgfd;
      attr.attach_bpf_fd = (uint32_t) progfd;
      attr.attach_type = BPF_CGROUP_DEVICE;
      attr.attach_flags = BPF_F_ALLOW_MULTI;
      if (sys_bpf (BPF_PROG_ATTACH, &attr, sizeof attr) < 0)
        return tong_err (err, errno, "linux.resources.devices: attach the device filter to `%s`",
                         path);
    }
  /* The new filter is in place before the old ones go: no moment without. */
  for (uint32_t i = 0; replace && i < n_old; i++)
    {
      r = prog_detach_id (cgfd, old[i], err);
      if (r < 0)
        return r;
    }
  return 0;
}
