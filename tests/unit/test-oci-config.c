/* Unit tests for oci/config.c: prints "ok - name" or "not ok - name: reason" per case. */
#include "oci/config.h"

#include <seccomp.h>
#include <errno.h>
#include <limits.h>
#include <linux/sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "oci/json-tree.h"
#include "src/base/util.h"
#include "tests/unit/check.h"

/* JSON in the tests is written with ' for " to stay readable. */
static char *
dq (const char *s)
{
  char *t = xstrdup (s);
  for (char *p = t; *p; p++)
    if (*p == '\'')
      *p = '"';
  return t;
}

/* A minimal valid config with `extra` members added (a later key wins). */
static char *
config_with (const char *extra)
{
  _cleanup_free_ char *sq = xasprintf (
      "{'ociVersion':'1.2.0','root':{'path':'rootfs'},'process':{'args':['sh'],'cwd':'/'}%s%s}",
      *extra ? "," : "", extra);
  return dq (sq);
}

static const char full_config[]
    = "{'ociVersion':'1.0.2-dev',"
      "'process':{'terminal':true,'consoleSize':{'height':24,'width':80},"
      " 'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[5,6,7]},"
      " 'args':['sh','-c','echo hi'],'env':['PATH=/usr/bin:/bin','TERM=xterm'],'cwd':'/home',"
      " 'capabilities':{'bounding':['CAP_AUDIT_WRITE','CAP_KILL'],'effective':['CAP_KILL'],"
      "  'inheritable':[],'permitted':['CAP_KILL'],'ambient':['CAP_KILL']},"
      " 'rlimits':[{'type':'RLIMIT_NOFILE','hard':1024,'soft':1024},"
      "  {'type':'RLIMIT_CORE','hard':18446744073709551615,'soft':0}],"
      " 'noNewPrivileges':true,'apparmorProfile':'tong-default','oomScoreAdj':-500,"
      " 'selinuxLabel':'system_u:system_r:container_t:s0',"
      " 'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':4},"
      " 'scheduler':{'policy':'SCHED_DEADLINE','nice':-5,'priority':0,"
      "  'flags':['SCHED_FLAG_RESET_ON_FORK'],'runtime':1000,'deadline':2000,'period':3000}},"
      "'root':{'path':'rootfs','readonly':true},"
      "'hostname':'box','domainname':'example.org',"
      "'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
      " {'destination':'/dev','type':'tmpfs','source':'tmpfs',"
      "  'options':['nosuid','strictatime','mode=755','size=65536k']},"
      " {'destination':'/data','type':'bind','source':'/srv','options':['rbind'],"
      "  'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
      "  'gidMappings':[{'containerID':0,'hostID':200000,'size':1}]}],"
      "'hooks':{'prestart':[{'path':'/bin/true'}],"
      " 'createRuntime':[{'path':'/bin/a','args':['a','1'],'env':['X=1'],'timeout':5}],"
      " 'createContainer':[{'path':'/bin/b'},{'path':'/bin/c'}],"
      " 'startContainer':[{'path':'/bin/d'}],'poststart':[{'path':'/bin/e'}],"
      " 'poststop':[{'path':'/bin/f'}]},"
      "'annotations':{'org.example.a':'1','b':'2','org.example.a':'3'},"
      "'linux':{'namespaces':[{'type':'pid'},{'type':'network','path':'/run/netns/x'},"
      "  {'type':'mount'},{'type':'ipc'},{'type':'uts'},{'type':'user'},{'type':'cgroup'},"
      "  {'type':'time'}],"
      " 'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
      " 'gidMappings':[{'containerID':0,'hostID':1000,'size':1},"
      "  {'containerID':1,'hostID':100000,'size':65536}],"
      " 'timeOffsets':{'monotonic':{'secs':-10,'nanosecs':5},'boottime':{'secs':86400}},"
      " 'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438,"
      "  'uid':0,'gid':0},{'path':'/dev/p','type':'p'}],"
      " 'cgroupsPath':'/tong/test',"
      " 'resources':{'devices':[{'allow':false,'access':'rwm'},"
      "   {'allow':true,'type':'c','major':10,'minor':229,'access':'rw'}],"
      "  'memory':{'limit':536870912,'reservation':1,'swap':-1,'kernel':2,'kernelTCP':3,"
      "   'swappiness':60,'disableOOMKiller':true,'useHierarchy':false,'checkBeforeUpdate':true},"
      "  'cpu':{'shares':1024,'quota':-1,'burst':10,'period':100000,'realtimeRuntime':950,"
      "   'realtimePeriod':1000,'cpus':'0-1','mems':'0','idle':1},"
      "  'pids':{'limit':32768},"
      "  "
      "'blockIO':{'weight':100,'leafWeight':10,'weightDevice':[{'major':8,'minor':0,'weight':500}],"
      "   'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':600}],"
      "   'throttleWriteBpsDevice':[{'major':8,'minor':0,'rate':700}],"
      "   'throttleReadIOPSDevice':[{'major':8,'minor':0,'rate':800}],"
      "   'throttleWriteIOPSDevice':[{'major':8,'minor':0,'rate':900}]},"
      "  'hugepageLimits':[{'pageSize':'2MB','limit':209715200}],"
      "  'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500}]},"
      "  'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000}},"
      "  'unified':{'memory.high':'1G','io.weight':'default 100'}},"
      " 'sysctl':{'net.ipv4.ip_forward':'1'},"
      " 'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"
      "  'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'flags':['SECCOMP_FILTER_FLAG_LOG'],"
      "  'listenerPath':'/run/l.sock','listenerMetadata':'m',"
      "  'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
      "   {'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':8,"
      "    'valueTwo':0,'op':'SCMP_CMP_MASKED_EQ'}]},"
      "   {'names':['mkdir'],'action':'SCMP_ACT_ERRNO','errnoRet':38}]},"
      " 'rootfsPropagation':'rslave','maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys'],"
      " 'mountLabel':'system_u:object_r:container_file_t:s0',"
      " 'personality':{'domain':'LINUX32','flags':[]},"
      " 'intelRdt':{'closID':'g','l3CacheSchema':'L3:0=ff','memBwSchema':'MB:0=50',"
      "  'enableCMT':true,'enableMBM':false},"
      " 'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0-1','flags':['MPOL_F_STATIC_NODES']}},"
      "'windows':{'ignored':true},'somethingNew':[1,2,3]}";

