#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "src/base/util.h"

/* Our own table rather than cap_from_name(3): the accepted spelling must not
 * depend on which libcap the binary was built against. */
/* clang-format off */
static const char *const cap_names[] = {
  "CAP_CHOWN",             "CAP_DAC_OVERRIDE",      "CAP_DAC_READ_SEARCH",   "CAP_FOWNER",
  "CAP_FSETID",            "CAP_KILL",              "CAP_SETGID",            "CAP_SETUID",
  "CAP_SETPCAP",           "CAP_LINUX_IMMUTABLE",   "CAP_NET_BIND_SERVICE",  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",         "CAP_NET_RAW",           "CAP_IPC_LOCK",          "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",        "CAP_SYS_RAWIO",         "CAP_SYS_CHROOT",        "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",         "CAP_SYS_ADMIN",         "CAP_SYS_BOOT",          "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",      "CAP_SYS_TIME",          "CAP_SYS_TTY_CONFIG",    "CAP_MKNOD",
  "CAP_LEASE",             "CAP_AUDIT_WRITE",       "CAP_AUDIT_CONTROL",     "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",      "CAP_MAC_ADMIN",         "CAP_SYSLOG",            "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",     "CAP_AUDIT_READ",        "CAP_PERFMON",           "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};
/* clang-format on */

int
caps_from_name (const char *name)
{
  if (!name)
    return -EINVAL;
  for (size_t i = 0; i < ARRAY_SIZE (cap_names); i++)
    if (strcmp (name, cap_names[i]) == 0)
      return (int) i;
  return -EINVAL;
}

const char *
caps_name (int cap)
{
  if (cap < 0 || (size_t) cap >= ARRAY_SIZE (cap_names))
    return NULL;
  return cap_names[cap];
}

int
caps_last (void)
{
  static int cached = -1;
  char buf[32];
  ssize_t n;
  int fd;

  if (cached >= 0)
    return cached;
  fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      n = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (n > 0)
        {
          unsigned long long v;
          buf[n] = '\0';
          if (digits_scan (buf, &v) && v < 64)
            cached = (int) v;
        }
    }
  /* Without /proc (not mounted yet in some setups), probe the bounding set:
   * PR_CAPBSET_READ fails with EINVAL for a capability the kernel lacks. */
  if (cached < 0)
    {
      int c = 0;
      while (c < 63 && prctl (PR_CAPBSET_READ, (unsigned long) c + 1, 0, 0, 0) >= 0)
        c++;
      cached = c;
    }
  return cached;
}

int
caps_parse_list (char *const *names, const char *field, int last_cap, uint64_t *mask,
                 tong_error *err)
{
  uint64_t m = 0;

  for (size_t i = 0; names && names[i]; i++)
    {
      int c = caps_from_name (names[i]);
      if (c < 0)
        return tong_err (err, 0,
                         "process.capabilities.%s: unknown capability \"%s\" "
                         "(names are spelled like \"CAP_NET_ADMIN\")",
                         field, names[i]);
      if (c > last_cap)
        continue;
      m |= UINT64_C (1) << c;
    }
  *mask = m;
  return 0;
}

int
caps_parse (const struct oci_capabilities *c, int last_cap, struct caps_sets *out, tong_error *err)
{
  int r;

  memset (out, 0, sizeof *out);
  if (!c)
    return 0;
  r = caps_parse_list (c->bounding, "bounding", last_cap, &out->bounding, err);
  if (r == 0)
    r = caps_parse_list (c->effective, "effective", last_cap, &out->effective, err);
  if (r == 0)
    r = caps_parse_list (c->inheritable, "inheritable", last_cap, &out->inheritable, err);
  if (r == 0)
    r = caps_parse_list (c->permitted, "permitted", last_cap, &out->permitted, err);
  if (r == 0)
    r = caps_parse_list (c->ambient, "ambient", last_cap, &out->ambient, err);
  return r;
}

static const char *
cap_label (int cap, char *buf, size_t len)
{
  const char *n = caps_name (cap);
  if (n)
    return n;
  str_format (buf, len, "capability %d", cap);
  return buf;
}

int
caps_apply_bounding (const struct caps_sets *sets, int last_cap, tong_error *err)
{
  char buf[32];

  for (int c = 0; c <= last_cap; c++)
    {
      if (sets->bounding & (UINT64_C (1) << c))
        continue;
      if (cap_drop_bound ((cap_value_t) c) < 0 && errno != EINVAL)
        return tong_err (err, errno, "drop `%s` from the bounding set",
                         cap_label (c, buf, sizeof buf));
    }
  return 0;
}

static int
set_flag_from_mask (cap_t caps, cap_flag_t flag, uint64_t mask, int last_cap)
{
  cap_value_t values[64];
  int n = 0;

  for (int c = 0; c <= last_cap && c < 64; c++)
    if (mask & (UINT64_C (1) << c))
      values[n++] = (cap_value_t) c;
  if (n == 0)
    return 0;
  return cap_set_flag (caps, flag, n, values, CAP_SET);
}

static void
cap_freep (cap_t *c)
{
  if (*c)
    cap_free (*c);
}

int
caps_apply (const struct caps_sets *sets, int last_cap, tong_error *err)
{
  __attribute__ ((cleanup (cap_freep))) cap_t caps = cap_init ();
  char buf[32];

  if (!caps)
    return tong_err (err, errno, "allocate a capability set");
  if (set_flag_from_mask (caps, CAP_EFFECTIVE, sets->effective, last_cap) < 0
      || set_flag_from_mask (caps, CAP_PERMITTED, sets->permitted, last_cap) < 0
      || set_flag_from_mask (caps, CAP_INHERITABLE, sets->inheritable, last_cap) < 0)
    return tong_err (err, errno, "build the capability sets");
  if (cap_set_proc (caps) < 0)
    return tong_err (err, errno,
                     "set capabilities (effective, permitted, inheritable; effective must be "
                     "within permitted)");

  /* A clean start: nothing may stay ambient that the spec does not ask for. */
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return tong_err (err, errno, "clear the ambient capabilities");
  for (int c = 0; c <= last_cap; c++)
    {
      if (!(sets->ambient & (UINT64_C (1) << c)))
        continue;
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) c, 0, 0) < 0)
        return tong_err (err, errno,
                         "raise ambient capability `%s` (it must also be permitted and "
                         "inheritable)",
                         cap_label (c, buf, sizeof buf));
    }
  return 0;
}
