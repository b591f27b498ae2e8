#include "seccomp_cache.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/format.h"
#include "src/log.h"
#include "src/seccomp_lib.h"
#include "src/util.h"

/* An entry: this header, then the key, the record of the libseccomp that
 * compiled the program ("PATH DEV INO SIZE MTIME.NSEC"), the program. */
struct entry_header
{
  char magic[8];     /* ENTRY_MAGIC */
  uint64_t checksum; /* FNV-1a of everything after this field */
  uint32_t key_len, lib_len, notifies, insns;
};

#define ENTRY_MAGIC "tongbpf1"
#define SUMMED_FROM offsetof (struct entry_header, key_len)

/* A growing string. */
struct text
{
  char *s;
  size_t len, cap;
};

static void
text_add (struct text *t, const void *p, size_t n)
{
  if (t->len + n + 1 > t->cap)
    {
      t->cap = (t->len + n + 1) * 2;
      t->s = xrealloc (t->s, t->cap);
    }
  memcpy (t->s + t->len, p, n);
  t->len += n;
  t->s[t->len] = '\0';
}

static void text_printf (struct text *t, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
text_printf (struct text *t, const char *fmt, ...)
{
  char buf[128];
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = str_vformat (buf, sizeof buf, fmt, ap);
  va_end (ap);
  if (n > 0)
    text_add (t, buf, (size_t) n < sizeof buf ? (size_t) n : sizeof buf - 1);
}

/* A string of the spec: its length first, so that no content can pass for
 * the next field. */
static void
text_field (struct text *t, const char *what, const char *s)
{
  text_printf (t, "%s %zu:", what, s ? strlen (s) : (size_t) 0);
  if (s)
    text_add (t, s, strlen (s));
  text_add (t, s ? "\n" : "-\n", s ? 1 : 2);
}

static uint64_t
fnv1a (const void *p, size_t n)
{
  const unsigned char *b = p;
  uint64_t h = 0xcbf29ce484222325ULL;

  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001b3ULL;
  return h;
}

static int
build_id_note (struct dl_phdr_info *info, size_t size, void *data)
{
  struct text *out = data;

  (void) size;
  /* The first object is the program itself. */
  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[i];
      const char *p, *end;

      if (ph->p_type != PT_NOTE)
        continue;
      p = (const char *) (info->dlpi_addr + ph->p_vaddr);
      end = p + ph->p_memsz;
      while (p + sizeof (ElfW (Nhdr)) <= end)
        {
          const ElfW (Nhdr) *n = (const void *) p;
          const char *name = p + sizeof *n;
          const unsigned char *desc
              = (const unsigned char *) name + ((n->n_namesz + 3) & ~(ElfW (Word)) 3);

          if ((const char *) desc + n->n_descsz > end)
            break;
          if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp (name, "GNU", 4) == 0)
            {
              for (ElfW (Word) k = 0; k < n->n_descsz; k++)
                text_printf (out, "%02x", desc[k]);
              return 1;
            }
          p = (const char *) desc + ((n->n_descsz + 3) & ~(ElfW (Word)) 3);
        }
    }
  return 1;
}

char *
seccomp_cache_key (const struct oci_seccomp *s)
{
  struct text t = { 0 }, id = { 0 };
  _cleanup_free_ char *boot = NULL;
  tong_error ignored;

  /* tong's own build: how it turns the spec into rules. */
  dl_iterate_phdr (build_id_note, &id);
  if (!id.s)
    return NULL;
  /* The kernel (its seccomp features decide what libseccomp emits), until
   * the next boot. */
  if (read_file_at (AT_FDCWD, "/proc/sys/kernel/random/boot_id", &boot, NULL, &ignored) < 0)
    {
      free (id.s);
      return NULL;
    }
  text_printf (&t, "tong-seccomp-cache 1\n");
  text_field (&t, "build", id.s);
  free (id.s);
  text_field (&t, "boot", boot);
  text_field (&t, "default", s->default_action);
  text_printf (&t, "errno %d %u\n", s->has_default_errno_ret, s->default_errno_ret);
  for (size_t i = 0; s->architectures && s->architectures[i]; i++)
    text_field (&t, "arch", s->architectures[i]);
  for (size_t i = 0; s->flags && s->flags[i]; i++)
    text_field (&t, "flag", s->flags[i]);
  text_field (&t, "listener", s->listener_path);
  text_field (&t, "metadata", s->listener_metadata);
  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      const struct oci_seccomp_syscall *sc = &s->syscalls[i];

      text_field (&t, "rule", sc->action);
      text_printf (&t, "errno %d %u\n", sc->has_errno_ret, sc->errno_ret);
      for (size_t j = 0; sc->names && sc->names[j]; j++)
        text_field (&t, "name", sc->names[j]);
      for (size_t j = 0; j < sc->args_len; j++)
        {
          const struct oci_seccomp_arg *a = &sc->args[j];
          text_printf (&t, "arg %u %llu %llu\n", a->index, (unsigned long long) a->value,
                       (unsigned long long) a->value_two);
          text_field (&t, "op", a->op);
        }
    }
  return t.s;
}