#define REQUIRE(cond)                                                                              \
  do                                                                                               \
    {                                                                                              \
      if (!(cond))                                                                                 \
        {                                                                                          \
          report (name, false, "check failed at line %d: %s", __LINE__, #cond);                    \
          return;                                                                                  \
        }                                                                                          \
    }                                                                                              \
  while (0)

static void
test_full (void)
{
  const char *name = "full config: every section parsed";
  _cleanup_free_ char *json = dq (full_config);
  _cleanup_oci_spec_ struct oci_spec *s = NULL;
  tong_error err = { 0 };
  struct oci_process *p;
  struct oci_linux *l;
  struct oci_resources *r;

  if (oci_spec_parse (json, strlen (json), OCI_PARSE_FOR_CREATE, &s, &err) < 0)
    {
      report (name, false, "%s", err.msg);
      return;
    }
  p = s->process;
  REQUIRE (strcmp (s->oci_version, "1.0.2-dev") == 0);
  REQUIRE (p->terminal && p->has_console_size && p->console_height == 24 && p->console_width == 80);
  REQUIRE (p->user.uid == 1000 && p->user.gid == 1001 && p->user.has_umask && p->user.umask == 18);
  REQUIRE (p->user.additional_gids_len == 3 && p->user.additional_gids[2] == 7);
  REQUIRE (strcmp (p->args[2], "echo hi") == 0 && p->args[3] == NULL);
  REQUIRE (strcmp (p->env[1], "TERM=xterm") == 0 && strcmp (p->cwd, "/home") == 0);
  REQUIRE (p->capabilities && p->capabilities->inheritable && !p->capabilities->inheritable[0]);
  REQUIRE (strcmp (p->capabilities->bounding[1], "CAP_KILL") == 0);
  REQUIRE (p->rlimits_len == 2 && p->rlimits[0].resource == RLIMIT_NOFILE);
  REQUIRE (p->rlimits[1].resource == RLIMIT_CORE && p->rlimits[1].hard == UINT64_MAX);
  REQUIRE (p->no_new_privileges && p->has_oom_score_adj && p->oom_score_adj == -500);
  REQUIRE (strcmp (p->apparmor_profile, "tong-default") == 0 && p->selinux_label);
  REQUIRE (p->io_priority->class_num == 2 && p->io_priority->priority == 4);
  REQUIRE (p->scheduler->policy_num == 6 && p->scheduler->has_nice && p->scheduler->nice == -5);
  REQUIRE (p->scheduler->has_period && p->scheduler->period == 3000 && p->scheduler->flags[0]);
  REQUIRE (strcmp (s->root->path, "rootfs") == 0 && s->root->readonly);
  REQUIRE (strcmp (s->hostname, "box") == 0 && strcmp (s->domainname, "example.org") == 0);
  REQUIRE (s->mounts_len == 3 && strcmp (s->mounts[1].options[3], "size=65536k") == 0);
  REQUIRE (s->mounts[2].uid_mappings_len == 1 && s->mounts[2].uid_mappings[0].host_id == 100000);
  REQUIRE (s->mounts[2].gid_mappings[0].host_id == 200000 && s->mounts[0].options == NULL);
  REQUIRE (s->hooks->prestart.len == 1 && s->hooks->create_container.len == 2);
  REQUIRE (s->hooks->create_runtime.items[0].has_timeout);
  REQUIRE (s->hooks->create_runtime.items[0].timeout == 5);
  REQUIRE (strcmp (s->hooks->poststop.items[0].path, "/bin/f") == 0);
  REQUIRE (s->annotations.len == 2);
  REQUIRE (strcmp (oci_map_get (&s->annotations, "org.example.a"), "3") == 0);
  REQUIRE (strcmp (s->annotations.items[0].key, "b") == 0);
  l = s->linux_;
  REQUIRE (l->namespaces_len == 8 && l->namespaces[7].type == OCI_NS_TIME);
  REQUIRE (strcmp (oci_spec_namespace (s, OCI_NS_NETWORK)->path, "/run/netns/x") == 0);
  REQUIRE (l->gid_mappings_len == 2 && l->gid_mappings[1].size == 65536);
  REQUIRE (l->time_offsets_monotonic.present && l->time_offsets_monotonic.secs == -10);
  REQUIRE (l->time_offsets_monotonic.nanosecs == 5 && l->time_offsets_boottime.secs == 86400);
  REQUIRE (l->devices_len == 2 && l->devices[0].type == 'c' && l->devices[0].minor == 229);
  REQUIRE (l->devices[0].has_file_mode && l->devices[0].file_mode == 0666);
  REQUIRE (l->devices[1].type == 'p' && !l->devices[1].has_major);
  REQUIRE (strcmp (l->cgroups_path, "/tong/test") == 0);
  r = l->resources;
  REQUIRE (r->devices_len == 2 && !r->devices[0].allow && r->devices[0].type == NULL);
  REQUIRE (strcmp (r->devices[1].access, "rw") == 0 && r->devices[1].has_major);
  REQUIRE (r->memory.present && r->memory.limit == 536870912 && r->memory.swap == -1);
  REQUIRE (r->memory.has_swappiness && r->memory.swappiness == 60 && r->memory.disable_oom_killer);
  REQUIRE (r->memory.has_use_hierarchy && !r->memory.use_hierarchy);
  REQUIRE (r->cpu.present && r->cpu.quota == -1 && strcmp (r->cpu.cpus, "0-1") == 0);
  REQUIRE (r->cpu.has_idle && r->cpu.idle == 1 && r->cpu.realtime_period == 1000);
  REQUIRE (r->pids.present && r->pids.limit == 32768);
  REQUIRE (r->block_io.present && r->block_io.weight == 100 && r->block_io.weight_device_len == 1);
  REQUIRE (r->block_io.throttle_write_iops[0].rate == 900);
  REQUIRE (r->hugepage_limits_len == 1 && r->hugepage_limits[0].limit == 209715200);
  REQUIRE (r->network.has_class_id && r->network.priorities[0].priority == 500);
  REQUIRE (r->rdma_len == 1 && strcmp (r->rdma[0].device, "mlx5_1") == 0);
  REQUIRE (r->rdma[0].hca_objects == 10000);
  REQUIRE (strcmp (oci_map_get (&r->unified, "io.weight"), "default 100") == 0);
  REQUIRE (strcmp (oci_map_get (&l->sysctl, "net.ipv4.ip_forward"), "1") == 0);
  REQUIRE (l->seccomp->has_default_errno_ret && l->seccomp->syscalls_len == 3);
  REQUIRE (l->seccomp->syscalls[1].args[0].op_num == SCMP_CMP_MASKED_EQ);
  REQUIRE (l->seccomp->syscalls[2].errno_ret == 38 && l->seccomp->architectures[1]);
  REQUIRE (strcmp (l->rootfs_propagation, "rslave") == 0 && l->masked_paths[0]);
  REQUIRE (strcmp (l->personality->domain, "LINUX32") == 0 && l->mount_label);
  REQUIRE (l->intel_rdt->enable_cmt && strcmp (l->intel_rdt->clos_id, "g") == 0);
  REQUIRE (strcmp (l->memory_policy->mode, "MPOL_BIND") == 0);
  report (name, true, " ");
}

struct error_case
{
  const char *name;
  const char *extra;  /* members added to the minimal config, ' for " */
  const char *expect; /* whole message, ' for " */
};

static const struct error_case error_cases[] = {
  /* required for create */
  { "missing ociVersion", "'ociVersion':null", "config.json: ociVersion: required for create" },
  { "missing root", "'root':null", "config.json: root: required for create" },
  { "missing root.path", "'root':{}", "config.json: root.path: required for create" },
  { "missing process", "'process':null", "config.json: process: required for create" },
  { "missing process.args", "'process':{'cwd':'/'}",
    "config.json: process.args: required for create" },
  { "empty process.args", "'process':{'args':[],'cwd':'/'}",
    "config.json: process.args: must name at least the program to run" },
  { "missing process.cwd", "'process':{'args':['sh']}",
    "config.json: process.cwd: required for create" },
  { "relative process.cwd", "'process':{'args':['sh'],'cwd':'home'}",
    "config.json: process.cwd: 'home' is not an absolute path" },
  /* versions */
  { "ociVersion 2.0.0", "'ociVersion':'2.0.0'",
    "config.json: ociVersion: '2.0.0' is not a runtime-spec version 1.x (e.g. '1.2.0')" },
  { "ociVersion 1.0", "'ociVersion':'1.0'",
    "config.json: ociVersion: '1.0' is not a runtime-spec version 1.x (e.g. '1.2.0')" },
  { "ociVersion number", "'ociVersion':1.2",
    "config.json: ociVersion: expected a string, got number" },
  /* type errors */
  { "uid as string", "'process':{'args':['sh'],'cwd':'/','user':{'uid':'0'}}",
    "config.json: process.user.uid: expected an unsigned 32-bit integer, got string" },
  { "uid too large", "'process':{'args':['sh'],'cwd':'/','user':{'uid':4294967296}}",
    "config.json: process.user.uid: expected an unsigned 32-bit integer, got 4294967296" },
  { "gid negative", "'process':{'args':['sh'],'cwd':'/','user':{'gid':-1}}",
    "config.json: process.user.gid: expected an unsigned 32-bit integer, got -1" },
  { "uid fractional", "'process':{'args':['sh'],'cwd':'/','user':{'uid':1.5}}",
    "config.json: process.user.uid: expected an unsigned 32-bit integer, got 1.5" },
  { "uid exponent", "'process':{'args':['sh'],'cwd':'/','user':{'uid':1e3}}",
    "config.json: process.user.uid: expected an unsigned 32-bit integer, got 1e3" },
  { "additionalGids element",
    "'process':{'args':['sh'],'cwd':'/','user':{'additionalGids':[1,true]}}",
    "config.json: process.user.additionalGids[1]: expected an unsigned 32-bit integer, got "
    "boolean" },
  { "terminal as string", "'process':{'args':['sh'],'cwd':'/','terminal':'yes'}",
    "config.json: process.terminal: expected a boolean, got string" },
  { "args as string", "'process':{'args':'sh','cwd':'/'}",
    "config.json: process.args: expected an array of strings, got string" },
  { "args element number", "'process':{'args':['sh',1],'cwd':'/'}",
    "config.json: process.args[1]: expected a string, got number" },
  { "env without =", "'process':{'args':['sh'],'cwd':'/','env':['A=1','B']}",
    "config.json: process.env[1]: 'B' is not of the form NAME=VALUE" },
  { "hostname as object", "'hostname':{}", "config.json: hostname: expected a string, got object" },
  { "mounts as object", "'mounts':{}", "config.json: mounts: expected an array, got object" },
  { "mount as array", "'mounts':[[]]", "config.json: mounts[0]: expected an object, got array" },
  { "mount without destination", "'mounts':[{'destination':'/a'},{'type':'tmpfs'}]",
    "config.json: mounts[1].destination: required" },
  { "root as array", "'root':['rootfs']", "config.json: root: expected an object, got array" },
  { "readonly as number", "'root':{'path':'r','readonly':1}",
    "config.json: root.readonly: expected a boolean, got number" },
  { "annotation value number", "'annotations':{'a':'1','org.x':2}",
    "config.json: annotations['org.x']: expected a string, got number" },
  { "annotations as array", "'annotations':[]",
    "config.json: annotations: expected an object of strings, got array" },
  { "oomScoreAdj range", "'process':{'args':['sh'],'cwd':'/','oomScoreAdj':1001}",
    "config.json: process.oomScoreAdj: 1001 is out of range -1000 to 1000" },
  { "oomScoreAdj int32 overflow", "'process':{'args':['sh'],'cwd':'/','oomScoreAdj':-2147483649}",
    "config.json: process.oomScoreAdj: expected a 32-bit integer, got -2147483649" },
  { "memory limit overflow", "'linux':{'resources':{'memory':{'limit':9223372036854775808}}}",
    "config.json: linux.resources.memory.limit: expected a 64-bit integer, got "
    "9223372036854775808" },
  { "rlimit hard overflow",
    "'process':{'args':['sh'],'cwd':'/"
    "','rlimits':[{'type':'RLIMIT_CPU','hard':18446744073709551616,'soft':1}]}",
    "config.json: process.rlimits[0].hard: expected an unsigned 64-bit integer, got "
    "18446744073709551616" },
  { "blkio weight overflow", "'linux':{'resources':{'blockIO':{'weight':65536}}}",
    "config.json: linux.resources.blockIO.weight: expected an unsigned 16-bit integer, got 65536" },
  { "linux as string", "'linux':'x'", "config.json: linux: expected an object, got string" },
  { "sysctl value bool", "'linux':{'sysctl':{'kernel.shmmax':true}}",
    "config.json: linux.sysctl['kernel.shmmax']: expected a string, got boolean" },
  /* enums */
  { "unknown namespace", "'linux':{'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'nett'}]}",
    "config.json: linux.namespaces[2].type: unknown namespace 'nett'" },
  { "duplicate namespace", "'linux':{'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'pid'}]}",
    "config.json: linux.namespaces[2]: duplicate namespace 'pid' (also at index 0)" },
  { "namespace without type", "'linux':{'namespaces':[{'path':'/x'}]}",
    "config.json: linux.namespaces[0].type: required" },
  { "unknown rlimit",
    "'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_FOO','hard':1,'soft':1}]}",
    "config.json: process.rlimits[0].type: unknown rlimit 'RLIMIT_FOO'" },
  { "rlimit without soft",
    "'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_CPU','hard':1}]}",
    "config.json: process.rlimits[0].soft: required" },
  { "unknown ioprio class",
    "'process':{'args':['sh'],'cwd':'/','ioPriority':{'class':'IOPRIO_CLASS_NONE','priority':0}}",
    "config.json: process.ioPriority.class: unknown I/O priority class 'IOPRIO_CLASS_NONE'" },
  { "ioprio out of range",
    "'process':{'args':['sh'],'cwd':'/','ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}}",
    "config.json: process.ioPriority.priority: 8 is out of range: the priority within a class is 0 "
    "to 7" },
  { "unknown sched policy", "'process':{'args':['sh'],'cwd':'/','scheduler':{'policy':'SCHED_X'}}",
    "config.json: process.scheduler.policy: unknown scheduler policy 'SCHED_X'" },
  { "unknown sched flag",
    "'process':{'args':['sh'],'cwd':'/"
    "','scheduler':{'policy':'SCHED_RR','flags':['SCHED_FLAG_X']}}",
    "config.json: process.scheduler.flags[0]: unknown scheduler flag 'SCHED_FLAG_X'" },
  { "unknown seccomp action", "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_MAYBE'}}",
    "config.json: linux.seccomp.defaultAction: unknown seccomp action 'SCMP_ACT_MAYBE'" },
  { "seccomp without defaultAction", "'linux':{'seccomp':{}}",
    "config.json: linux.seccomp.defaultAction: required" },
  { "unknown seccomp op",
    "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],"
    "'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,'op':'SCMP_CMP_APPROX'}]}]}}",
    "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "
    "'SCMP_CMP_APPROX'" },
  { "seccomp arg index",
    "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],"
    "'action':'SCMP_ACT_ERRNO','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}}",
    "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range 0 to 5" },
  { "seccomp empty names",
    "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],"
    "'action':'SCMP_ACT_LOG'}]}}",
    "config.json: linux.seccomp.syscalls[0].names: must name at least one system call" },
  { "unknown seccomp arch",
    "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_Z80']}}",
    "config.json: linux.seccomp.architectures[0]: unknown seccomp architecture 'SCMP_ARCH_Z80'" },
  { "unknown seccomp flag", "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':['X']}}",
    "config.json: linux.seccomp.flags[0]: unknown seccomp flag 'X'" },
  { "unknown propagation", "'linux':{'rootfsPropagation':'sharing'}",
    "config.json: linux.rootfsPropagation: unknown rootfs propagation 'sharing'" },
  { "unknown device type", "'linux':{'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]}",
    "config.json: linux.devices[0].type: unknown device type 'x': use c, b, u or p" },
  { "char device without major", "'linux':{'devices':[{'path':'/dev/x','type':'c','minor':1}]}",
    "config.json: linux.devices[0].major: required for a device of type c" },
  { "unbuffered device without minor",
    "'linux':{'devices':[{'path':'/dev/x','type':'u','major':1}]}",
    "config.json: linux.devices[0].minor: required for a device of type u" },
  { "cgroup device type", "'linux':{'resources':{'devices':[{'allow':true,'type':'p'}]}}",
    "config.json: linux.resources.devices[0].type: unknown device type 'p'" },
  { "cgroup device access", "'linux':{'resources':{'devices':[{'allow':true,'access':'rwx'}]}}",
    "config.json: linux.resources.devices[0].access: 'rwx' is not a combination of r, w and m" },
  { "cgroup device without allow", "'linux':{'resources':{'devices':[{'access':'r'}]}}",
    "config.json: linux.resources.devices[0].allow: required" },
  { "unknown personality", "'linux':{'personality':{'domain':'BSD'}}",
    "config.json: linux.personality.domain: unknown personality domain 'BSD'" },
  { "unknown mpol mode", "'linux':{'memoryPolicy':{'mode':'MPOL_ANY'}}",
    "config.json: linux.memoryPolicy.mode: unknown memory policy mode 'MPOL_ANY'" },
  { "unknown mpol flag", "'linux':{'memoryPolicy':{'mode':'MPOL_LOCAL','flags':['MPOL_F_X']}}",
    "config.json: linux.memoryPolicy.flags[0]: unknown memory policy flag 'MPOL_F_X'" },
  { "pids without limit", "'linux':{'resources':{'pids':{}}}",
    "config.json: linux.resources.pids.limit: required" },
  { "swappiness range", "'linux':{'resources':{'memory':{'swappiness':101}}}",
    "config.json: linux.resources.memory.swappiness: 101 is out of range 0 to 100" },
  { "rdma as array", "'linux':{'resources':{'rdma':[]}}",
    "config.json: linux.resources.rdma: expected an object, got array" },
  { "rdma handles type", "'linux':{'resources':{'rdma':{'mlx':{'hcaHandles':'3'}}}}",
    "config.json: linux.resources.rdma.mlx.hcaHandles: expected an unsigned 32-bit integer, got "
    "string" },
  { "time offset nanosecs", "'linux':{'timeOffsets':{'boottime':{'nanosecs':1000000000}}}",
    "config.json: linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range: must be below "
    "1000000000" },
  { "uid mapping missing size", "'linux':{'uidMappings':[{'containerID':0,'hostID':1}]}",
    "config.json: linux.uidMappings[0].size: required" },
  { "mount idmap type",
    "'mounts':[{'destination':'/a','gidMappings':[{'containerID':0,'hostID':'1','size':1}]}]",
    "config.json: mounts[0].gidMappings[0].hostID: expected an unsigned 32-bit integer, got "
    "string" },
  /* hooks */
  { "hook timeout zero", "'hooks':{'poststop':[{'path':'/bin/x','timeout':0}]}",
    "config.json: hooks.poststop[0].timeout: 0 seconds: must be greater than zero" },
  { "hook timeout negative", "'hooks':{'prestart':[{'path':'/bin/x','timeout':-3}]}",
    "config.json: hooks.prestart[0].timeout: -3 seconds: must be greater than zero" },
  { "hook relative path", "'hooks':{'createRuntime':[{'path':'x'}]}",
    "config.json: hooks.createRuntime[0].path: 'x' is not an absolute path" },
  { "hook without path", "'hooks':{'startContainer':[{'args':[]}]}",
    "config.json: hooks.startContainer[0].path: required" },
};

static void
test_errors (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (error_cases); i++)
    {
      const struct error_case *t = &error_cases[i];
      _cleanup_free_ char *json = config_with (t->extra);
      _cleanup_free_ char *expect = dq (t->expect);
      _cleanup_oci_spec_ struct oci_spec *s = NULL;
      tong_error err = { 0 };
      int r = oci_spec_parse (json, strlen (json), OCI_PARSE_FOR_CREATE, &s, &err);

      if (r == 0)
        report (t->name, false, "parsed, expected: %s", expect);
      else
        report (t->name, r == -EINVAL && strcmp (err.msg, expect) == 0 && s == NULL,
                "got \"%s\" (%d), expected \"%s\"", err.msg, r, expect);
    }
}

