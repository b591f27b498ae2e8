/* tong events [--stats] [--interval DURATION] ID: a container's resource
 * usage as runc's JSON lines.  --stats prints one {"type":"stats",...} and
 * exits; otherwise a stats line every interval (default 5s) and an
 * {"type":"oom","id":ID} line whenever memory.events counts a new OOM kill,
 * until the container stops. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/cli/commands.h"
#include "src/container/cgroup-ops.h"
#include "src/base/util.h"

static const struct option events_options[] = {
  { "stats", no_argument, NULL, 's' },
  { "interval", required_argument, NULL, 'i' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* A Go duration as runc takes it: "5s", "500ms", "1m30s", "2h". */
static int
parse_duration (const char *s, long long *ms, tong_error *err)
{
  static const struct
  {
    const char *unit;
    double ms;
  } units[] = { { "ns", 1e-6 }, { "us", 1e-3 }, { "µs", 1e-3 },  { "ms", 1 },
                { "s", 1000 },  { "m", 60000 }, { "h", 3600000 } };
  double total = 0;
  const char *p = s;

  if (!*p)
    return tong_err (err, 0, "events: --interval: empty duration");
  while (*p)
    {
      char *end;
      double v = strtod (p, &end);
      size_t best = 0;
      int found = -1;
      if (end == p || v < 0)
        return tong_err (err, 0, "events: --interval: \"%s\" is not a duration like 5s", s);
      for (size_t i = 0; i < ARRAY_SIZE (units); i++)
        {
          size_t n = strlen (units[i].unit);
          if (strncmp (end, units[i].unit, n) == 0 && n > best)
            {
              best = n;
              found = (int) i;
            }
        }
      if (found < 0)
        return tong_err (err, 0, "events: --interval: \"%s\" has no unit (ns, us, ms, s, m, h)", s);
      total += v * units[found].ms;
      p = end + best;
    }
  if (total < 1)
    return tong_err (err, 0, "events: --interval: %s is too short (at least 1ms)", s);
  *ms = (long long) total;
  return 0;
}

static void
print_line (const char *line)
{
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

int
cmd_events (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  long long interval_ms = 5000;
  bool stats = false;
  const char *id;
  int c, r;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+h", events_options, NULL)) != -1)
    {
      if (c == 'h')
        {
          command_usage (argv[0]);
          exit (0);
        }
      else if (c == 's')
        stats = true;
      else if (c == 'i')
        {
          r = parse_duration (optarg, &interval_ms, err);
          if (r < 0)
            return r;
        }
      else
        return tong_err (err, 0, "events: unknown option `%s`", argv[optind - 1]);
    }
  r = command_id_arg (argc, argv, &id, err);
  if (r < 0)
    return r;
  return container_events (g, id, stats, interval_ms, print_line, err);
}
