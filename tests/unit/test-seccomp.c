/* Unit tests for src/seccomp.c: plans built from hand-made specs, the
 * combinations the spec forbids, and filters loaded for real in a forked
 * child (with no_new_privs, so no root is needed), including the listener
 * protocol of SCMP_ACT_NOTIFY.  Prints "ok - name" or "not ok - name". */
#include "src/seccomp/filter.h"
#include "src/seccomp/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "src/base/fdpass.h"
#include "src/base/util.h"
#include "tests/unit/check.h"

static char *mkdir_names[] = { "mkdir", "mkdirat", NULL };

/* Compile s (no cache) and make its plan, as the runtime and the init do. */
static int
plan_for (const struct oci_seccomp *s, struct seccomp_program **prog, struct seccomp_plan **plan,
          tong_error *err)
{
  int r = seccomp_program_get (s, -1, prog, err);
  return r < 0 ? r : seccomp_prepare (s, *prog, plan, err);
}

/* Build a plan; returns the result, with the message in err. */
static int
try_prepare (const struct oci_seccomp *s, tong_error *err)
{
  struct seccomp_program *prog = NULL;
  struct seccomp_plan *plan = NULL;
  int r;

  tong_err_clear (err);
  r = plan_for (s, &prog, &plan, err);
  seccomp_plan_free (plan);
  seccomp_program_free (prog);
  return r;
}

static void
test_every_action_and_operator (void)
{
  static const char *const names[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",       "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",
  };
  static const int ops[] = { SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE,       SCMP_CMP_EQ,
                             SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ };
  struct oci_seccomp_arg args[ARRAY_SIZE (ops)];
  struct oci_seccomp_syscall calls[ARRAY_SIZE (names)];
  char *archs[]
      = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", NULL };
  char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                    "SECCOMP_FILTER_FLAG_TSYNC", NULL };
  char *one[ARRAY_SIZE (names)][2];
  static const char *const syscalls[]
      = { "getpid", "getppid", "getuid", "getgid", "geteuid", "getegid", "uname", "personality" };
  tong_error err = { 0 };
  bool all_ok = true;

  memset (args, 0, sizeof args);
  for (size_t i = 0; i < ARRAY_SIZE (ops); i++)
    {
      args[i].index = (unsigned) i % 6;
      args[i].value = 0xff;
      args[i].value_two = 0x10;
      args[i].op_num = ops[i];
    }
  memset (calls, 0, sizeof calls);
  for (size_t i = 0; i < ARRAY_SIZE (names); i++)
    {
      one[i][0] = (char *) syscalls[i];
      one[i][1] = NULL;
      calls[i].names = one[i];
      calls[i].action = (char *) names[i];
    }
  calls[4].has_errno_ret = true; /* ERRNO with errnoRet */
  calls[4].errno_ret = ENOSYS;
  calls[5].has_errno_ret = true; /* TRACE with errnoRet as the tracer's message */
  calls[5].errno_ret = 42;
  calls[7].args = args; /* every operator, two of them on arg 0 (alternatives) */
  calls[7].args_len = ARRAY_SIZE (ops);

  for (size_t d = 0; d < ARRAY_SIZE (names); d++)
    {
      struct oci_seccomp s = { .default_action = (char *) names[d],
                               .architectures = archs,
                               .flags = flags,
                               .syscalls = calls,
                               .syscalls_len = ARRAY_SIZE (calls) };
      if (try_prepare (&s, &err) < 0)
        {
          report ("plan with every action and operator", false, "default %s: %s", names[d],
                  err.msg);
          all_ok = false;
        }
    }
  if (all_ok)
    report ("plan with every action and operator", true, " ");
}

