#include "cache.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/json-gen.h"
#include "src/base/format.h"
#include "src/base/log.h"
#include "src/seccomp/lib.h"
#include "src/base/util.h"

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

static uint64_t
fnv1a (const void *p, size_t n)
{
  const unsigned char *b = p;
  uint64_t h = 0xcbf29ce484222325ULL;

  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001b3ULL;
  return h;
}

/* tong's build id in hex ("" when it has none). */
struct build_id
{
  char hex[2 * 64 + 1];
};

static int
build_id_note (struct dl_phdr_info *info, size_t size, void *data)
{
  static const char digits[] = "0123456789abcdef";
  struct build_id *out = data;

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
          if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp (name, "GNU", 4) == 0
              && n->n_descsz <= 64)
            {
              for (ElfW (Word) k = 0; k < n->n_descsz; k++)
                {
                  out->hex[2 * k] = digits[desc[k] >> 4];
                  out->hex[2 * k + 1] = digits[desc[k] & 15];
                }
              out->hex[2 * n->n_descsz] = '\0';
              return 1;
            }
          p = (const char *) desc + ((n->n_descsz + 3) & ~(ElfW (Word)) 3);
        }
    }
  return 1;
}

/* A string of the spec, or null: JSON's quoting keeps each field apart. */
static void
gen_string (yajl_gen g, const char *s)
{
  if (s)
    json_gen_string (g, s);
  else
    yajl_gen_null (g);
}

static void
gen_strv (yajl_gen g, char **v)
{
  yajl_gen_array_open (g);
  for (size_t i = 0; v && v[i]; i++)
    json_gen_string (g, v[i]);
  yajl_gen_array_close (g);
}

static void
gen_errno (yajl_gen g, bool has, uint32_t value)
{
  if (has)
    json_gen_integer (g, value);
  else
    yajl_gen_null (g);
}

/* A uint64 as text: more than json_gen_integer takes. */
static void
gen_u64 (yajl_gen g, uint64_t v)
{
  char n[24];

  str_format (n, sizeof n, "%llu", (unsigned long long) v);
  json_gen_string (g, n);
}

static void
json_gen_freep (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}

char *
seccomp_cache_key (const struct oci_seccomp *s)
{
  __attribute__ ((cleanup (json_gen_freep))) yajl_gen g = NULL;
  _cleanup_free_ char *boot = NULL;
  struct build_id id = { "" };
  const unsigned char *buf;
  tong_error ignored;
  size_t len;
  char *key;

  /* tong's own build: how it turns the spec into rules. */
  dl_iterate_phdr (build_id_note, &id);
  if (!id.hex[0])
    return NULL;
  /* The kernel (its seccomp features decide what libseccomp emits), until
   * the next boot. */
  if (read_file_at (AT_FDCWD, "/proc/sys/kernel/random/boot_id", &boot, NULL, &ignored) < 0)
    return NULL;
  g = yajl_gen_alloc (NULL);
  yajl_gen_array_open (g);
  json_gen_string (g, "tong-seccomp-cache 1");
  json_gen_string (g, id.hex);
  json_gen_string (g, boot);
  gen_string (g, s->default_action);
  gen_errno (g, s->has_default_errno_ret, s->default_errno_ret);
  gen_strv (g, s->architectures);
  gen_strv (g, s->flags);
  gen_string (g, s->listener_path);
  gen_string (g, s->listener_metadata);
  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      const struct oci_seccomp_syscall *sc = &s->syscalls[i];

      yajl_gen_array_open (g);
      gen_string (g, sc->action);
      gen_errno (g, sc->has_errno_ret, sc->errno_ret);
      gen_strv (g, sc->names);
      for (size_t j = 0; j < sc->args_len; j++)
        {
          const struct oci_seccomp_arg *a = &sc->args[j];

          yajl_gen_array_open (g);
          json_gen_integer (g, a->index);
          gen_u64 (g, a->value);
          gen_u64 (g, a->value_two);
          gen_string (g, a->op);
          yajl_gen_array_close (g);
        }
      yajl_gen_array_close (g);
    }
  yajl_gen_array_close (g);
  if (yajl_gen_get_buf (g, &buf, &len) != yajl_gen_status_ok)
    return NULL;
  key = xmalloc (len + 1);
  memcpy (key, buf, len);
  key[len] = '\0';
  return key;
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

/* The cache is trusted only where nobody but this user could have written
 * it: a directory (not a symlink) and files owned by the effective user and
 * writable by nobody else.  A --root in a directory other users may write
 * must not hand a container a filter somebody else compiled. */
static bool
owned_privately (const struct stat *st)
{
  return st->st_uid == geteuid () && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static int
open_cache_dir (int rootfd)
{
  int fd = openat (rootfd, SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;

  if (fd >= 0 && (fstat (fd, &st) < 0 || !owned_privately (&st)))
    {
      log_debug ("seccomp: the cache %s is not this user's alone: not used", SECCOMP_CACHE_DIR);
      close (fd);
      return -1;
    }
  return fd;
}

bool
seccomp_cache_lookup (int rootfd, const char *key, struct seccomp_program **out)
{
  _cleanup_close_ int dirfd = open_cache_dir (rootfd);
  _cleanup_free_ char *name = NULL, *data = NULL, *lib = NULL, *now = NULL;
  struct entry_header h;
  struct seccomp_program *prog;
  struct stat st;
  tong_error ignored;
  size_t len, key_len = strlen (key), bpf_bytes;
  const char *p;

  if (dirfd < 0)
    return false;
  name = entry_name (key);
  /* Nobody else may write the directory: the file checked is the file read. */
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode)
      || !owned_privately (&st))
    return false;
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
  dirfd = open_cache_dir (rootfd);
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
