#include "systemd-unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/cgroups/resources.h"
#include "src/base/util.h"

bool
systemd_path_is_systemd (const char *cp)
{
  const char *colon;

  if (!cp || !*cp || cp[0] == '/')
    return false;
  colon = strchr (cp, ':');
  return colon && strchr (colon + 1, ':');
}

/* The characters systemd accepts in a unit name (unit_name_is_valid). */
static bool
unit_chars_valid (const char *s)
{
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
          || strchr (":-_.\\", *s)))
      return false;
  return true;
}

static bool
ends_with (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

char *
systemd_slice_path (const char *slice)
{
  _cleanup_free_ char *stem = NULL;
  char *path, *dash;
  size_t len;

  if (!ends_with (slice, ".slice") || !unit_chars_valid (slice))
    return NULL;
  if (strcmp (slice, "-.slice") == 0)
    return xstrdup ("");
  len = strlen (slice) - strlen (".slice");
  stem = strndup (slice, len);
  if (!stem || len == 0 || stem[0] == '-' || stem[len - 1] == '-' || strstr (stem, "--"))
    return NULL; /* NOLINT(clang-analyzer-unix.Malloc): stem is freed by _cleanup_free_ */
  /* Each dash is a level: a-b-c.slice lives in a.slice/a-b.slice/a-b-c.slice. */
  path = xstrdup ("");
  for (dash = strchr (stem, '-');; dash = strchr (dash + 1, '-'))
    {
      size_t upto = dash ? (size_t) (dash - stem) : len;
      char *next = xasprintf ("%s%s%.*s.slice", path, *path ? "/" : "", (int) upto, stem);
      free (path);
      path = next;
      if (!dash)
        break;
    }
  return path;
}

int
systemd_unit_parse (const char *cp, const char *id, struct systemd_unit *u, tong_error *err)
{
  _cleanup_free_ char *copy = NULL;
  char *slice, *prefix, *name, *c1, *c2;

  memset (u, 0, sizeof *u);
  copy = cp && *cp ? xstrdup (cp) : xasprintf ("system.slice:tong:%s", id);
  if (!systemd_path_is_systemd (copy))
    return tong_err (err, 0,
                     "linux.cgroupsPath \"%s\": the systemd cgroup driver needs the "
                     "form slice:prefix:name (or an empty cgroupsPath); without "
                     "--systemd-cgroup, tong reads it as a cgroupfs path",
                     copy);
  c1 = strchr (copy, ':');
  c2 = strchr (c1 + 1, ':');
  *c1 = *c2 = '\0';
  slice = copy;
  prefix = c1 + 1;
  name = c2 + 1;
  if (!*name)
    return tong_err (err, 0, "linux.cgroupsPath \"%s\": the name after the last \":\" is empty",
                     cp);
  if (ends_with (name, ".slice"))
    return tong_err (err, 0,
                     "linux.cgroupsPath \"%s\": a slice as the container's own unit "
                     "is not supported; name a scope (slice:prefix:name)",
                     cp);
  u->slice = xstrdup (*slice ? slice : "system.slice");
  u->unit = *prefix ? xasprintf ("%s-%s.scope", prefix, name) : xasprintf ("%s.scope", name);
  if (!unit_chars_valid (u->unit) || strlen (u->unit) > 255)
    {
      tong_err (err, 0,
                "linux.cgroupsPath \"%s\": \"%s\" is not a valid systemd unit name "
                "(letters, digits and \":-_.\\\" only)",
                cp, u->unit);
      systemd_unit_free (u);
      return -EINVAL;
    }
  u->slice_path = systemd_slice_path (u->slice);
  if (!u->slice_path)
    {
      tong_err (err, 0,
                "linux.cgroupsPath \"%s\": \"%s\" is not a valid systemd slice name "
                "(NAME.slice, dashes for nesting: parent-child.slice)",
                cp, u->slice);
      systemd_unit_free (u);
      return -EINVAL;
    }
  return 0;
}

void
systemd_unit_free (struct systemd_unit *u)
{
  free (u->slice);
  free (u->slice_path);
  free (u->unit);
  memset (u, 0, sizeof *u);
}

int
systemd_cpuset_mask (const char *list, uint8_t **mask, size_t *n)
{
  const char *s = list;
  uint8_t *m = NULL;
  size_t len = 0;

  *mask = NULL;
  *n = 0;
  while (*s)
    {
      char *end;
      unsigned long lo = strtoul (s, &end, 10), hi = lo;
      if (end == s || lo > 65535)
        goto bad;
      s = end;
      if (*s == '-')
        {
          hi = strtoul (s + 1, &end, 10);
          if (end == s + 1 || hi < lo || hi > 65535)
            goto bad;
          s = end;
        }
      if (*s == ',')
        s++;
      else if (*s)
        goto bad;
      if (hi / 8 >= len)
        {
          m = xrealloc (m, hi / 8 + 1);
          memset (m + len, 0, hi / 8 + 1 - len);
          len = hi / 8 + 1;
        }
      for (unsigned long i = lo; i <= hi; i++)
        m[i / 8] |= (uint8_t) (1u << (i % 8));
    }
  *mask = m;
  *n = len;
  return (int) len;
bad:
  free (m);
  return -EINVAL;
}

static struct systemd_prop *
add (struct systemd_props *props, const char *name, enum systemd_prop_type type, uint64_t v)
{
  struct systemd_prop *p;

  props->p = xrealloc (props->p, (props->n + 1) * sizeof *props->p);
  p = &props->p[props->n++];
  memset (p, 0, sizeof *p);
  p->name = name;
  p->type = type;
  p->u64 = v;
  return p;
}

static int
add_mask (struct systemd_props *props, const char *name, const char *field, const char *list,
          tong_error *err)
{
  struct systemd_prop *p;
  uint8_t *mask;
  size_t n;

  if (systemd_cpuset_mask (list, &mask, &n) < 0)
    return tong_err (err, 0, "linux.resources.%s: \"%s\" is not a list like 0-3,8", field, list);
  p = add (props, name, SD_PROP_BYTES, 0);
  p->bytes = mask;
  p->n_bytes = n;
  p->min_version = 244;
  return 0;
}

/* A property replaced by a later source (unified after the fields, as the
 * cgroup writes): one entry per name. */
static struct systemd_prop *
set (struct systemd_props *props, const char *name, enum systemd_prop_type type, uint64_t v)
{
  for (size_t i = 0; i < props->n; i++)
    if (strcmp (props->p[i].name, name) == 0)
      {
        free (props->p[i].bytes);
        props->p[i].bytes = NULL;
        props->p[i].n_bytes = 0;
        props->p[i].type = type;
        props->p[i].u64 = v;
        return &props->p[i];
      }
  return add (props, name, type, v);
}

/* The unified keys of files that systemd writes itself when it realizes the
 * unit (on daemon-reload, on any property change): without the property,
 * systemd would put its default back over the value tong wrote. */
static const struct
{
  const char *key, *prop;
} unified_props[] = {
  { "memory.min", "MemoryMin" },          { "memory.low", "MemoryLow" },
  { "memory.high", "MemoryHigh" },        { "memory.max", "MemoryMax" },
  { "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
  { "cpu.weight", "CPUWeight" },
};

static int
props_from_unified (const struct oci_resources *r, struct systemd_props *props, tong_error *err)
{
  for (size_t i = 0; i < r->unified.len; i++)
    {
      const char *key = r->unified.items[i].key, *value = r->unified.items[i].value;
      for (size_t j = 0; j < ARRAY_SIZE (unified_props); j++)
        {
          char *end;
          unsigned long long v;
          if (strcmp (key, unified_props[j].key) != 0)
            continue;
          if (strcmp (value, "max") == 0)
            {
              set (props, unified_props[j].prop, SD_PROP_U64, UINT64_MAX);
              continue;
            }
          errno = 0;
          v = strtoull (value, &end, 10);
          if (errno || end == value || *end || value[0] == '-')
            return tong_err (err, 0,
                             "linux.resources.unified[\"%s\"]: \"%s\" is not a number "
                             "or \"max\"",
                             key, value);
          set (props, unified_props[j].prop, SD_PROP_U64, v);
        }
      if (strcmp (key, "cpuset.cpus") == 0 || strcmp (key, "cpuset.mems") == 0)
        {
          const char *prop = key[7] == 'c' ? "AllowedCPUs" : "AllowedMemoryNodes";
          struct systemd_prop *p;
          uint8_t *mask;
          size_t n;
          if (systemd_cpuset_mask (value, &mask, &n) < 0)
            return tong_err (err, 0,
                             "linux.resources.unified[\"%s\"]: \"%s\" is not a list "
                             "like 0-3,8",
                             key, value);
          p = set (props, prop, SD_PROP_BYTES, 0);
          p->bytes = mask;
          p->n_bytes = n;
          p->min_version = 244;
        }
    }
  return 0;
}

int
systemd_props_from_resources (const struct oci_resources *r, struct systemd_props *props,
                              tong_error *err)
{
  int rc;

  memset (props, 0, sizeof *props);
  if (!r)
    return 0;
  if (r->memory.has_limit && r->memory.limit != 0)
    add (props, "MemoryMax", SD_PROP_U64,
         r->memory.limit < 0 ? UINT64_MAX : (uint64_t) r->memory.limit);
  if (r->memory.has_reservation && r->memory.reservation > 0)
    add (props, "MemoryLow", SD_PROP_U64, (uint64_t) r->memory.reservation);
  /* The spec's swap is memory plus swap; systemd's is swap alone. */
  if (r->memory.has_swap && r->memory.swap == -1)
    add (props, "MemorySwapMax", SD_PROP_U64, UINT64_MAX);
  else if (r->memory.has_swap && r->memory.swap > 0 && r->memory.has_limit && r->memory.limit > 0
           && r->memory.swap >= r->memory.limit)
    add (props, "MemorySwapMax", SD_PROP_U64, (uint64_t) (r->memory.swap - r->memory.limit));

  if (r->cpu.has_shares && r->cpu.shares != 0)
    add (props, "CPUWeight", SD_PROP_U64, cgroup_cpu_shares_to_weight (r->cpu.shares));
  if ((r->cpu.has_quota && r->cpu.quota != 0) || (r->cpu.has_period && r->cpu.period != 0))
    {
      uint64_t period = r->cpu.has_period && r->cpu.period ? r->cpu.period : 100000;
      uint64_t per_sec = UINT64_MAX;
      if (r->cpu.has_quota && r->cpu.quota > 0)
        {
          /* systemd keeps whole percents of a CPU: round up to 10 ms a
           * second, so that the cgroup's cpu.max is never below the spec's. */
          per_sec = (uint64_t) r->cpu.quota * 1000000 / period;
          per_sec = (per_sec + 9999) / 10000 * 10000;
        }
      add (props, "CPUQuotaPerSecUSec", SD_PROP_U64, per_sec);
      if (r->cpu.has_period && r->cpu.period != 0)
        add (props, "CPUQuotaPeriodUSec", SD_PROP_U64, period)->min_version = 242;
    }
  if (r->cpu.cpus && *r->cpu.cpus)
    {
      rc = add_mask (props, "AllowedCPUs", "cpu.cpus", r->cpu.cpus, err);
      if (rc < 0)
        goto fail;
    }
  if (r->cpu.mems && *r->cpu.mems)
    {
      rc = add_mask (props, "AllowedMemoryNodes", "cpu.mems", r->cpu.mems, err);
      if (rc < 0)
        goto fail;
    }

  if (r->pids.present && r->pids.limit != 0)
    add (props, "TasksMax", SD_PROP_U64, r->pids.limit < 0 ? UINT64_MAX : (uint64_t) r->pids.limit);
  if (r->block_io.has_weight && r->block_io.weight != 0)
    add (props, "IOWeight", SD_PROP_U64, cgroup_blkio_weight_to_io_weight (r->block_io.weight));
  rc = props_from_unified (r, props, err);
  if (rc < 0)
    goto fail;
  return 0;
fail:
  systemd_props_free (props);
  return rc;
}

void
systemd_props_free (struct systemd_props *props)
{
  for (size_t i = 0; i < props->n; i++)
    {
      free (props->p[i].str);
      free (props->p[i].bytes);
    }
  free (props->p);
  props->p = NULL;
  props->n = 0;
}

const struct systemd_prop *
systemd_props_find (const struct systemd_props *props, const char *name)
{
  for (size_t i = 0; i < props->n; i++)
    if (strcmp (props->p[i].name, name) == 0)
      return &props->p[i];
  return NULL;
}
