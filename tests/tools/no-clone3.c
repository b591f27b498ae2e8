/* no-clone3 CMD [ARG...]: run CMD with clone3(2) failing with ENOSYS, as
 * under an old kernel or a container engine's default seccomp profile, so
 * that the tests exercise tong's clone(2) fallback.  The filter is inherited
 * by everything CMD starts. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "no-clone3: add this architecture's AUDIT_ARCH"
#endif

int
main (int argc, char **argv)
{
  struct sock_filter code[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { .len = sizeof code / sizeof code[0], .filter = code };

  if (argc < 2)
    {
      fprintf (stderr, "usage: no-clone3 CMD [ARG...]\n");
      return 2;
    }
  /* Root may install a filter as it is; anyone else needs no_new_privs. */
  if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0
      && (errno != EACCES || prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
          || prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0))
    {
      fprintf (stderr, "no-clone3: install the filter: %s\n", strerror (errno));
      return 1;
    }
  execvp (argv[1], argv + 1);
  fprintf (stderr, "no-clone3: exec %s: %s\n", argv[1], strerror (errno));
  return 127;
}