static void
test_invalid (void)
{
  struct oci_seccomp_syscall call = { .names = mkdir_names, .action = "SCMP_ACT_ALLOW" };
  struct oci_seccomp s
      = { .default_action = "SCMP_ACT_ERRNO", .syscalls = &call, .syscalls_len = 1 };
  char *waitkill[] = { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
  char *badarch[] = { "SCMP_ARCH_NOPE", NULL };
  char *sendmsg_name[] = { "sendmsg", NULL };
  struct oci_seccomp_arg bad_index = { .index = 6, .op_num = SCMP_CMP_EQ };
  tong_error err = { 0 };
  int r;

  call.has_errno_ret = true;
  call.errno_ret = 1;
  r = try_prepare (&s, &err);
  report ("errnoRet with SCMP_ACT_ALLOW is an error",
          r == -EINVAL && strstr (err.msg, "linux.seccomp.syscalls[0].errnoRet"), "%d %s", r,
          err.msg);
  call.has_errno_ret = false;

  s.default_action = "SCMP_ACT_KILL";
  s.has_default_errno_ret = true;
  r = try_prepare (&s, &err);
  report ("defaultErrnoRet with SCMP_ACT_KILL is an error",
          r == -EINVAL && strstr (err.msg, "defaultErrnoRet"), "%d %s", r, err.msg);
  s.has_default_errno_ret = false;

  call.action = "SCMP_ACT_ERRNO";
  call.has_errno_ret = true;
  call.errno_ret = 70000;
  r = try_prepare (&s, &err);
  report ("errnoRet beyond 16 bits is an error", r == -EINVAL, "%d %s", r, err.msg);
  call.has_errno_ret = false;

  call.action = "SCMP_ACT_NOTIFY";
  r = try_prepare (&s, &err);
  report ("SCMP_ACT_NOTIFY without listenerPath is an error",
          r == -EINVAL && strstr (err.msg, "listenerPath"), "%d %s", r, err.msg);
  call.names = sendmsg_name;
  s.listener_path = "/nonexistent.sock";
  r = try_prepare (&s, &err);
  report ("SCMP_ACT_NOTIFY on sendmsg is an error", r == -EINVAL && strstr (err.msg, "sendmsg"),
          "%d %s", r, err.msg);
  call.names = mkdir_names;
  r = try_prepare (&s, &err);
  report ("an unreachable listenerPath is an error",
          r == -ENOENT && strstr (err.msg, "/nonexistent.sock"), "%d %s", r, err.msg);
  s.listener_path = NULL;
  s.listener_metadata = "x";
  call.action = "SCMP_ACT_ERRNO";
  r = try_prepare (&s, &err);
  report ("listenerMetadata without listenerPath is an error", r == -EINVAL, "%d %s", r, err.msg);
  s.listener_metadata = NULL;

  s.default_action = "SCMP_ACT_NOTIFY";
  s.listener_path = "/nonexistent.sock";
  r = try_prepare (&s, &err);
  report ("SCMP_ACT_NOTIFY as the default is an error", r == -EINVAL, "%d %s", r, err.msg);
  s.listener_path = NULL;
  s.default_action = "SCMP_ACT_ALLOW";

  s.flags = waitkill;
  r = try_prepare (&s, &err);
  report ("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without a notify rule is an error",
          r == -EINVAL && strstr (err.msg, "SCMP_ACT_NOTIFY"), "%d %s", r, err.msg);
  s.flags = NULL;

  s.architectures = badarch;
  r = try_prepare (&s, &err);
  report ("an unknown architecture is an error", r == -EINVAL && strstr (err.msg, "NOPE"), "%d %s",
          r, err.msg);
  s.architectures = NULL;

  call.args = &bad_index;
  call.args_len = 1;
  r = try_prepare (&s, &err);
  report ("an argument index above 5 is an error", r == -EINVAL, "%d %s", r, err.msg);
  call.args = NULL;
  call.args_len = 0;

  {
    char *names[] = { "no_such_syscall_at_all", "mkdir", NULL };
    call.names = names;
    r = try_prepare (&s, &err);
    report ("an unknown system call name is skipped", r == 0, "%d %s", r, err.msg);
    call.names = mkdir_names;
  }
  s.default_action = "SCMP_ACT_ERRNO";
  r = try_prepare (&s, &err);
  report ("a rule repeating the default action is skipped", r == 0, "%d %s", r, err.msg);
}

/* Run fn in a child under the filter of s (loaded with no_new_privs, as for a
 * container with process.noNewPrivileges); return the child's wait status.
 * fn returns the child's exit code. */
static int
run_filtered (const struct oci_seccomp *s, int (*fn) (void))
{
  int status = -1;
  pid_t pid = fork ();

  if (pid == 0)
    {
      struct seccomp_program *prog = NULL;
      struct seccomp_plan *plan = NULL;
      tong_error err = { 0 };
      if (plan_for (s, &prog, &plan, &err) < 0 || prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
          || seccomp_plan_load (plan, "{}", &err) < 0)
        {
          fprintf (stderr, "child: %s\n", err.msg);
          _exit (100);
        }
      _exit (fn ());
    }
  waitpid (pid, &status, 0);
  return status;
}

static char tmpdir[] = "/tmp/test-seccomp.XXXXXX";

static int
mkdir_errno (void)
{
  _cleanup_free_ char *p = xasprintf ("%s/d%d", tmpdir, (int) getpid ());
  if (mkdir (p, 0700) == 0)
    return 0;
  return errno;
}

static int
personality_checks (void)
{
  /* Denied only for the query value 0xffffffff; PER_LINUX goes through. */
  if (personality (0xffffffff) != -1 || errno != EPERM)
    return 1;
  if (personality (PER_LINUX) < 0)
    return 2;
  return 0;
}

/* Two conditions on the domain: either one matches. */
static int
socket_alternatives (void)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  if (fd >= 0 || errno != EACCES)
    return 1;
  fd = socket (AF_INET6, SOCK_DGRAM, 0);
  if (fd >= 0 || errno != EACCES)
    return 2;
  fd = socket (AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0)
    return 3;
  close (fd);
  return 0;
}