struct syntax_case
{
  const char *name;
  const char *json;
  const char *expect_prefix;
};

static const struct syntax_case syntax_cases[] = {
  { "empty file", "", "config.json: invalid JSON: empty input" },
  { "only whitespace", " \n\t ", "config.json: invalid JSON: empty input" },
  { "truncated", "{\"ociVersion\": \"1.2.0\",\n \"root\": {",
    "config.json: invalid JSON: parse error: premature EOF at line 2, column 11" },
  { "trailing garbage", "{}\n}",
    "config.json: invalid JSON: parse error: trailing garbage at line 2" },
  { "bad token", "{\"a\": tru}",
    "config.json: invalid JSON: lexical error: invalid string in json text" },
  { "top level array", "[]", "config.json: expected an object, got array" },
  { "top level string", "\"x\"", "config.json: expected an object, got string" },
  { "escaped NUL", "{\"hostname\": \"a\\u0000b\"}",
    "config.json: invalid JSON: strings must not contain NUL (\\u0000) at line 1, column 16" },
  { "raw NUL", "{\"a\"\0: 1}", "config.json: invalid JSON: NUL byte in input at line 1, column 5" },
};

static void
test_syntax (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (syntax_cases); i++)
    {
      const struct syntax_case *t = &syntax_cases[i];
      size_t len = strcmp (t->name, "raw NUL") == 0 ? 9 : strlen (t->json);
      _cleanup_oci_spec_ struct oci_spec *s = NULL;
      tong_error err = { 0 };
      int r = oci_spec_parse (t->json, len, OCI_PARSE_ANY, &s, &err);

      report (t->name, r < 0 && strncmp (err.msg, t->expect_prefix, strlen (t->expect_prefix)) == 0,
              "got \"%s\", expected a message starting \"%s\"", r < 0 ? err.msg : "success",
              t->expect_prefix);
    }
}

