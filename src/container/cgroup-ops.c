#include "cgroup-ops.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci/config.h"
#include "src/base/util.h"
#include "src/cgroups/driver.h"
#include "src/cgroups/limits.h"
#include "src/cgroups/resources-merge.h"
#include "src/container/container.h"
#include "src/container/state.h"
#include "src/container/status.h"
#include "src/self/twin.h"

/* What update has made of the container's resources (the merged whole). */
#define STATE_RESOURCES "resources.json"

int
container_pause (struct tong_globals *g, const char *id, bool freeze, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  _cleanup_cgroup_handle_ struct cgroup_handle cg = { 0 };
  struct container_state st = { 0 };
  enum container_status status;
  int r;

  r = open_container (g, id, true, &dirfd, &st, err);
  if (r < 0)
    return r;
  status = state_status (dirfd, &st);
  if (!cgroup_handle_open (id, st.cgroup, st.systemd_unit, &st.cgroup_paths, &cg))
    r = tong_err (err, 0,
                  "cannot %s container %s: it has no cgroup (created with "
                  "--cgroup-manager disabled, or on a host without cgroups)",
                  freeze ? "pause" : "resume", id);
  else if ((r = container_op_allowed (freeze ? OP_PAUSE : OP_RESUME, status, id, err)) == 0)
    r = cg.driver->freeze (&cg, freeze, err);
  state_clear (&st);
  return r;
}

/* A container whose cgroup a command reads: its state, the status check
 * for op, and its cgroup, or an error naming `command` and what it would
 * have done with the cgroup. */
static int
open_with_cgroup (struct tong_globals *g, const char *id, enum container_op op, const char *command,
                  const char *purpose, int *dirfd, struct container_state *st,
                  struct cgroup_handle *cg, tong_error *err)
{
  int r = open_container (g, id, false, dirfd, st, err);

  if (r < 0)
    return r;
  r = container_op_allowed (op, state_status (*dirfd, st), id, err);
  if (r == 0 && (!cgroup_handle_open (id, st->cgroup, st->systemd_unit, &st->cgroup_paths, cg)))
    r = tong_err (err, 0, "%s: container %s has no cgroup to %s", command, id, purpose);
  return r;
}