/* Conditions on domain and type: both must hold. */
static int
socket_conjunction (void)
{
  int fd = socket (AF_INET, SOCK_DGRAM, 0);
  if (fd >= 0 || errno != EACCES)
    return 1;
  fd = socket (AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return 2;
  close (fd);
  fd = socket (AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0)
    return 3;
  close (fd);
  return 0;
}

static void
test_loaded_filters (void)
{
  struct oci_seccomp_syscall call = { .names = mkdir_names, .action = "SCMP_ACT_ERRNO" };
  struct oci_seccomp s
      = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &call, .syscalls_len = 1 };
  int st;

  st = run_filtered (&s, mkdir_errno);
  report ("SCMP_ACT_ERRNO returns EPERM by default", WIFEXITED (st) && WEXITSTATUS (st) == EPERM,
          "status %#x", st);
  call.has_errno_ret = true;
  call.errno_ret = ENOSYS;
  st = run_filtered (&s, mkdir_errno);
  report ("SCMP_ACT_ERRNO returns errnoRet", WIFEXITED (st) && WEXITSTATUS (st) == ENOSYS,
          "status %#x", st);
  call.has_errno_ret = false;

  call.action = "SCMP_ACT_KILL_PROCESS";
  st = run_filtered (&s, mkdir_errno);
  report ("SCMP_ACT_KILL_PROCESS kills with SIGSYS", WIFSIGNALED (st) && WTERMSIG (st) == SIGSYS,
          "status %#x", st);
  call.action = "SCMP_ACT_TRAP";
  st = run_filtered (&s, mkdir_errno);
  report ("SCMP_ACT_TRAP raises SIGSYS", WIFSIGNALED (st) && WTERMSIG (st) == SIGSYS, "status %#x",
          st);
  call.action = "SCMP_ACT_LOG";
  st = run_filtered (&s, mkdir_errno);
  report ("SCMP_ACT_LOG lets the call through", WIFEXITED (st) && WEXITSTATUS (st) == 0,
          "status %#x", st);

  {
    char *names[] = { "personality", NULL };
    struct oci_seccomp_arg arg = { .index = 0, .value = 0xffffffff, .op_num = SCMP_CMP_EQ };
    struct oci_seccomp_syscall pc
        = { .names = names, .action = "SCMP_ACT_ERRNO", .args = &arg, .args_len = 1 };
    struct oci_seccomp ps
        = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &pc, .syscalls_len = 1 };
    st = run_filtered (&ps, personality_checks);
    report ("SCMP_CMP_EQ on an argument", WIFEXITED (st) && WEXITSTATUS (st) == 0, "status %#x",
            st);
  }
  {
    char *names[] = { "socket", NULL };
    /* (domain & 0xff) == AF_INET, or (domain & 0xff) == AF_INET6 */
    struct oci_seccomp_arg args[] = {
      { .index = 0, .value = 0xff, .value_two = AF_INET, .op_num = SCMP_CMP_MASKED_EQ },
      { .index = 0, .value = 0xff, .value_two = AF_INET6, .op_num = SCMP_CMP_MASKED_EQ },
    };
    struct oci_seccomp_syscall sc = { .names = names,
                                      .action = "SCMP_ACT_ERRNO",
                                      .has_errno_ret = true,
                                      .errno_ret = EACCES,
                                      .args = args,
                                      .args_len = ARRAY_SIZE (args) };
    struct oci_seccomp ss
        = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .syscalls_len = 1 };
    st = run_filtered (&ss, socket_alternatives);
    report ("SCMP_CMP_MASKED_EQ; conditions on one argument are alternatives",
            WIFEXITED (st) && WEXITSTATUS (st) == 0, "status %#x", st);

    args[1] = (struct oci_seccomp_arg){ .index = 1, .value = SOCK_DGRAM, .op_num = SCMP_CMP_EQ };
    st = run_filtered (&ss, socket_conjunction);
    report ("conditions on distinct arguments must all hold",
            WIFEXITED (st) && WEXITSTATUS (st) == 0, "status %#x", st);
  }
}