/* json_tree_parse: numbers as text, an integer's value where it fits a long
 * long, order and duplicates of keys kept, arrays past several doublings,
 * comments, and the offset of a syntax error. */
static void
test_json_tree (void)
{
  const char *name = "json_tree_parse: numbers as text, containers, errors";
  _cleanup_free_ char *json
      = dq ("{'max':18446744073709551615,'neg':-5,'exp':1.5e3,'top':9223372036854775807,"
            "'bottom':-9223372036854775808,'over':9223372036854775808,'dup':1,'dup':2,"
            "'list':[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],'deep':{'a':[{},[],null,true,"
            "false,'s']}} /* a comment */");
  const char *bad = "{\"a\": }";
  char msg[128];
  size_t off = 0;
  yajl_val v = json_tree_parse (json, strlen (json), msg, sizeof msg, &off), n, deep;

  REQUIRE (v && YAJL_IS_OBJECT (v) && v->u.object.len == 10);
  n = v->u.object.values[0];
  REQUIRE (strcmp (v->u.object.keys[0], "max") == 0 && YAJL_IS_NUMBER (n) && !YAJL_IS_INTEGER (n)
           && strcmp (n->u.number.r, "18446744073709551615") == 0);
  n = v->u.object.values[1];
  REQUIRE (YAJL_IS_INTEGER (n) && YAJL_GET_INTEGER (n) == -5);
  n = v->u.object.values[2];
  REQUIRE (!YAJL_IS_INTEGER (n) && strcmp (n->u.number.r, "1.5e3") == 0);
  REQUIRE (YAJL_IS_INTEGER (v->u.object.values[3])
           && YAJL_GET_INTEGER (v->u.object.values[3]) == LLONG_MAX);
  REQUIRE (YAJL_IS_INTEGER (v->u.object.values[4])
           && YAJL_GET_INTEGER (v->u.object.values[4]) == LLONG_MIN);
  REQUIRE (!YAJL_IS_INTEGER (v->u.object.values[5]));
  REQUIRE (strcmp (v->u.object.keys[6], "dup") == 0 && strcmp (v->u.object.keys[7], "dup") == 0
           && YAJL_GET_INTEGER (v->u.object.values[7]) == 2);
  n = v->u.object.values[8];
  REQUIRE (YAJL_IS_ARRAY (n) && n->u.array.len == 17);
  for (size_t i = 0; i < n->u.array.len; i++)
    REQUIRE (YAJL_GET_INTEGER (n->u.array.values[i]) == (long long) i);
  deep = v->u.object.values[9]->u.object.values[0];
  REQUIRE (YAJL_IS_ARRAY (deep) && deep->u.array.len == 6);
  REQUIRE (YAJL_IS_OBJECT (deep->u.array.values[0]) && YAJL_IS_ARRAY (deep->u.array.values[1]));
  REQUIRE (YAJL_IS_NULL (deep->u.array.values[2]) && YAJL_IS_TRUE (deep->u.array.values[3])
           && YAJL_IS_FALSE (deep->u.array.values[4]));
  REQUIRE (YAJL_IS_STRING (deep->u.array.values[5])
           && strcmp (deep->u.array.values[5]->u.string, "s") == 0);
  yajl_tree_free (v);

  REQUIRE (json_tree_parse (bad, strlen (bad), msg, sizeof msg, &off) == NULL);
  REQUIRE (off == 7 && strstr (msg, "parse error") != NULL && strchr (msg, '\n') == NULL);
  REQUIRE (json_tree_parse ("[1,", 3, msg, sizeof msg, &off) == NULL && off == 3);
  report (name, true, " ");
}