/* "PATH DEV INO SIZE MTIME.NSEC" of a file, or NULL. */
static char *
file_record (const char *path)
{
  struct stat st;

  if (!path || stat (path, &st) < 0)
    return NULL;
  return xasprintf ("%s %llu %llu %lld %lld.%ld", path, (unsigned long long) st.st_dev,
                    (unsigned long long) st.st_ino, (long long) st.st_size,
                    (long long) st.st_mtim.tv_sec, (long) st.st_mtim.tv_nsec);
}

static char *
entry_name (const char *key)
{
  return xasprintf ("%016llx", (unsigned long long) fnv1a (key, strlen (key)));
}

bool
seccomp_cache_lookup (int rootfd, const char *key, struct seccomp_program **out)
{
  _cleanup_close_ int dirfd
      = openat (rootfd, SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *name = NULL, *data = NULL, *lib = NULL, *now = NULL;
  struct entry_header h;
  struct seccomp_program *prog;
  tong_error ignored;
  size_t len, key_len = strlen (key), bpf_bytes;
  const char *p;

  if (dirfd < 0)
    return false;
  name = entry_name (key);
  if (read_file_if_exists_at (dirfd, name, &data, &len, &ignored) < 0 || !data || len < sizeof h)
    return false;
  memcpy (&h, data, sizeof h);
  bpf_bytes = (size_t) h.insns * sizeof (struct sock_filter);
  if (memcmp (h.magic, ENTRY_MAGIC, sizeof h.magic) != 0 || h.key_len != key_len || h.insns == 0
      || h.insns > BPF_MAXINSNS || len != sizeof h + (size_t) h.key_len + h.lib_len + bpf_bytes
      || h.checksum != fnv1a (data + SUMMED_FROM, len - SUMMED_FROM))
    return false;
  p = data + sizeof h;
  if (memcmp (p, key, key_len) != 0)
    return false;
  p += key_len;
  /* The libseccomp that compiled it is still there, unchanged. */
  lib = xmalloc ((size_t) h.lib_len + 1);
  memcpy (lib, p, h.lib_len);
  lib[h.lib_len] = '\0';
  p += h.lib_len;
  {
    char *sp = strchr (lib, ' ');
    if (!sp)
      return false;
    *sp = '\0';
    now = file_record (lib);
    *sp = ' ';
    if (!now || strcmp (now, lib) != 0)
      return false;
  }
  prog = xcalloc (1, sizeof *prog);
  prog->bpf = xmalloc (bpf_bytes);
  memcpy (prog->bpf, p, bpf_bytes);
  prog->len = h.insns;
  prog->notifies = h.notifies != 0;
  *out = prog;
  log_debug ("seccomp: the filter from %s/%s", SECCOMP_CACHE_DIR, name);
  return true;
}

/* Storing one more than SECCOMP_CACHE_MAX: empty the cache first. */
static void
make_room (int dirfd)
{
  DIR *d;
  struct dirent *de;
  size_t n = 0;
  int fd = dup (dirfd);

  if (fd < 0 || !(d = fdopendir (fd)))
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  while ((de = readdir (d)))
    if (de->d_name[0] != '.')
      n++;
  if (n >= SECCOMP_CACHE_MAX)
    {
      rewinddir (d);
      while ((de = readdir (d)))
        if (de->d_name[0] != '.')
          unlinkat (dirfd, de->d_name, 0);
    }
  closedir (d);
}

void
seccomp_cache_store (int rootfd, const char *key, const struct seccomp_program *prog)
{
  _cleanup_free_ char *path = seccomp_lib_path (), *lib = file_record (path), *name = NULL;
  _cleanup_free_ char *data = NULL;
  _cleanup_close_ int dirfd = -1;
  struct entry_header h = { 0 };
  size_t key_len = strlen (key), bpf_bytes = prog->len * sizeof (struct sock_filter), len;
  tong_error err = { 0 };
  char *p;

  if (!lib)
    {
      log_debug ("seccomp: the filter is not cached: where libseccomp is loaded from is unknown");
      return;
    }
  if (mkdirat (rootfd, SECCOMP_CACHE_DIR, 0700) < 0 && errno != EEXIST)
    {
      log_debug ("seccomp: the filter is not cached: mkdir %s: %s", SECCOMP_CACHE_DIR,
                 strerror (errno));
      return;
    }
  dirfd = openat (rootfd, SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dirfd < 0)
    return;
  make_room (dirfd);
  memcpy (h.magic, ENTRY_MAGIC, sizeof h.magic);
  h.key_len = (uint32_t) key_len;
  h.lib_len = (uint32_t) strlen (lib);
  h.notifies = prog->notifies;
  h.insns = (uint32_t) prog->len;
  len = sizeof h + key_len + h.lib_len + bpf_bytes;
  data = xmalloc (len);
  p = data + sizeof h;
  memcpy (p, key, key_len);
  p += key_len;
  memcpy (p, lib, h.lib_len);
  p += h.lib_len;
  memcpy (p, prog->bpf, bpf_bytes);
  memcpy (data, &h, sizeof h);
  h.checksum = fnv1a (data + SUMMED_FROM, len - SUMMED_FROM);
  memcpy (data, &h, sizeof h);
  name = entry_name (key);
  if (write_file_atomic_at (dirfd, name, data, len, 0600, &err) < 0)
    log_debug ("seccomp: the filter is not cached: %s", err.msg);
}