/* The agent's side: accept the init's connection, read the state until the
 * init closes it, answer one notification with EEXIST. */
static int
agent (int lsock, pid_t child, char **state, tong_error *err)
{
  _cleanup_close_ int conn = -1, nfd = -1;
  struct seccomp_notif *req = NULL;
  struct seccomp_notif_resp *resp = NULL;
  char buf[8192];
  size_t len = 0;
  int r;

  conn = accept4 (lsock, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    return tong_err (err, errno, "accept");
  r = fd_recv (conn, &nfd, buf, sizeof buf - 1, err);
  if (r < 0)
    return r;
  len = (size_t) r;
  for (;;)
    {
      ssize_t n = read (conn, buf + len, sizeof buf - 1 - len);
      if (n <= 0)
        break;
      len += (size_t) n;
    }
  buf[len] = '\0';
  *state = xstrdup (buf);

  if (seccomp_notify_alloc (&req, &resp) < 0)
    return tong_err (err, ENOMEM, "seccomp_notify_alloc");
  r = seccomp_notify_receive (nfd, req);
  if (r == 0)
    {
      resp->id = req->id;
      resp->error = (req->pid == (uint32_t) child) ? -EEXIST : -EINVAL;
      resp->val = 0;
      resp->flags = 0;
      r = seccomp_notify_respond (nfd, resp);
    }
  seccomp_notify_free (req, resp);
  if (r < 0)
    return tong_err (err, -r, "notification");
  return 0;
}

static bool
json_has (yajl_val tree, const char **path, const char *want)
{
  yajl_val v = yajl_tree_get (tree, path, yajl_t_any);
  char buf[64];

  if (!v)
    return false;
  if (YAJL_IS_STRING (v))
    return strcmp (v->u.string, want) == 0;
  if (YAJL_IS_NUMBER (v))
    {
      snprintf (buf, sizeof buf, "%s", YAJL_GET_NUMBER (v));
      return strcmp (buf, want) == 0;
    }
  return false;
}

static void
test_notify_listener (void)
{
  struct oci_seccomp_syscall call = { .names = mkdir_names, .action = "SCMP_ACT_NOTIFY" };
  struct oci_seccomp s = { .default_action = "SCMP_ACT_ALLOW",
                           .syscalls = &call,
                           .syscalls_len = 1,
                           .listener_metadata = "meta=1" };
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  _cleanup_free_ char *path = xasprintf ("%s/agent.sock", tmpdir);
  _cleanup_free_ char *state = NULL;
  _cleanup_close_ int lsock = -1;
  tong_error err = { 0 };
  int status = -1, r;
  pid_t child;

  snprintf (addr.sun_path, sizeof addr.sun_path, "%s", path);
  lsock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lsock < 0 || bind (lsock, (struct sockaddr *) &addr, sizeof addr) < 0
      || listen (lsock, 1) < 0)
    {
      report ("notify: listener protocol", false, "listen: %s", strerror (errno));
      return;
    }
  s.listener_path = path;
  child = fork ();
  if (child == 0)
    {
      struct seccomp_program *prog = NULL;
      struct seccomp_plan *plan = NULL;
      _cleanup_free_ char *state_json
          = xasprintf ("{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"pid\":%d,"
                       "\"status\":\"created\",\"annotations\":{\"a\":\"b\"}}",
                       (int) getpid ());
      close (lsock);
      if (plan_for (&s, &prog, &plan, &err) < 0 || prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
          || seccomp_plan_load (plan, state_json, &err) < 0)
        {
          fprintf (stderr, "child: %s\n", err.msg);
          _exit (100);
        }
      _exit (mkdir_errno ());
    }
  r = agent (lsock, child, &state, &err);
  waitpid (child, &status, 0);
  report ("notify: the agent's answer reaches the process",
          r == 0 && WIFEXITED (status) && WEXITSTATUS (status) == EEXIST, "r=%d %s status %#x", r,
          err.msg, status);
  {
    char pid[32], errbuf[128];
    yajl_val tree = state ? yajl_tree_parse (state, errbuf, sizeof errbuf) : NULL;
    const char *p_fd[] = { "fds", NULL };
    const char *p_pid[] = { "pid", NULL };
    const char *p_meta[] = { "metadata", NULL };
    const char *p_ver[] = { "ociVersion", NULL };
    const char *p_spid[] = { "state", "pid", NULL };
    const char *p_id[] = { "state", "id", NULL };
    const char *p_ann[] = { "state", "annotations", "a", NULL };
    yajl_val fds = tree ? yajl_tree_get (tree, p_fd, yajl_t_array) : NULL;

    snprintf (pid, sizeof pid, "%d", (int) child);
    report ("notify: the container process state follows the spec",
            tree && fds && fds->u.array.len == 1 && YAJL_IS_STRING (fds->u.array.values[0])
                && strcmp (fds->u.array.values[0]->u.string, "seccompFd") == 0
                && json_has (tree, p_pid, pid) && json_has (tree, p_spid, pid)
                && json_has (tree, p_meta, "meta=1") && json_has (tree, p_ver, "1.2.0")
                && json_has (tree, p_id, "c1") && json_has (tree, p_ann, "b"),
            "got %s", state ? state : "(nothing)");
    if (tree)
      yajl_tree_free (tree);
  }
  unlink (path);
}