static void
test_any_mode (void)
{
  const char *name = "ANY mode: nothing required, types still checked";
  _cleanup_oci_spec_ struct oci_spec *s = NULL;
  _cleanup_oci_spec_ struct oci_spec *s2 = NULL;
  _cleanup_free_ char *bad = dq ("{'root':{'path':7}}");
  tong_error err = { 0 };

  REQUIRE (oci_spec_parse ("{} /* yajl takes comments */", 28, OCI_PARSE_ANY, &s, &err) == 0);
  REQUIRE (s->process == NULL && s->root == NULL && s->linux_ == NULL && s->mounts_len == 0);
  REQUIRE (oci_spec_parse (bad, strlen (bad), OCI_PARSE_ANY, &s2, &err) < 0);
  REQUIRE (strcmp (err.msg, "config.json: root.path: expected a string, got number") == 0);
  report (name, true, " ");
}

static void
test_unknown_and_null (void)
{
  const char *name = "unknown fields ignored, null means absent";
  _cleanup_free_ char *json = config_with (
      "'future':{'x':[1,{}]},'hostname':null,'linux':{'resources':null,'newThing':1,"
      "'namespaces':[{'type':'pid','extra':true}]},'process':{'args':['a'],'cwd':'/','user':{"
      "'uid':5,'gid':6,'whatever':'x'},'capabilities':null}");
  _cleanup_oci_spec_ struct oci_spec *s = NULL;
  tong_error err = { 0 };

  if (oci_spec_parse (json, strlen (json), OCI_PARSE_FOR_CREATE, &s, &err) < 0)
    {
      report (name, false, "%s", err.msg);
      return;
    }
  REQUIRE (s->hostname == NULL && s->linux_->resources == NULL && s->linux_->namespaces_len == 1);
  REQUIRE (s->process->user.uid == 5 && s->process->capabilities == NULL);
  REQUIRE (oci_spec_namespace (s, OCI_NS_MOUNT) == NULL);
  report (name, true, " ");
}

