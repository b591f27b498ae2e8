/* linux.seccomp with libseccomp: the runtime compiles the filter (or finds
 * it in the cache), the init connects to listenerPath while it still sees the
 * host, and loads the program with seccomp(2) as the container process's last
 * step before execve. */
#include "filter.h"

#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "oci/json-gen.h"
#include "src/base/fdpass.h"
#include "src/base/log.h"
#include "src/seccomp/cache.h"
#include "src/seccomp/lib.h"
#include "src/base/util.h"
#include "oci/json-tree.h"

struct seccomp_plan
{
  const struct seccomp_program *program;
  int listener; /* connected to listenerPath when a rule notifies, else -1 */
  char *listener_path;
  char *metadata; /* listenerMetadata, or NULL */
};

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

struct action_info
{
  const char *name;
  uint32_t action;  /* without the errno part */
  bool takes_errno; /* errnoRet is the errno (ERRNO) or the tracer's message (TRACE) */
};

static const struct action_info actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), true },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), true },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

/* The action value for a spec action and its optional errnoRet; field names
 * the spec field in messages ("linux.seccomp.syscalls[2]"). */
static int
action_resolve (const char *name, bool has_errno, uint32_t errno_ret, const char *field,
                const char *errno_key, uint32_t *out, tong_error *err)
{
  for (size_t i = 0; i < ARRAY_SIZE (actions); i++)
    {
      const struct action_info *a = &actions[i];
      if (strcmp (a->name, name) != 0)
        continue;
      if (!a->takes_errno)
        {
          if (has_errno)
            return tong_err (err, 0,
                             "config.json: %s.%s: %s takes no errno; only SCMP_ACT_ERRNO and "
                             "SCMP_ACT_TRACE do: remove %s",
                             field, errno_key, name, errno_key);
          *out = a->action;
          return 0;
        }
      if (has_errno && errno_ret > 0xffff)
        return tong_err (err, 0,
                         "config.json: %s.%s: %u does not fit the 16 bits seccomp has for it",
                         field, errno_key, errno_ret);
      /* The spec's default for both is EPERM, as runc does for TRACE too. */
      *out = a->action | (has_errno ? errno_ret : (uint32_t) EPERM);
      return 0;
    }
  return tong_err (err, 0, "config.json: %s: unknown seccomp action \"%s\"", field, name);
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64". */
static int
arch_resolve (const char *name, uint32_t *out, tong_error *err)
{
  const char *prefix = "SCMP_ARCH_";
  char lower[32];
  size_t n;

  if (strncmp (name, prefix, strlen (prefix)) != 0)
    return tong_err (err, 0, "config.json: linux.seccomp.architectures: unknown \"%s\"", name);
  name += strlen (prefix);
  n = strlen (name);
  if (n == 0 || n >= sizeof lower)
    return tong_err (err, 0, "config.json: linux.seccomp.architectures: unknown \"%s\"", name);
  for (size_t i = 0; i <= n; i++)
    lower[i] = (char) tolower ((unsigned char) name[i]);
  *out = seccomp_lib.seccomp_arch_resolve_name (lower);
  if (*out == 0)
    return tong_err (err, 0,
                     "config.json: linux.seccomp.architectures: SCMP_ARCH_%s is not known to "
                     "libseccomp %d.%d.%d",
                     name, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
  return 0;
}

/* linux.seccomp.flags: the kernel's flags for seccomp(2), which tong calls
 * itself (libseccomp's attributes for them only change how it loads). */
static int
parse_flags (char **flags, unsigned int *kernel_flags, bool *wait_killable, tong_error *err)
{
  *kernel_flags = 0;
  *wait_killable = false;
  for (size_t i = 0; flags && flags[i]; i++)
    {
      const char *f = flags[i];

      if (strcmp (f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
        *kernel_flags |= SECCOMP_FILTER_FLAG_TSYNC;
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_LOG") == 0)
        *kernel_flags |= SECCOMP_FILTER_FLAG_LOG;
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        *kernel_flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
        *wait_killable = true;
      else
        return tong_err (err, 0, "config.json: linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
                         f);
    }
  return 0;
}

/* The filter as the kernel will run it: tong loads it with seccomp(2). */
static int
export_program (scmp_filter_ctx ctx, struct seccomp_program *prog, tong_error *err)
{
  _cleanup_close_ int fd = memfd_create ("seccomp-bpf", MFD_CLOEXEC);
  struct stat st;
  ssize_t n;
  int r;

  if (fd < 0)
    return tong_err (err, errno, "seccomp: memfd_create");
  r = seccomp_lib.seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return tong_err (err, -r, "libseccomp: export the filter");
  if (fstat (fd, &st) < 0)
    return tong_err (err, errno, "seccomp: stat the exported filter");
  if (st.st_size <= 0 || st.st_size % (off_t) sizeof (struct sock_filter) != 0
      || st.st_size / (off_t) sizeof (struct sock_filter) > BPF_MAXINSNS)
    return tong_err (err, EINVAL, "libseccomp exported a filter of %lld bytes",
                     (long long) st.st_size);
  prog->bpf = xmalloc ((size_t) st.st_size);
  n = pread (fd, prog->bpf, (size_t) st.st_size, 0);
  if (n != st.st_size)
    return tong_err (err, n < 0 ? errno : EIO, "seccomp: read the exported filter");
  prog->len = (size_t) st.st_size / sizeof (struct sock_filter);
  return 0;
}

/* seccomp(2) with the spec's flags, and a listener when a rule notifies:
 * returns the notify fd, 0, or -1 with errno. */
static int
load_program (const struct seccomp_plan *plan)
{
  struct sock_fprog prog
      = { .len = (unsigned short) plan->program->len, .filter = plan->program->bpf };
  unsigned int flags = plan->program->kernel_flags;

  if (plan->program->notifies)
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  if (plan->program->wait_killable)
    flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  /* A listener and thread sync only go together when a failed sync says ESRCH. */
  if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
    flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  return (int) syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static void
cmp_from_arg (const struct oci_seccomp_arg *a, struct scmp_arg_cmp *c)
{
  c->arg = a->index;
  c->op = (enum scmp_compare) a->op_num;
  /* MASKED_EQ compares (arg & value) with valueTwo: libseccomp's datum_a is the mask. */
  c->datum_a = a->value;
  c->datum_b = a->value_two;
}

/* One rule per entry, with runc's semantics: conditions on distinct arguments
 * must all hold (one rule); but when any argument is tested more than once,
 * which one rule cannot express, every condition becomes a rule of its own
 * (any of them matches). */
static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, const struct oci_seccomp_syscall *sc,
          size_t idx, const char *name, tong_error *err)
{
  struct scmp_arg_cmp cmps[6];
  unsigned int uses[6] = { 0 };
  bool repeated = false;
  int r;

  for (size_t i = 0; i < sc->args_len; i++)
    {
      if (sc->args[i].index >= 6)
        return tong_err (err, 0,
                         "config.json: linux.seccomp.syscalls[%zu].args[%zu].index: %u is "
                         "out of range 0 to 5",
                         idx, i, sc->args[i].index);
      if (++uses[sc->args[i].index] > 1)
        repeated = true;
    }
  if (repeated)
    {
      for (size_t i = 0; i < sc->args_len; i++)
        {
          struct scmp_arg_cmp c;
          cmp_from_arg (&sc->args[i], &c);
          r = seccomp_lib.seccomp_rule_add_array (ctx, action, nr, 1, &c);
          if (r < 0)
            return tong_err (err, -r,
                             "config.json: linux.seccomp.syscalls[%zu]: add a rule for "
                             "`%s` (args[%zu])",
                             idx, name, i);
        }
      return 0;
    }
  for (size_t i = 0; i < sc->args_len; i++)
    cmp_from_arg (&sc->args[i], &cmps[i]);
  r = seccomp_lib.seccomp_rule_add_array (ctx, action, nr, (unsigned int) sc->args_len, cmps);
  if (r < 0)
    return tong_err (err, -r, "config.json: linux.seccomp.syscalls[%zu]: add a rule for `%s`", idx,
                     name);
  return 0;
}

/* The init sends the notify fd with sendmsg once the filter is in force: a
 * notifying rule on it would wait for an agent that has no fd yet. */
static bool
needed_before_agent (const char *name)
{
  return strcmp (name, "sendmsg") == 0 || strcmp (name, "socketcall") == 0;
}

static int
add_syscalls (scmp_filter_ctx ctx, const struct oci_seccomp *s, uint32_t default_action,
              bool *notifies, tong_error *err)
{
  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      const struct oci_seccomp_syscall *sc = &s->syscalls[i];
      _cleanup_free_ char *field = xasprintf ("linux.seccomp.syscalls[%zu]", i);
      uint32_t action;
      int r;

      r = action_resolve (sc->action, sc->has_errno_ret, sc->errno_ret, field, "errnoRet", &action,
                          err);
      if (r < 0)
        return r;
      /* libseccomp refuses a rule that only repeats the default. */
      if (action == default_action)
        continue;
      for (size_t j = 0; sc->names && sc->names[j]; j++)
        {
          const char *name = sc->names[j];
          int nr = seccomp_lib.seccomp_syscall_resolve_name (name);

          if (action == SCMP_ACT_NOTIFY && needed_before_agent (name))
            return tong_err (err, 0,
                             "config.json: %s: `%s` cannot be SCMP_ACT_NOTIFY: tong uses it to "
                             "hand the notify fd to the listener",
                             field, name);
          /* A name this libseccomp does not know is skipped, as runc does:
           * profiles list system calls of newer kernels. */
          if (nr == __NR_SCMP_ERROR)
            {
              log_debug ("seccomp: system call `%s` is unknown to libseccomp, skipped", name);
              continue;
            }
          r = add_rule (ctx, action, nr, sc, i, name, err);
          if (r < 0)
            return r;
          if (action == SCMP_ACT_NOTIFY)
            *notifies = true;
        }
    }
  return 0;
}

static int
listener_connect (const char *path, int *out, tong_error *err)
{
  int fd = unix_connect (path, "seccomp listener (linux.seccomp.listenerPath)", err);
  if (fd < 0)
    return fd;
  *out = fd;
  return 0;
}

void
seccomp_program_free (struct seccomp_program *prog)
{
  if (!prog)
    return;
  free (prog->bpf);
  free (prog);
}

static void
filter_ctx_releasep (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_lib.seccomp_release (*ctx);
}

/* Everything the spec forbids, and the filter built with libseccomp. */
static int
compile_program (const struct oci_seccomp *s, struct seccomp_program **out, tong_error *err)
{
  __attribute__ ((cleanup (seccomp_program_freep))) struct seccomp_program *prog = NULL;
  __attribute__ ((cleanup (filter_ctx_releasep))) scmp_filter_ctx ctx = NULL;
  unsigned int kernel_flags;
  uint32_t default_action;
  bool wait_killable, notifies = false;
  int r;

  r = action_resolve (s->default_action, s->has_default_errno_ret, s->default_errno_ret,
                      "linux.seccomp", "defaultErrnoRet", &default_action, err);
  if (r < 0)
    return r;
  if (default_action == SCMP_ACT_NOTIFY)
    return tong_err (err, 0,
                     "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be "
                     "the default: the init itself must still run until it hands the "
                     "notify fd to the listener");
  if (s->listener_metadata && !s->listener_path)
    return tong_err (err, 0,
                     "config.json: linux.seccomp.listenerMetadata is set without "
                     "listenerPath (the spec forbids it)");
  r = parse_flags (s->flags, &kernel_flags, &wait_killable, err);
  if (r < 0)
    return r;
  r = seccomp_lib_load (err);
  if (r < 0)
    return r;

  ctx = seccomp_lib.seccomp_init (default_action);
  if (!ctx)
    return tong_err (err, EINVAL, "libseccomp: create a filter with default action %s",
                     s->default_action);
  for (size_t i = 0; s->architectures && s->architectures[i]; i++)
    {
      uint32_t arch;
      r = arch_resolve (s->architectures[i], &arch, err);
      if (r < 0)
        return r;
      r = seccomp_lib.seccomp_arch_add (ctx, arch);
      if (r < 0 && r != -EEXIST)
        return tong_err (err, -r, "config.json: linux.seccomp.architectures[%zu]: add %s", i,
                         s->architectures[i]);
    }
  r = add_syscalls (ctx, s, default_action, &notifies, err);
  if (r < 0)
    return r;
  if (notifies && (!s->listener_path || !*s->listener_path))
    return tong_err (err, 0,
                     "config.json: linux.seccomp: SCMP_ACT_NOTIFY is used, but "
                     "listenerPath is not set: name the socket of the agent that "
                     "handles the notifications");
  if (wait_killable && !notifies)
    return tong_err (err, 0,
                     "config.json: linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV "
                     "applies to notifications, but no rule uses SCMP_ACT_NOTIFY");
  prog = xcalloc (1, sizeof *prog);
  prog->notifies = notifies;
  prog->kernel_flags = kernel_flags;
  prog->wait_killable = wait_killable;
  r = export_program (ctx, prog, err);
  if (r < 0)
    return r;
  *out = TAKE_PTR (prog);
  return 0;
}

int
seccomp_program_get (const struct oci_seccomp *s, int rootfd, struct seccomp_program **out,
                     tong_error *err)
{
  _cleanup_free_ char *key = NULL;
  int r;

  *out = NULL;
  if (rootfd >= 0)
    {
      key = seccomp_cache_key (s);
      if (key && seccomp_cache_lookup (rootfd, key, out))
        {
          /* The flags are the spec's (a part of the key), not the cache's. */
          r = parse_flags (s->flags, &(*out)->kernel_flags, &(*out)->wait_killable, err);
          if (r < 0)
            {
              seccomp_program_free (*out);
              *out = NULL;
            }
          return r;
        }
    }
  r = compile_program (s, out, err);
  if (r == 0 && key)
    seccomp_cache_store (rootfd, key, *out);
  return r;
}

void
seccomp_plan_free (struct seccomp_plan *plan)
{
  if (!plan)
    return;
  if (plan->listener >= 0)
    close (plan->listener);
  free (plan->listener_path);
  free (plan->metadata);
  free (plan);
}

static void
seccomp_plan_freep (struct seccomp_plan **p)
{
  seccomp_plan_free (*p);
}

int
seccomp_prepare (const struct oci_seccomp *s, const struct seccomp_program *prog,
                 struct seccomp_plan **out, tong_error *err)
{
  __attribute__ ((cleanup (seccomp_plan_freep))) struct seccomp_plan *plan = NULL;
  int r;

  plan = xcalloc (1, sizeof *plan);
  plan->listener = -1;
  plan->program = prog;
  if (prog->notifies)
    {
      r = listener_connect (s->listener_path, &plan->listener, err);
      if (r < 0)
        return r;
      plan->listener_path = xstrdup (s->listener_path);
      plan->metadata = s->listener_metadata ? xstrdup (s->listener_metadata) : NULL;
    }
  *out = TAKE_PTR (plan);
  return 0;
}

static void
json_gen_freep (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}

static void
json_tree_freep (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}

/* The container process state of the spec's listener protocol:
 * {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"}, where
 * pid is the state's: the init as the runtime sees it. */
static int
process_state_json (const struct seccomp_plan *plan, const char *state_json, char **out,
                    tong_error *err)
{
  __attribute__ ((cleanup (json_gen_freep))) yajl_gen g = yajl_gen_alloc (NULL);
  __attribute__ ((cleanup (json_tree_freep))) yajl_val state = NULL;
  const char *version_path[] = { "ociVersion", NULL };
  const char *pid_path[] = { "pid", NULL };
  const unsigned char *buf;
  yajl_val version, pid;
  char errbuf[256];
  size_t len, off;

  state = json_tree_parse (state_json, strlen (state_json), errbuf, sizeof errbuf, &off);
  if (!state || !YAJL_IS_OBJECT (state))
    return tong_err (err, EINVAL, "seccomp listener: the container state is not a JSON object");
  version = yajl_tree_get (state, version_path, yajl_t_string);
  pid = yajl_tree_get (state, pid_path, yajl_t_number);
  if (!version || !pid || !YAJL_IS_INTEGER (pid) || YAJL_GET_INTEGER (pid) <= 0)
    return tong_err (err, EINVAL, "seccomp listener: the container state lacks ociVersion or pid");

  yajl_gen_map_open (g);
  json_gen_string (g, "ociVersion");
  json_gen_string (g, version->u.string);
  json_gen_string (g, "fds");
  yajl_gen_array_open (g);
  json_gen_string (g, "seccompFd");
  yajl_gen_array_close (g);
  json_gen_string (g, "pid");
  json_gen_integer (g, YAJL_GET_INTEGER (pid));
  if (plan->metadata)
    {
      json_gen_string (g, "metadata");
      json_gen_string (g, plan->metadata);
    }
  json_gen_string (g, "state");
  json_gen_value (g, state);
  yajl_gen_map_close (g);
  if (yajl_gen_get_buf (g, &buf, &len) != yajl_gen_status_ok)
    return tong_err (err, EINVAL, "seccomp listener: generate the container process state");
  *out = xmalloc (len + 1);
  memcpy (*out, buf, len);
  (*out)[len] = '\0';
  return 0;
}

int
seccomp_plan_load (struct seccomp_plan *plan, const char *state_json, tong_error *err)
{
  _cleanup_free_ char *message = NULL;
  _cleanup_close_ int notify_fd = -1;
  int r;

  /* Built before the filter is in force: after it, every system call counts. */
  if (plan->listener >= 0)
    {
      r = process_state_json (plan, state_json, &message, err);
      if (r < 0)
        return r;
    }
  r = load_program (plan);
  if (r < 0)
    r = -errno;
  else if (plan->program->notifies)
    notify_fd = r; /* with NEW_LISTENER, seccomp(2) returns it */
  if (r < 0)
    return tong_err (err, -r, "load the seccomp filter (linux.seccomp)%s",
                     r == -EACCES || r == -EPERM
                         ? ": without process.noNewPrivileges this needs CAP_SYS_ADMIN"
                     : r == -EINVAL && plan->program->wait_killable
                         ? ": SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs Linux 5.19 or later"
                         : "");
  if (plan->listener < 0)
    return 0;

  r = fd_send (plan->listener, notify_fd, message, strlen (message), err);
  if (r < 0)
    return tong_err_prefix (err, "seccomp listener `%s`", plan->listener_path);
  /* One state per connection: close it now, as the spec asks. */
  close (plan->listener);
  plan->listener = -1;
  return 0;
}
