#include "util.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "src/base/syscalls.h"

static void __attribute__ ((noreturn)) oom (void)
{
  static const char msg[] = "tong: out of memory\n";
  (void) !write (STDERR_FILENO, msg, sizeof msg - 1);
  abort ();
}

void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  if (!p)
    oom ();
  return p;
}

void *
xcalloc (size_t n, size_t m)
{
  void *p = calloc (n ? n : 1, m ? m : 1);
  if (!p)
    oom ();
  return p;
}

void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (!p)
    oom ();
  return p;
}

char *
xstrdup (const char *s)
{
  char *p = strdup (s);
  if (!p)
    oom ();
  return p;
}

char *
xstrndup (const char *s, size_t n)
{
  char *p = strndup (s, n);
  if (!p)
    oom ();
  return p;
}

void
strv_add (char ***v, const char *s)
{
  size_t n = 0;

  while (*v && (*v)[n])
    n++;
  *v = xrealloc (*v, (n + 2) * sizeof **v);
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

char *
xvasprintf (const char *fmt, va_list ap)
{
  va_list again;
  char *p;
  int n;

  va_copy (again, ap);
  n = str_vformat (NULL, 0, fmt, again);
  va_end (again);
  if (n < 0)
    oom ();
  p = xmalloc ((size_t) n + 1);
  str_vformat (p, (size_t) n + 1, fmt, ap);
  return p;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *p;

  va_start (ap, fmt);
  p = xvasprintf (fmt, ap);
  va_end (ap);
  return p;
}

int
out_puts (const char *s)
{
  return write_all (STDOUT_FILENO, s, strlen (s));
}

bool
in_user_namespace (void)
{
  unsigned long long id[3];
  const char *p;
  char buf[128];
  int fd = open ("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return false;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  p = buf;
  for (int i = 0; i < 3; i++)
    {
      while (*p == ' ')
        p++;
      p = digits_scan (p, &id[i]);
      if (!p)
        return false;
    }
  /* The host's: one line mapping every id to itself. */
  return !(id[0] == 0 && id[1] == 0 && id[2] == 4294967295ULL && strcmp (p, "\n") == 0);
}

char *
path_lookup (const char *name)
{
  const char *path = getenv ("PATH");
  _cleanup_free_ char *copy = xstrdup (
      path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  char *save = NULL;

  /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): copy is freed by _cleanup_free_ */
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *full = xasprintf ("%s/%s", *dir ? dir : ".", name);
      if (access (full, X_OK) == 0)
        return full;
      free (full);
    }
  return NULL;
}