static void
test_versions (void)
{
  static const char *const good[] = { "1.0.0", "1.0.2-dev", "1.2.0", "1.0.0-rc5+dev", "1.10.3" };
  static const char *const bad[]
      = { "1", "1.", "1.0", "0.9.0", "v1.0.0", "1.0.0-", "1.01.0", "1.0.0 " };
  const char *name = "ociVersion forms";

  for (size_t i = 0; i < ARRAY_SIZE (good) + ARRAY_SIZE (bad); i++)
    {
      bool want = i < ARRAY_SIZE (good);
      const char *v = want ? good[i] : bad[i - ARRAY_SIZE (good)];
      _cleanup_free_ char *json = xasprintf ("{\"ociVersion\":\"%s\"}", v);
      _cleanup_oci_spec_ struct oci_spec *s = NULL;
      tong_error err = { 0 };

      if ((oci_spec_parse (json, strlen (json), OCI_PARSE_ANY, &s, &err) == 0) != want)
        {
          report (name, false, "\"%s\" %s", v, want ? err.msg : "accepted");
          return;
        }
    }
  report (name, true, " ");
}

static void
test_process_json (void)
{
  const char *name = "process.json";
  _cleanup_free_ char *json = dq ("{'args':['ls','-l'],'cwd':'/tmp','env':['A=b'],"
                                  "'capabilities':{'bounding':['CAP_CHOWN']},'terminal':false}");
  _cleanup_free_ char *nocwd = dq ("{'args':['ls']}");
  _cleanup_free_ char *badtype = dq ("{'args':['ls'],'cwd':'/','noNewPrivileges':'true'}");
  struct oci_process *p = NULL;
  tong_error err = { 0 };

  REQUIRE (oci_process_parse (json, strlen (json), "process.json", &p, &err) == 0);
  REQUIRE (strcmp (p->args[1], "-l") == 0 && strcmp (p->cwd, "/tmp") == 0);
  REQUIRE (strcmp (p->capabilities->bounding[0], "CAP_CHOWN") == 0);
  oci_process_free (p);
  p = NULL;
  REQUIRE (oci_process_parse (nocwd, strlen (nocwd), "process.json", &p, &err) < 0 && p == NULL);
  REQUIRE (strcmp (err.msg, "process.json: cwd: required for create") == 0);
  REQUIRE (oci_process_parse (badtype, strlen (badtype), "exec.json", &p, &err) < 0);
  REQUIRE (strcmp (err.msg, "exec.json: noNewPrivileges: expected a boolean, got string") == 0);
  report (name, true, " ");
}

