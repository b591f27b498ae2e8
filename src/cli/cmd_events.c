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

#include "src/cgroups/stats.h"
#include "src/cli/commands.h"
#include "src/container/container.h"
#include "src/container/state.h"
#include "src/container/status.h"
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

static void
sleep_ms (long long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* Watch until the container stops: stats every interval, OOM kills as they come. */
static int
watch (int dirfd, struct container_state *st, const char *id, long long interval_ms)
{
  unsigned long long ooms = 0, now;
  long long since_stats = interval_ms;
  const long long tick = interval_ms < 100 ? interval_ms : 100;
  _cleanup_free_ char *oom_line = xasprintf ("{\"type\":\"oom\",\"id\":\"%s\"}", id);

  cgroup_oom_kills (st->cgroup, &ooms);
  for (;;)
    {
      if (cgroup_oom_kills (st->cgroup, &now) && now > ooms)
        {
          ooms = now;
          print_line (oom_line);
        }
      if (state_status (dirfd, st) == STATUS_STOPPED)
        return 0;
      if (since_stats >= interval_ms)
        {
          _cleanup_free_ char *line = cgroup_stats_event (st->cgroup, id);
          print_line (line);
          since_stats = 0;
        }
      sleep_ms (tick);
      since_stats += tick;
    }
}

int
cmd_events (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  struct container_state st = { 0 };
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
  r = open_container (g, id, false, &dirfd, &st, err);
  if (r < 0)
    return r;
  r = container_op_allowed (OP_EVENTS, state_status (dirfd, &st), id, err);
  if (r == 0 && !st.cgroup)
    r = tong_err (err, 0, "events: container %s has no cgroup to read usage from", id);
  if (r == 0 && stats)
    {
      _cleanup_free_ char *line = cgroup_stats_event (st.cgroup, id);
      print_line (line);
    }
  else if (r == 0)
    r = watch (dirfd, &st, id, interval_ms);
  state_clear (&st);
  return r;
}