int
container_ps (struct tong_globals *g, const char *id, pid_t **pids, size_t *n, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  _cleanup_cgroup_handle_ struct cgroup_handle cg = { 0 };
  struct container_state st = { 0 };
  int r;

  *pids = NULL;
  *n = 0;
  r = open_with_cgroup (g, id, OP_PS, "ps", "list processes from", &dirfd, &st, &cg, err);
  if (r == 0)
    r = cg.driver->pids (&cg, pids, n, err);
  state_clear (&st);
  return r;
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
events_watch (int dirfd, struct container_state *st, const struct cgroup_handle *cg,
              long long interval_ms, void (*emit) (const char *line))
{
  unsigned long long ooms = 0, now;
  long long since_stats = interval_ms;
  const long long tick = interval_ms < 100 ? interval_ms : 100;
  _cleanup_free_ char *oom_line = xasprintf ("{\"type\":\"oom\",\"id\":\"%s\"}", cg->id);

  cg->driver->oom_kills (cg, &ooms);
  for (;;)
    {
      if (cg->driver->oom_kills (cg, &now) && now > ooms)
        {
          ooms = now;
          emit (oom_line);
        }
      if (state_status (dirfd, st) == STATUS_STOPPED)
        return 0;
      if (since_stats >= interval_ms)
        {
          _cleanup_free_ char *line = cg->driver->stats (cg);
          emit (line);
          since_stats = 0;
        }
      sleep_ms (tick);
      since_stats += tick;
    }
}

int
container_events (struct tong_globals *g, const char *id, bool once, long long interval_ms,
                  void (*emit) (const char *line), tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  _cleanup_cgroup_handle_ struct cgroup_handle cg = { 0 };
  struct container_state st = { 0 };
  int r;

  r = open_with_cgroup (g, id, OP_EVENTS, "events", "read usage from", &dirfd, &st, &cg, err);
  if (r == 0 && once)
    {
      _cleanup_free_ char *line = cg.driver->stats (&cg);
      emit (line);
    }
  else if (r == 0)
    r = events_watch (dirfd, &st, &cg, interval_ms, emit);
  state_clear (&st);
  return r;
}

/* The --resources argument's text: a file, or stdin for "-". */
static int
read_resources_arg (const char *arg, char **text, tong_error *err)
{
  size_t len = 0, cap = 0;
  char buf[4096];
  ssize_t n;

  if (strcmp (arg, "-") != 0)
    {
      int r = read_file_at (AT_FDCWD, arg, text, NULL, err);
      return r < 0 ? tong_err_prefix (err, "update: --resources") : 0;
    }
  *text = NULL;
  while ((n = read (STDIN_FILENO, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return tong_err (err, errno, "update: --resources -: read stdin");
      if (len + (size_t) n + 1 > cap)
        {
          cap = (len + (size_t) n + 1) * 2;
          *text = xrealloc (*text, cap);
        }
      memcpy (*text + len, buf, (size_t) n);
      len += (size_t) n;
    }
  if (!*text)
    *text = xstrdup ("");
  (*text)[len] = '\0';
  return 0;
}

/* The resources the container has: recorded by an earlier update, else its config's. */
static char *
current_resources (int dirfd, const char *config, tong_error *err)
{
  char *text = NULL;
  tong_error ignored;

  if (read_file_at (dirfd, STATE_RESOURCES, &text, NULL, &ignored) == 0)
    return text;
  return resources_json_from_config (config, err);
}

int
container_update (struct tong_globals *g, const char *id, const char *resources_arg,
                  const char *flags_json, tong_error *err)
{
  _cleanup_close_ int dirfd = -1;
  _cleanup_free_ char *config = NULL, *merged = NULL, *request = NULL, *step = NULL;
  _cleanup_oci_spec_ struct oci_spec *spec = NULL;
  _cleanup_cgroup_limits_ struct cgroup_limits limits = { 0 };
  _cleanup_cgroup_handle_ struct cgroup_handle cg = { 0 };
  struct oci_resources *asked = NULL, *all = NULL;
  struct container_state st = { 0 };
  bool asked_devices = false;
  int r;

  r = open_container (g, id, true, &dirfd, &st, err);
  if (r < 0)
    return r;
  cgroup_handle_open (id, st.cgroup, st.systemd_unit, &st.cgroup_paths, &cg);
  if (built_with_musl () && cg.driver && cg.driver->hand_over)
    {
      /* Its lock goes with dirfd (O_CLOEXEC): tong-full takes it again. */
      close (TAKE_FD (dirfd));
      r = twin_hand_over (cg.driver->hand_over, err);
      state_clear (&st);
      return r;
    }
  r = container_op_allowed (OP_UPDATE, state_status (dirfd, &st), id, err);
  if (r == 0 && !cg.driver)
    r = tong_err (err, 0,
                  "update: container %s has no cgroup (created with --cgroup-manager "
                  "disabled, rootless without delegation, or on a host without cgroups)",
                  id);
  if (r == 0)
    r = read_file_at (dirfd, STATE_CONFIG, &config, NULL, err);
  if (r == 0)
    r = oci_spec_parse (config, strlen (config), OCI_PARSE_ANY, &spec, err);
  if (r == 0)
    {
      merged = current_resources (dirfd, config, err);
      r = merged ? 0 : -err->errnum;
    }
  if (r == 0 && resources_arg)
    {
      r = read_resources_arg (resources_arg, &request, err);
      if (r == 0)
        r = oci_resources_parse (request, strlen (request), "--resources", &asked, err);
      if (r == 0)
        {
          asked_devices = asked->devices_len > 0;
          step = resources_json_merge (merged, request, "--resources", err);
          r = step ? 0 : -err->errnum;
        }
      if (r == 0)
        {
          free (merged);
          merged = TAKE_PTR (step);
        }
    }
  if (r == 0)
    {
      step = resources_json_merge (merged, flags_json, "update flags", err);
      r = step ? 0 : -err->errnum;
      if (r == 0)
        {
          free (merged);
          merged = TAKE_PTR (step);
        }
    }
  if (r == 0)
    r = oci_resources_parse (merged, strlen (merged), "update", &all, err);
  if (r == 0)
    r = cgroup_limits_prepare (all, spec->linux_ ? spec->linux_->devices : NULL,
                               spec->linux_ ? spec->linux_->devices_len : 0, &limits, err);
  if (r == 0 && cg.driver)
    {
      /* The device filter changes only when the update lists device rules. */
      if (!asked_devices || g->rootless)
        cgroup_limits_drop_devices (&limits);
      r = cg.driver->update (&cg, all, &limits, err);
    }
  if (r == 0)
    r = write_file_atomic_at (dirfd, STATE_RESOURCES, merged, strlen (merged), 0600, err);
  if (r < 0 && strncmp (err->msg, "update", 6) != 0 && strncmp (err->msg, "container", 9) != 0)
    tong_err_prefix (err, "update");
  oci_resources_free (asked);
  oci_resources_free (all);
  state_clear (&st);
  return r;
}
