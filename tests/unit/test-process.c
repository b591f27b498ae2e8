/* Unit tests for the parts of the container process that need no root:
 * capability names and sets, fd passing, hooks and the executable lookup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/process/caps.h"
#include "src/base/fdpass.h"
#include "src/process/console.h"
#include "src/container/hooks.h"
#include "src/process/process.h"
#include "tests/unit/check.h"

static void
test_cap_names (void)
{
  CHECK (caps_from_name ("CAP_CHOWN") == 0);
  CHECK (caps_from_name ("CAP_SYS_ADMIN") == 21);
  CHECK (caps_from_name ("CAP_CHECKPOINT_RESTORE") == 40);
  CHECK (caps_from_name ("CAP_FOO") == -EINVAL);
  CHECK (caps_from_name ("chown") == -EINVAL);
  CHECK (caps_from_name (NULL) == -EINVAL);
  CHECK (strcmp (caps_name (13), "CAP_NET_RAW") == 0);
  CHECK (caps_name (-1) == NULL && caps_name (64) == NULL);
  CHECK (process_cap_from_name ("CAP_KILL") == 5);
  CHECK (process_cap_last () >= 36 && process_cap_last () < 64);
}

static void
test_cap_sets (void)
{
  char *bounding[] = { "CAP_CHOWN", "CAP_KILL", "CAP_CHECKPOINT_RESTORE", NULL };
  char *bad[] = { "CAP_KILL", "CAP_FOO", NULL };
  struct oci_capabilities c = { .bounding = bounding, .ambient = bad };
  struct caps_sets sets;
  tong_error err = { 0 };
  uint64_t mask;

  CHECK (caps_parse_list (bounding, "bounding", 40, &mask, &err) == 0);
  CHECK (mask == ((1ULL << 0) | (1ULL << 5) | (1ULL << 40)));
  /* A capability the kernel does not know is left out, without an error. */
  CHECK (caps_parse_list (bounding, "bounding", 39, &mask, &err) == 0);
  CHECK (mask == ((1ULL << 0) | (1ULL << 5)));

  CHECK (caps_parse (&c, 40, &sets, &err) == -EINVAL);
  CHECK (strstr (err.msg, "process.capabilities.ambient: unknown capability \"CAP_FOO\"") != NULL);

  {
    struct oci_process proc = { .capabilities = &c };
    CHECK (process_check_capabilities (&proc, &err) == -EINVAL);
    proc.capabilities = NULL;
    CHECK (process_check_capabilities (&proc, &err) == 0);
  }

  memset (&sets, 0xff, sizeof sets);
  CHECK (caps_parse (NULL, 40, &sets, &err) == 0);
  CHECK (sets.bounding == 0 && sets.effective == 0 && sets.permitted == 0 && sets.ambient == 0
         && sets.inheritable == 0);
}