/* The cache's key: every field counts, and no string can pass for the next. */
static void
test_cache_key (void)
{
  static char *one[] = { "mkdir", NULL }, *forged[] = { "mkdir\nname 5:rmdir", NULL };
  static char *two[] = { "mkdir", "rmdir", NULL }, *x86[] = { "SCMP_ARCH_X86", NULL };
  struct oci_seccomp_arg arg = { .index = 1, .value = 0, .op = "SCMP_CMP_EQ" };
  struct oci_seccomp_syscall rule = { .names = one, .action = "SCMP_ACT_ERRNO" };
  struct oci_seccomp s
      = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &rule, .syscalls_len = 1 };
  _cleanup_free_ char *base = seccomp_cache_key (&s), *again = seccomp_cache_key (&s);
  char *k;
  int differ = 0, tries = 0;

  report ("cache key: the same spec, the same key", base && again && strcmp (base, again) == 0,
          "%s", base ? "" : "no key (no build id?)");
  if (!base)
    return;
#define DIFFERS(change, undo)                                                                      \
  do                                                                                               \
    {                                                                                              \
      change;                                                                                      \
      k = seccomp_cache_key (&s);                                                                  \
      differ += k && strcmp (k, base) != 0;                                                        \
      tries++;                                                                                     \
      free (k);                                                                                    \
      undo;                                                                                        \
    }                                                                                              \
  while (0)
  DIFFERS (s.default_action = "SCMP_ACT_LOG", s.default_action = "SCMP_ACT_ALLOW");
  DIFFERS ((s.has_default_errno_ret = true, s.default_errno_ret = 1),
           (s.has_default_errno_ret = false, s.default_errno_ret = 0));
  DIFFERS (s.architectures = x86, s.architectures = NULL);
  DIFFERS (s.flags = x86, s.flags = NULL);
  DIFFERS (s.listener_path = "", s.listener_path = NULL);
  DIFFERS (s.listener_metadata = "m", s.listener_metadata = NULL);
  DIFFERS (rule.action = "SCMP_ACT_KILL", rule.action = "SCMP_ACT_ERRNO");
  DIFFERS ((rule.has_errno_ret = true, rule.errno_ret = 38),
           (rule.has_errno_ret = false, rule.errno_ret = 0));
  DIFFERS (rule.names = two, rule.names = one);
  DIFFERS ((rule.args = &arg, rule.args_len = 1), (rule.args = NULL, rule.args_len = 0));
#undef DIFFERS
  report ("cache key: each field changes it", differ == tries, "%d of %d", differ, tries);
  {
    _cleanup_free_ char *a, *b;
    rule.names = forged;
    a = seccomp_cache_key (&s);
    rule.names = two;
    b = seccomp_cache_key (&s);
    rule.names = one;
    report ("cache key: a name cannot forge the next field", a && b && strcmp (a, b) != 0, "%s",
            a ? a : "");
  }
}

int
main (void)
{
  if (!mkdtemp (tmpdir))
    {
      perror ("mkdtemp");
      return 1;
    }
  test_every_action_and_operator ();
  test_invalid ();
  test_loaded_filters ();
  test_notify_listener ();
  test_cache_key ();
  {
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      fprintf (stderr, "could not remove %s\n", tmpdir);
  }
  return failures ? 1 : 0;
}
