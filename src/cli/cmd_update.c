/* tong update [--resources FILE|-] [runc's flags] ID: change the cgroup
 * limits of a created, running or paused container.  What is given is merged
 * into the resources the container has (recorded in its state directory as
 * resources.json), so a later partial update keeps earlier values; the
 * merged whole is planned and applied as at create (container_update). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/util.h"
#include "src/cli/commands.h"
#include "src/container/cgroup-ops.h"

enum
{
  OPT_RESOURCES = 256,
  OPT_MEMORY,
  OPT_MEMORY_SWAP,
  OPT_MEMORY_RESERVATION,
  OPT_CPU_SHARES,
  OPT_CPU_QUOTA,
  OPT_CPU_PERIOD,
  OPT_CPUSET_CPUS,
  OPT_CPUSET_MEMS,
  OPT_PIDS_LIMIT,
  OPT_BLKIO_WEIGHT,
};

static const struct option update_options[] = {
  { "resources", required_argument, NULL, OPT_RESOURCES },
  { "r", required_argument, NULL, OPT_RESOURCES },
  { "memory", required_argument, NULL, OPT_MEMORY },
  { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
  { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
  { "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
  { "cpu-share", required_argument, NULL, OPT_CPU_SHARES },
  { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
  { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
  { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
  { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
  { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
  { "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* The flags as a LinuxResources object, one section each. */
struct flag_json
{
  char *memory, *cpu, *pids, *block_io;
};

static void
append (char **section, const char *key, const char *json_value)
{
  char *old = *section;
  *section = xasprintf ("%s%s\"%s\":%s", old ? old : "", old ? "," : "", key, json_value);
  free (old);
}

/* A size as runc takes it (size_parse), or -1 for no limit. */
static int
parse_size (const char *flag, const char *s, int64_t *out, tong_error *err)
{
  if (strcmp (s, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  if (size_parse (s, out) < 0)
    return tong_err (err, 0, "update: %s: \"%s\" is not a size (bytes, k, m, g, t, or -1)", flag,
                     s);
  return 0;
}

static int
parse_int (const char *flag, const char *s, int64_t min, int64_t *out, tong_error *err)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (end == s || *end || errno || v < min)
    return tong_err (err, 0, "update: %s: \"%s\" is not a number%s", flag, s,
                     min >= 0 ? " (0 or more)" : "");
  *out = v;
  return 0;
}

static const char *
flag_name (int opt)
{
  for (const struct option *o = update_options; o->name; o++)
    if (o->val == opt)
      return o->name;
  return "?";
}

static int
add_flag (struct flag_json *f, int opt, const char *arg, tong_error *err)
{
  _cleanup_free_ char *flag = xasprintf ("--%s", flag_name (opt));
  _cleanup_free_ char *value = NULL;
  int64_t v = 0;
  int r = 0;

  switch (opt)
    {
    case OPT_MEMORY:
    case OPT_MEMORY_SWAP:
    case OPT_MEMORY_RESERVATION:
      r = parse_size (flag, arg, &v, err);
      break;
    case OPT_CPU_QUOTA:
    case OPT_PIDS_LIMIT:
      r = parse_int (flag, arg, INT64_MIN, &v, err);
      break;
    case OPT_CPUSET_CPUS:
    case OPT_CPUSET_MEMS:
      if (strpbrk (arg, "\"\\"))
        return tong_err (err, 0, "update: %s: \"%s\" is not a list of numbers", flag, arg);
      break;
    default:
      r = parse_int (flag, arg, 0, &v, err);
      break;
    }
  if (r < 0)
    return r;
  value = opt == OPT_CPUSET_CPUS || opt == OPT_CPUSET_MEMS ? xasprintf ("\"%s\"", arg)
                                                           : xasprintf ("%" PRId64, v);
  switch (opt)
    {
    case OPT_MEMORY:
      append (&f->memory, "limit", value);
      break;
    case OPT_MEMORY_SWAP:
      append (&f->memory, "swap", value);
      break;
    case OPT_MEMORY_RESERVATION:
      append (&f->memory, "reservation", value);
      break;
    case OPT_CPU_SHARES:
      append (&f->cpu, "shares", value);
      break;
    case OPT_CPU_QUOTA:
      append (&f->cpu, "quota", value);
      break;
    case OPT_CPU_PERIOD:
      append (&f->cpu, "period", value);
      break;
    case OPT_CPUSET_CPUS:
      append (&f->cpu, "cpus", value);
      break;
    case OPT_CPUSET_MEMS:
      append (&f->cpu, "mems", value);
      break;
    case OPT_PIDS_LIMIT:
      append (&f->pids, "limit", value);
      break;
    case OPT_BLKIO_WEIGHT:
      append (&f->block_io, "weight", value);
      break;
    default:
      break;
    }
  return 0;
}

static char *
flag_json_text (struct flag_json *f)
{
  char *out = xstrdup ("{");
  const struct
  {
    const char *key;
    char *body;
  } sections[] = {
    { "memory", f->memory }, { "cpu", f->cpu }, { "pids", f->pids }, { "blockIO", f->block_io }
  };

  for (size_t i = 0; i < ARRAY_SIZE (sections); i++)
    if (sections[i].body)
      {
        char *old = out;
        out = xasprintf ("%s%s\"%s\":{%s}", old, old[1] ? "," : "", sections[i].key,
                         sections[i].body);
        free (old);
      }
  {
    char *old = out;
    out = xasprintf ("%s}", old);
    free (old);
  }
  free (f->memory);
  free (f->cpu);
  free (f->pids);
  free (f->block_io);
  return out;
}

int
cmd_update (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  struct flag_json flags = { 0 };
  _cleanup_free_ char *flags_text = NULL;
  const char *resources = NULL, *id;
  int c, r = 0;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+h", update_options, NULL)) != -1)
    {
      if (c == 'h')
        {
          command_usage (argv[0]);
          exit (0);
        }
      if (c == OPT_RESOURCES)
        resources = optarg;
      else if (c >= OPT_MEMORY && c <= OPT_BLKIO_WEIGHT)
        r = add_flag (&flags, c, optarg, err);
      else
        r = tong_err (err, 0, "update: unknown option `%s`", argv[optind - 1]);
      if (r < 0)
        break;
    }
  flags_text = flag_json_text (&flags);
  if (r < 0)
    return r;
  r = command_id_arg (argc, argv, &id, err);
  if (r < 0)
    return r;
  return container_update (g, id, resources, flags_text, err);
}
