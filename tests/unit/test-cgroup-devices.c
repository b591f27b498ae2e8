/* Unit tests of the device filter: the program assembled from the rules is
 * run here by a small interpreter of the eBPF instructions it uses, for
 * device requests, so the rule semantics are checked without root. */
#include <string.h>

#include "oci/config.h"
#include "src/cgroups/devices-bpf.h"
#include "tests/unit/check.h"

/* Run prog on one request; -1 for an instruction the interpreter does not know. */
static int
run (const struct device_program *p, int type, unsigned access, unsigned major, unsigned minor)
{
  struct bpf_cgroup_dev_ctx ctx = { (access << 16) | (unsigned) type, major, minor };
  uint64_t reg[11] = { 0 };
  size_t pc = 0;

  for (int steps = 0; pc < p->len && steps < 100000; steps++)
    {
      const struct bpf_insn *i = &p->insns[pc++];
      int64_t imm = i->imm;
      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W:
          if (i->src_reg != 1)
            return -1;
          {
            uint32_t v;
            memcpy (&v, (char *) &ctx + i->off, sizeof v);
            reg[i->dst_reg] = v;
          }
          break;
        case BPF_ALU64 | BPF_MOV | BPF_X:
          reg[i->dst_reg] = reg[i->src_reg];
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          reg[i->dst_reg] = (uint64_t) imm;
          break;
        case BPF_ALU64 | BPF_AND | BPF_K:
          reg[i->dst_reg] &= (uint64_t) imm;
          break;
        case BPF_ALU64 | BPF_RSH | BPF_K:
          reg[i->dst_reg] >>= imm;
          break;
        case BPF_JMP | BPF_JNE | BPF_K:
          if (reg[i->dst_reg] != (uint64_t) imm)
            pc += (size_t) i->off;
          break;
        case BPF_JMP | BPF_JEQ | BPF_K:
          if (reg[i->dst_reg] == (uint64_t) imm)
            pc += (size_t) i->off;
          break;
        case BPF_JMP | BPF_EXIT:
          return (int) reg[0];
        default:
          return -1;
        }
    }
  return -1;
}

static struct device_program prog;

static void
build (const char *json)
{
  struct oci_resources *r = NULL;
  tong_error err = { 0 };
  struct oci_device tun = { .type = 'c',
                            .path = "/dev/net/tun",
                            .has_major = true,
                            .has_minor = true,
                            .major = 10,
                            .minor = 200 };

  devices_program_free (&prog);
  CHECK (oci_resources_parse (json, strlen (json), "r", &r, &err) == 0);
  if (r)
    CHECK (devices_program_build (r->devices, r->devices_len, &tun, 1, &prog, &err) == 0);
  oci_resources_free (r);
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void
test_devices_no_deny_no_program (void)
{
  build ("{}");
  CHECK (!prog.needed && prog.len == 0);
  build ("{\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3}]}");
  CHECK (!prog.needed);
}

static void
test_devices_deny_all_keeps_the_defaults (void)
{
  build ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}");
  CHECK (prog.needed);
  CHECK (run (&prog, C, R | W, 1, 3) == 1);   /* /dev/null */
  CHECK (run (&prog, C, R, 1, 9) == 1);       /* /dev/urandom */
  CHECK (run (&prog, C, R | W, 136, 7) == 1); /* /dev/pts/7 */
  CHECK (run (&prog, C, R | W, 5, 2) == 1);   /* /dev/ptmx */
  CHECK (run (&prog, C, M, 42, 42) == 1);     /* mknod of anything */
  CHECK (run (&prog, B, M, 8, 0) == 1);
  CHECK (run (&prog, C, R, 10, 200) == 1);  /* linux.devices */
  CHECK (run (&prog, B, R, 8, 0) == 0);     /* /dev/sda */
  CHECK (run (&prog, C, R, 1, 11) == 0);    /* /dev/kmsg */
  CHECK (run (&prog, C, R | W, 1, 4) == 0); /* /dev/port */
}

static void
test_devices_last_rule_wins (void)
{
  build ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
         "{\"allow\":true,\"type\":\"c\",\"major\":4,\"access\":\"r\"},"
         "{\"allow\":false,\"type\":\"c\",\"major\":4,\"minor\":2,\"access\":\"rw\"}]}");
  CHECK (run (&prog, C, R, 4, 1) == 1);
  CHECK (run (&prog, C, W, 4, 1) == 0);     /* only r allowed */
  CHECK (run (&prog, C, R | W, 4, 1) == 0); /* a request must be allowed in full */
  CHECK (run (&prog, C, R, 4, 2) == 0);     /* denied by the later rule */
  CHECK (run (&prog, B, R, 4, 1) == 0);     /* type b: not the allow rule */
}

static void
test_devices_deny_one_access (void)
{
  /* No deny-all: everything else stays allowed, as in cgroup v1. */
  build (
      "{\"devices\":[{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"w\"}]}");
  CHECK (prog.needed);
  CHECK (run (&prog, B, R, 8, 0) == 1);
  CHECK (run (&prog, B, W, 8, 0) == 0);
  CHECK (run (&prog, B, R | W, 8, 0) == 0); /* any denied access refuses the request */
  CHECK (run (&prog, B, R | W, 8, 1) == 1);
  CHECK (run (&prog, C, R | W, 4, 4) == 1);
}

static void
test_devices_wildcards (void)
{
  build ("{\"devices\":[{\"allow\":false},{\"allow\":true,\"type\":\"a\",\"minor\":7}]}");
  CHECK (run (&prog, C, R | W | M, 99, 7) == 1);
  CHECK (run (&prog, B, R, 99, 7) == 1);
  CHECK (run (&prog, B, R, 99, 6) == 0);
  devices_program_free (&prog);
}

int
main (void)
{
  RUN (test_devices_no_deny_no_program);
  RUN (test_devices_deny_all_keeps_the_defaults);
  RUN (test_devices_last_rule_wins);
  RUN (test_devices_deny_one_access);
  RUN (test_devices_wildcards);
  return failures ? 1 : 0;
}