static void
test_resources_json (void)
{
  const char *name = "resources (update --resources)";
  _cleanup_free_ char *json = dq ("{'memory':{'limit':1048576,'swap':2097152},'cpu':"
                                  "{'quota':50000,'period':100000},'pids':{'limit':-1}}");
  _cleanup_free_ char *bad = dq ("{'cpu':{'shares':-2}}");
  struct oci_resources *r = NULL;
  tong_error err = { 0 };

  REQUIRE (oci_resources_parse (json, strlen (json), "resources", &r, &err) == 0);
  REQUIRE (r->memory.present && r->memory.has_limit && r->memory.limit == 1048576);
  REQUIRE (!r->memory.has_reservation && r->cpu.quota == 50000 && r->pids.limit == -1);
  REQUIRE (!r->block_io.present && !r->network.present);
  oci_resources_free (r);
  r = NULL;
  REQUIRE (oci_resources_parse ("{}", 2, "resources", &r, &err) == 0 && !r->memory.present);
  oci_resources_free (r);
  r = NULL;
  REQUIRE (oci_resources_parse (bad, strlen (bad), "-", &r, &err) < 0 && r == NULL);
  REQUIRE (strcmp (err.msg, "-: cpu.shares: expected an unsigned 64-bit integer, got -2") == 0);
  report (name, true, " ");
}

