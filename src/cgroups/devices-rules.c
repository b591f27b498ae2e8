#include "devices-rules.h"

#include <string.h>

#include "src/base/util.h"

#define DEFAULT_RULE(type, major, minor, access)                                                   \
  {                                                                                                \
    true, type, major, minor, access, DEVICE_RULE_DEFAULT, 0                                       \
  }

/* What every container may use, after the spec's rules (runc's list). */
static const struct device_rule default_rules[] = {
  DEFAULT_RULE (BPF_DEVCG_DEV_CHAR, -1, -1, BPF_DEVCG_ACC_MKNOD),
  DEFAULT_RULE (BPF_DEVCG_DEV_BLOCK, -1, -1, BPF_DEVCG_ACC_MKNOD),
  DEFAULT_RULE (BPF_DEVCG_DEV_CHAR, 1, 3, DEVICE_ACC_ALL),    /* /dev/null */
  DEFAULT_RULE (BPF_DEVCG_DEV_CHAR, 1, 5, DEVICE_ACC_ALL),    /* /dev/zero */
  DEFAULT_RULE (BPF_DEVCG_DEV_CHAR, 1, 7, DEVICE_ACC_ALL),    /* /dev/full */
  DEFAULT_RULE (BPF_DEVCG_DEV_CHAR, 1, 8, DEVICE_ACC_ALL),    /* /dev/random */
  DEFAULT_RULE (BPF_DEVCG_DEV_CHAR, 1, 9, DEVICE_ACC_ALL),    /* /dev/urandom */
  DEFAULT_RULE (BPF_DEVCG_DEV_CHAR, 5, 0, DEVICE_ACC_ALL),    /* /dev/tty */
  DEFAULT_RULE (BPF_DEVCG_DEV_CHAR, 5, 2, DEVICE_ACC_ALL),    /* /dev/ptmx */
  DEFAULT_RULE (BPF_DEVCG_DEV_CHAR, 136, -1, DEVICE_ACC_ALL), /* /dev/pts/N */
};

static unsigned
access_bits (const char *access)
{
  unsigned bits = 0;

  if (!access)
    return DEVICE_ACC_ALL;
  if (strchr (access, 'm'))
    bits |= BPF_DEVCG_ACC_MKNOD;
  if (strchr (access, 'r'))
    bits |= BPF_DEVCG_ACC_READ;
  if (strchr (access, 'w'))
    bits |= BPF_DEVCG_ACC_WRITE;
  return bits;
}

static int
rule_from_spec (const struct oci_device_cgroup *d, size_t i, struct device_rule *r, tong_error *err)
{
  r->allow = d->allow;
  r->type = !d->type || strcmp (d->type, "a") == 0 ? 0
            : strcmp (d->type, "c") == 0           ? BPF_DEVCG_DEV_CHAR
                                                   : BPF_DEVCG_DEV_BLOCK;
  r->major = d->has_major ? d->major : -1;
  r->minor = d->has_minor ? d->minor : -1;
  r->access = access_bits (d->access);
  r->source = DEVICE_RULE_SPEC;
  r->index = i;
  if (r->major > INT32_MAX || r->minor > INT32_MAX || r->major < -1 || r->minor < -1)
    return tong_err (err, 0,
                     "linux.resources.devices[%zu]: major and minor must be device "
                     "numbers (or -1 for any)",
                     i);
  if (r->access == 0)
    return tong_err (err, 0, "linux.resources.devices[%zu].access: empty", i);
  return 0;
}

int
device_rules_collect (const struct oci_device_cgroup *rules, size_t n_rules,
                      const struct oci_device *devices, size_t n_devices, struct device_rule **out,
                      size_t *n_out, bool *needed, tong_error *err)
{
  _cleanup_free_ struct device_rule *all
      = xcalloc (n_rules + n_devices + ARRAY_SIZE (default_rules) + 1, sizeof *all);
  size_t n = 0;

  *needed = false;
  for (size_t i = 0; i < n_rules; i++)
    {
      int r = rule_from_spec (&rules[i], i, &all[n], err);
      if (r < 0)
        return r;
      if (!all[n].allow)
        *needed = true;
      n++;
    }
  for (size_t i = 0; i < ARRAY_SIZE (default_rules); i++)
    all[n++] = default_rules[i];
  for (size_t i = 0; i < n_devices; i++)
    {
      const struct oci_device *d = &devices[i];
      if (d->type == 'p' || !d->has_major || !d->has_minor)
        continue;
      all[n++] = (struct device_rule){ true,
                                       d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR,
                                       d->major,
                                       d->minor,
                                       DEVICE_ACC_ALL,
                                       DEVICE_RULE_DEVICE,
                                       i };
    }
  *out = TAKE_PTR (all);
  *n_out = n;
  return 0;
}

bool
device_rule_is_all (const struct device_rule *r)
{
  return !r->type && r->access == DEVICE_ACC_ALL && r->major < 0 && r->minor < 0;
}