static void
test_fd_passing (void)
{
  int sp[2], fd = -1, pipefd[2];
  char payload[32] = { 0 };
  tong_error err = { 0 };
  int r;

  CHECK (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
  CHECK (pipe (pipefd) == 0);
  CHECK (console_send (sp[0], pipefd[1], &err) == 0);
  r = fd_recv (sp[1], &fd, payload, sizeof payload - 1, &err);
  CHECK (r == 9 && strcmp (payload, "/dev/ptmx") == 0);
  CHECK (fd >= 0 && (fcntl (fd, F_GETFD) & FD_CLOEXEC));
  CHECK (write (fd, "x", 1) == 1);
  CHECK (read (pipefd[0], payload, 1) == 1 && payload[0] == 'x');
  close (fd);

  /* No payload: one byte travels anyway, and the receiver gets the fd. */
  CHECK (fd_send (sp[0], pipefd[0], NULL, 0, &err) == 0);
  CHECK (fd_recv (sp[1], &fd, NULL, 0, &err) == 0 && fd >= 0);
  close (fd);

  /* A closed peer is an error, not a hang or a bogus fd. */
  close (sp[0]);
  CHECK (fd_recv (sp[1], &fd, payload, sizeof payload, &err) < 0);
  close (sp[1]);
  close (pipefd[0]);
  close (pipefd[1]);
}

static void
test_hooks (void)
{
  char *ok_args[]
      = { "sh", "-c", "read -r s; [ \"$s\" = '{\"id\":\"c1\"}' ] && [ \"$X\" = 1 ]", NULL };
  char *ok_env[] = { "X=1", NULL };
  char *fail_args[] = { "sh", "-c", "exit 3", NULL };
  char *sig_args[] = { "sh", "-c", "kill -KILL $$", NULL };
  char *slow_args[] = { "sh", "-c", "sleep 5", NULL };
  struct oci_hook items[] = {
    { .path = "/bin/sh", .args = ok_args, .env = ok_env },
    { .path = "/bin/sh", .args = fail_args },
  };
  struct oci_hook sig = { .path = "/bin/sh", .args = sig_args };
  struct oci_hook slow
      = { .path = "/bin/sh", .args = slow_args, .has_timeout = true, .timeout = 1 };
  struct oci_hook missing = { .path = "/nonexistent/hook" };
  struct oci_hook_list list = { items, 1 };
  tong_error err = { 0 };

  CHECK (hooks_run (&list, "prestart", "{\"id\":\"c1\"}\n", &err) == 0);
  list.len = 2;
  CHECK (hooks_run (&list, "prestart", "{\"id\":\"c1\"}\n", &err) < 0);
  CHECK (strcmp (err.msg, "prestart hook 1 (`/bin/sh`): exited with status 3") == 0);

  list = (struct oci_hook_list){ &sig, 1 };
  CHECK (hooks_run (&list, "poststop", "{}", &err) < 0);
  CHECK (strcmp (err.msg, "poststop hook 0 (`/bin/sh`): killed by signal SIGKILL") == 0);

  list = (struct oci_hook_list){ &slow, 1 };
  CHECK (hooks_run (&list, "createRuntime", "{}", &err) < 0);
  CHECK (strcmp (err.msg, "createRuntime hook 0 (`/bin/sh`): timed out after 1 s") == 0);

  list = (struct oci_hook_list){ &missing, 1 };
  CHECK (hooks_run (&list, "poststart", "{}", &err) == -ENOENT);
  CHECK (strstr (err.msg, "poststart hook 0 (`/nonexistent/hook`): exec") != NULL);
}

static void
test_check_executable (void)
{
  char *sh[] = { "sh", NULL };
  char *missing[] = { "no-such-program-here", NULL };
  char *abs_dir[] = { "/", NULL };
  char *rel[] = { "./sh", NULL };
  char *path_env[] = { "PATH=/nonexistent:/bin", NULL };
  struct oci_process p = { .args = sh, .env = path_env };
  tong_error err = { 0 };

  CHECK (process_check_executable (&p, &err) == 0);
  p.env = NULL; /* the default PATH has /bin */
  CHECK (process_check_executable (&p, &err) == 0);
  p.args = missing;
  CHECK (process_check_executable (&p, &err) == -ENOENT);
  CHECK (strcmp (err.msg, "exec `no-such-program-here`: executable file not found in $PATH") == 0);
  p.args = rel;
  p.cwd = "/bin";
  CHECK (process_check_executable (&p, &err) == 0);
  p.cwd = "/";
  CHECK (process_check_executable (&p, &err) == -ENOENT);
  p.args = abs_dir;
  CHECK (process_check_executable (&p, &err) == -EISDIR);
  p.args = NULL;
  CHECK (process_check_executable (&p, &err) == -EINVAL);
}

int
main (void)
{
  RUN (test_cap_names);
  RUN (test_cap_sets);
  RUN (test_fd_passing);
  RUN (test_hooks);
  RUN (test_check_executable);
  if (failures)
    {
      fprintf (stderr, "test-process: %d checks failed\n", failures);
      return 1;
    }
  printf ("test-process: all checks passed\n");
  return 0;
}