static void
test_helpers (void)
{
  const char *name = "namespace helpers";

  REQUIRE (strcmp (oci_ns_info (OCI_NS_NETWORK)->name, "network") == 0);
  REQUIRE (strcmp (oci_ns_info (OCI_NS_NETWORK)->proc_name, "net") == 0);
  REQUIRE (strcmp (oci_ns_info (OCI_NS_MOUNT)->proc_name, "mnt") == 0);
  REQUIRE (strcmp (oci_ns_info (OCI_NS_TIME)->name, "time") == 0);
  REQUIRE (oci_ns_info (OCI_NS_COUNT) == NULL);
  REQUIRE (oci_ns_info (OCI_NS_PID)->flag == CLONE_NEWPID);
  REQUIRE (oci_ns_info (OCI_NS_MOUNT)->flag == CLONE_NEWNS);
  REQUIRE (oci_ns_info (OCI_NS_CGROUP)->flag == CLONE_NEWCGROUP);
  REQUIRE (oci_ns_info (OCI_NS_TIME)->flag == 0x80);
  for (int t = 0; t < OCI_NS_COUNT; t++)
    REQUIRE (oci_ns_info ((enum oci_ns_type) t)->name && oci_ns_info ((enum oci_ns_type) t)->flag);
  report (name, true, " ");
}

static double
seconds_since (const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime (CLOCK_MONOTONIC, &t1);
  return (double) (t1.tv_sec - t0->tv_sec) + (double) (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
test_huge (void)
{
  /* valgrind's realloc always copies, which makes yajl's one-element-at-a-time
   * array growth quadratic there: use a smaller input under valgrind. */
  const char *preload = getenv ("LD_PRELOAD");
  bool valgrind = preload && strstr (preload, "vgpreload");
  const char *name = valgrind ? "huge input (smaller under valgrind): 5k env, 5k annotations"
                              : "huge input: 200k env entries and 100k annotations";
  const size_t n_env = valgrind ? 5000 : 200000, n_ann = valgrind ? 5000 : 100000;
  size_t cap = 64 * 1024 * 1024, len = 0;
  _cleanup_free_ char *json = xmalloc (cap);
  _cleanup_oci_spec_ struct oci_spec *s = NULL;
  tong_error err = { 0 };
  struct timespec t0;
  double secs;

  len += sprintf (json + len, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},"
                              "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"env\":[");
  for (size_t i = 0; i < n_env; i++)
    len += sprintf (json + len, "%s\"VARIABLE_%zu=value-of-some-length-%zu\"", i ? "," : "", i, i);
  len += sprintf (json + len, "]},\"annotations\":{");
  for (size_t i = 0; i < n_ann; i++)
    len += sprintf (json + len, "%s\"org.example.key%zu\":\"v%zu\"", i ? "," : "", i, i);
  len += sprintf (json + len, "}}");
  clock_gettime (CLOCK_MONOTONIC, &t0);
  if (oci_spec_parse (json, len, OCI_PARSE_FOR_CREATE, &s, &err) < 0)
    {
      report (name, false, "%s", err.msg);
      return;
    }
  secs = seconds_since (&t0);
  REQUIRE (s->annotations.len == n_ann && s->process->env[n_env - 1] && !s->process->env[n_env]);
  REQUIRE (strcmp (oci_map_get (&s->annotations, "org.example.key4999"), "v4999") == 0);
  /* Linear work takes well under a second; a quadratic walk would take minutes. */
  report (name, secs < 30, "took %.1f s", secs);
}

static void
test_deep (void)
{
  const char *name = "deep nesting rejected without crashing";
  const size_t depth = 100000;
  _cleanup_free_ char *json = xmalloc (2 * depth + 32);
  _cleanup_oci_spec_ struct oci_spec *s = NULL;
  tong_error err = { 0 };
  size_t len;

  len = (size_t) sprintf (json, "{\"x\":");
  memset (json + len, '[', depth);
  memset (json + len + depth, ']', depth);
  len += 2 * depth;
  json[len++] = '}';
  REQUIRE (oci_spec_parse (json, len, OCI_PARSE_ANY, &s, &err) < 0);
  REQUIRE (strstr (err.msg, "nesting deeper than 256 levels at line 1, column 261") != NULL);

  /* 200 levels inside an ignored field are fine. */
  len = (size_t) sprintf (json, "{\"x\":");
  memset (json + len, '[', 200);
  memset (json + len + 200, ']', 200);
  len += 400;
  json[len++] = '}';
  REQUIRE (oci_spec_parse (json, len, OCI_PARSE_ANY, &s, &err) == 0);
  report (name, true, " ");
}

int
main (void)
{
  test_full ();
  test_errors ();
  test_syntax ();
  test_any_mode ();
  test_json_tree ();
  test_unknown_and_null ();
  test_versions ();
  test_process_json ();
  test_resources_json ();
  test_helpers ();
  test_huge ();
  test_deep ();
  return failures ? 1 : 0;
}
