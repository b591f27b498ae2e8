#include "mount-options.h"

#include <errno.h>
#include <string.h>

#include "src/base/syscalls.h"

#include "src/base/util.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum option_kind
{
  OPT_SET,         /* set `flag` in mount(2) flags */
  OPT_CLEAR,       /* clear `flag` */
  OPT_PROPAGATION, /* a propagation change applied after the mount */
  OPT_REC_SET,     /* mount_setattr(AT_RECURSIVE) sets `flag` (MOUNT_ATTR_*) */
  OPT_REC_CLEAR,   /* mount_setattr(AT_RECURSIVE) clears `flag` */
  OPT_REC_ATIME,   /* mount_setattr(AT_RECURSIVE) sets the atime mode `flag` */
  OPT_IGNORE,
};

struct option_def
{
  const char *name;
  enum option_kind kind;
  unsigned long flag;
};

static const struct option_def option_defs[] = {
  { "defaults", OPT_IGNORE, 0 },
  { "bind", OPT_SET, MS_BIND },
  { "rbind", OPT_SET, MS_BIND | MS_REC },
  { "remount", OPT_SET, MS_REMOUNT },
  { "ro", OPT_SET, MS_RDONLY },
  { "rw", OPT_CLEAR, MS_RDONLY },
  { "nosuid", OPT_SET, MS_NOSUID },
  { "suid", OPT_CLEAR, MS_NOSUID },
  { "nodev", OPT_SET, MS_NODEV },
  { "dev", OPT_CLEAR, MS_NODEV },
  { "noexec", OPT_SET, MS_NOEXEC },
  { "exec", OPT_CLEAR, MS_NOEXEC },
  { "sync", OPT_SET, MS_SYNCHRONOUS },
  { "async", OPT_CLEAR, MS_SYNCHRONOUS },
  { "dirsync", OPT_SET, MS_DIRSYNC },
  { "mand", OPT_SET, MS_MANDLOCK },
  { "nomand", OPT_CLEAR, MS_MANDLOCK },
  { "noatime", OPT_SET, MS_NOATIME },
  { "atime", OPT_CLEAR, MS_NOATIME },
  { "nodiratime", OPT_SET, MS_NODIRATIME },
  { "diratime", OPT_CLEAR, MS_NODIRATIME },
  { "relatime", OPT_SET, MS_RELATIME },
  { "norelatime", OPT_CLEAR, MS_RELATIME },
  { "strictatime", OPT_SET, MS_STRICTATIME },
  { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
  { "lazytime", OPT_SET, MS_LAZYTIME },
  { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
  { "iversion", OPT_SET, MS_I_VERSION },
  { "noiversion", OPT_CLEAR, MS_I_VERSION },
  { "silent", OPT_SET, MS_SILENT },
  { "loud", OPT_CLEAR, MS_SILENT },
  { "nosymfollow", OPT_SET, MS_NOSYMFOLLOW },
  { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
  { "shared", OPT_PROPAGATION, MS_SHARED },
  { "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
  { "slave", OPT_PROPAGATION, MS_SLAVE },
  { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
  { "private", OPT_PROPAGATION, MS_PRIVATE },
  { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
  { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
  { "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
  /* Recursive attributes, as runc's "rro" family: applied to the mount and
   * every mount below it with mount_setattr(2). */
  { "rro", OPT_REC_SET, MOUNT_ATTR_RDONLY },
  { "rrw", OPT_REC_CLEAR, MOUNT_ATTR_RDONLY },
  { "rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID },
  { "rsuid", OPT_REC_CLEAR, MOUNT_ATTR_NOSUID },
  { "rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV },
  { "rdev", OPT_REC_CLEAR, MOUNT_ATTR_NODEV },
  { "rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC },
  { "rexec", OPT_REC_CLEAR, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", OPT_REC_CLEAR, MOUNT_ATTR_NODIRATIME },
  { "rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", OPT_REC_CLEAR, MOUNT_ATTR_NOSYMFOLLOW },
  { "rrelatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME },
  { "rnoatime", OPT_REC_ATIME, MOUNT_ATTR_NOATIME },
  { "rstrictatime", OPT_REC_ATIME, MOUNT_ATTR_STRICTATIME },
};

/* Setting one of these clears the others: the kernel keeps one atime mode. */
static const unsigned long atime_modes = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

const char *
mount_option_name (size_t i)
{
  return i < ARRAY_SIZE (option_defs) ? option_defs[i].name : NULL;
}

static const struct option_def *
option_lookup (const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (option_defs); i++)
    if (strcmp (option_defs[i].name, name) == 0)
      return &option_defs[i];
  return NULL;
}

static void
data_append (char **data, const char *opt)
{
  char *joined;

  if (*data == NULL)
    {
      *data = xstrdup (opt);
      return;
    }
  joined = xasprintf ("%s,%s", *data, opt);
  free (*data);
  *data = joined;
}

static void
option_apply (const struct option_def *def, struct mount_options *o)
{
  switch (def->kind)
    {
    case OPT_SET:
      if (def->flag & atime_modes)
        {
          o->flags &= ~atime_modes;
          o->cleared &= ~atime_modes;
        }
      o->flags |= def->flag;
      o->cleared &= ~def->flag;
      break;
    case OPT_CLEAR:
      o->flags &= ~def->flag;
      o->cleared |= def->flag;
      break;
    case OPT_PROPAGATION:
      o->propagation = def->flag;
      break;
    case OPT_REC_SET:
      o->rec_attr_set |= def->flag;
      o->rec_attr_clr &= ~(uint64_t) def->flag;
      break;
    case OPT_REC_CLEAR:
      o->rec_attr_clr |= def->flag;
      o->rec_attr_set &= ~(uint64_t) def->flag;
      break;
    case OPT_REC_ATIME:
      o->rec_attr_set = (o->rec_attr_set & ~(uint64_t) MOUNT_ATTR__ATIME) | def->flag;
      o->rec_attr_clr |= MOUNT_ATTR__ATIME;
      break;
    case OPT_IGNORE:
      break;
    }
}

int
mount_options_parse (char *const *options, struct mount_options *out, tong_error *err)
{
  memset (out, 0, sizeof *out);
  if (options == NULL)
    return 0;
  for (char *const *p = options; *p; p++)
    {
      const struct option_def *def;

      if (**p == '\0')
        continue;
      if (strchr (*p, '\n'))
        {
          mount_options_release (out);
          return tong_err (err, 0, "mount option `%s` contains a newline", *p);
        }
      def = option_lookup (*p);
      if (def)
        option_apply (def, out);
      else
        data_append (&out->data, *p);
    }
  return 0;
}

void
mount_options_release (struct mount_options *o)
{
  free (o->data);
  o->data = NULL;
}

unsigned long
mount_options_bind_remount_flags (const struct mount_options *o)
{
  return o->flags & ~(unsigned long) (MS_BIND | MS_REC | MS_REMOUNT);
}

int
mount_propagation_parse (const char *value, unsigned long *out, tong_error *err)
{
  const struct option_def *def = option_lookup (value);

  if (def == NULL || def->kind != OPT_PROPAGATION)
    return tong_err (err, 0,
                     "linux.rootfsPropagation: unknown value `%s` (use shared, slave, private or "
                     "unbindable, optionally with an r prefix)",
                     value);
  *out = def->flag;
  return 0;
}

uint64_t
mount_attr_from_flags (unsigned long flags)
{
  uint64_t attr = 0;

  if (flags & MS_RDONLY)
    attr |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID)
    attr |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV)
    attr |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC)
    attr |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NODIRATIME)
    attr |= MOUNT_ATTR_NODIRATIME;
  /* The atime modes are one field; the strictest asked wins, as in mount(2). */
  if (flags & MS_STRICTATIME)
    attr |= MOUNT_ATTR_STRICTATIME;
  else if (flags & MS_NOATIME)
    attr |= MOUNT_ATTR_NOATIME;
  else if (flags & MS_RELATIME)
    attr |= MOUNT_ATTR_RELATIME;
  return attr;
}

/* Skip the slashes at *p; true when a component follows. */
static bool
skip_slashes (const char **p)
{
  while (**p == '/')
    (*p)++;
  return **p != '\0';
}

const char *
mount_path_beneath (const char *dest, const char *path)
{
  const char *d = dest, *p = path, *rest;

  if (d == NULL || p == NULL || *d != '/' || *p != '/')
    return NULL;
  for (;;)
    {
      size_t dn, pn;

      if (!skip_slashes (&d))
        break;
      if (!skip_slashes (&p))
        return NULL;
      dn = strcspn (d, "/");
      pn = strcspn (p, "/");
      if (dn != pn || strncmp (d, p, dn) != 0 || (dn == 2 && strncmp (d, "..", 2) == 0))
        return NULL;
      d += dn;
      p += pn;
    }
  skip_slashes (&p);
  rest = p;
  while (*p)
    {
      size_t n = strcspn (p, "/");

      if (n == 2 && strncmp (p, "..", 2) == 0)
        return NULL;
      p += n;
      skip_slashes (&p);
    }
  return rest;
}

char *
mount_options_labelled (const char *data, const char *type, const char *label)
{
  static const char *const keep_own_label[] = { "proc", "sysfs", "cgroup", "cgroup2", "mqueue" };

  if (!label || !*label || !type)
    return NULL;
  for (size_t i = 0; i < ARRAY_SIZE (keep_own_label); i++)
    if (strcmp (type, keep_own_label[i]) == 0)
      return NULL;
  if (data && *data)
    return xasprintf ("%s,context=\"%s\"", data, label);
  return xasprintf ("context=\"%s\"", label);
}

bool
path_equal (const char *a, const char *b)
{
  for (;;)
    {
      while (*a == '/' && (a[1] == '/' || a[1] == '\0'))
        a++;
      while (*b == '/' && (b[1] == '/' || b[1] == '\0'))
        b++;
      if (*a != *b)
        return false;
      if (*a == '\0')
        return true;
      a++;
      b++;
    }
}
