#include "systemd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/cgroups/hierarchy.h"
#include "src/cgroups/cgroup.h"
#include "src/cgroups/systemd-bus.h"
#include "src/cgroups/systemd-unit.h"
#include "src/base/syscalls.h"
#include "src/base/util.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SYSTEM_BUS_SOCKET "/run/dbus/system_bus_socket"
/* A job on a loaded machine (or under emulation) may take a while. */
#define JOB_TIMEOUT_USEC (120ULL * 1000 * 1000)

struct bus
{
  const struct sd_bus_api *api;
  sd_bus *bus;
};

static void
bus_close (struct bus *b)
{
  if (b->bus)
    b->api->flush_close_unref (b->bus);
  b->bus = NULL;
}

#define _cleanup_bus_ __attribute__ ((cleanup (bus_close)))

/* "org.freedesktop.systemd1.NoSuchUnit: Unit x.scope not loaded." */
static int
bus_err (tong_error *err, int r, const sd_bus_error *e, const char *what)
{
  if (e && e->name)
    return tong_err (err, r < 0 ? -r : EIO, "systemd: %s: %s: %s", what, e->name,
                     e->message ? e->message : "");
  return tong_err (err, r < 0 ? -r : EIO, "systemd: %s", what);
}

static int
bus_open (struct bus *b, tong_error *err)
{
  int r;

  b->bus = NULL;
  /* What sd_booted() checks: systemd creates this directory when it is PID 1. */
  if (access ("/run/systemd/system", F_OK) < 0)
    return tong_err_code (err, ENOENT,
                          "the systemd cgroup driver needs systemd as the init system, "
                          "and this host was not booted with it (no /run/systemd/system): "
                          "use --cgroup-manager cgroupfs");
  r = sd_bus_api_load (&b->api, err);
  if (r < 0)
    return r;
  /* sd-bus connects to DBUS_SYSTEM_BUS_ADDRESS instead when it is set. */
  if (!getenv ("DBUS_SYSTEM_BUS_ADDRESS") && access (SYSTEM_BUS_SOCKET, F_OK) < 0)
    return tong_err_code (err, ENOENT,
                          "the systemd cgroup driver needs systemd as the init system "
                          "and its D-Bus system bus, and " SYSTEM_BUS_SOCKET " does not "
                          "exist (is dbus running?): use --cgroup-manager cgroupfs");
  r = b->api->open_system (&b->bus);
  if (r < 0)
    {
      b->bus = NULL;
      return tong_err (err, -r, "connect to the D-Bus system bus at %s (is dbus running?)",
                       getenv ("DBUS_SYSTEM_BUS_ADDRESS") ? getenv ("DBUS_SYSTEM_BUS_ADDRESS")
                                                          : SYSTEM_BUS_SOCKET);
    }
  return 0;
}

struct job_wait
{
  const struct sd_bus_api *api;
  const char *job;
  char *result; /* "done", "failed", ... once JobRemoved names our job */
};

static int
on_job_removed (sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
  struct job_wait *w = userdata;
  const char *path = NULL, *unit = NULL, *result = NULL;
  uint32_t id;

  (void) ret_error;
  if (w->api->message_read (m, "uoss", &id, &path, &unit, &result) < 0 || !w->job)
    return 0;
  if (strcmp (path, w->job) == 0 && !w->result)
    w->result = xstrdup (result);
  return 0;
}

/* Call a Manager method that returns a job ("o") and wait until systemd
 * reports the job's end; its result is "done" or why not. */
static int
call_job (struct bus *b, sd_bus_message *msg, const char *what, tong_error *err)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message *reply = NULL;
  sd_bus_slot *slot = NULL;
  struct job_wait w = { .api = b->api };
  const char *job = NULL;
  struct timespec start, now;
  int r;

  /* Subscribed before the call, so that the signal cannot be missed. */
  r = b->api->add_match (b->bus, &slot,
                         "type='signal',sender='" SD_DEST "',path='" SD_PATH "',"
                         "interface='" SD_MANAGER "',member='JobRemoved'",
                         on_job_removed, &w);
  if (r < 0)
    return tong_err (err, -r, "systemd: subscribe to JobRemoved");
  r = b->api->call (b->bus, msg, JOB_TIMEOUT_USEC, &e, &reply);
  if (r < 0)
    {
      r = bus_err (err, r, &e, what);
      goto out;
    }
  r = b->api->message_read (reply, "o", &job);
  if (r < 0)
    {
      r = tong_err (err, -r, "systemd: %s: read the job", what);
      goto out;
    }
  w.job = job;
  clock_gettime (CLOCK_MONOTONIC, &start);
  while (!w.result)
    {
      uint64_t elapsed;
      r = b->api->process (b->bus, NULL);
      if (r < 0)
        {
          r = tong_err (err, -r, "systemd: %s: wait for job %s", what, job);
          goto out;
        }
      if (r > 0)
        continue;
      clock_gettime (CLOCK_MONOTONIC, &now);
      elapsed = (uint64_t) (now.tv_sec - start.tv_sec) * 1000000
                + (uint64_t) ((now.tv_nsec - start.tv_nsec) / 1000);
      if (elapsed >= JOB_TIMEOUT_USEC)
        {
          r = tong_err (err, ETIMEDOUT, "systemd: %s: job %s did not finish", what, job);
          goto out;
        }
      r = b->api->wait (b->bus, JOB_TIMEOUT_USEC - elapsed);
      if (r < 0 && r != -EINTR)
        {
          r = tong_err (err, -r, "systemd: %s: wait for job %s", what, job);
          goto out;
        }
    }
  r = strcmp (w.result, "done") == 0
          ? 0
          : tong_err (err, EIO, "systemd: %s: the job ended with result \"%s\"", what, w.result);
out:
  free (w.result);
  b->api->slot_unref (slot);
  if (reply)
    b->api->message_unref (reply);
  b->api->error_free (&e);
  return r;
}

/* The leading number of Manager.Version ("252.39-1~deb12u1"), 0 if unknown. */
static unsigned
systemd_version (struct bus *b)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  char *v = NULL;
  unsigned n = 0;

  if (b->api->get_property_string (b->bus, SD_DEST, SD_PATH, SD_MANAGER, "Version", &e, &v) >= 0
      && v)
    n = (unsigned) strtoul (v[0] == 'v' ? v + 1 : v, NULL, 10);
  free (v);
  b->api->error_free (&e);
  return n;
}

/* One (sv) of the properties array. */
static int
append_prop (struct bus *b, sd_bus_message *m, const struct systemd_prop *p)
{
  static const char *const sig[]
      = { [SD_PROP_U64] = "t", [SD_PROP_BOOL] = "b", [SD_PROP_STR] = "s", [SD_PROP_BYTES] = "ay" };
  int r = b->api->message_open_container (m, 'r', "sv");

  if (r >= 0)
    r = b->api->message_append (m, "s", p->name);
  if (r >= 0)
    r = b->api->message_open_container (m, 'v', sig[p->type]);
  if (r >= 0)
    switch (p->type)
      {
      case SD_PROP_U64:
        r = b->api->message_append (m, "t", p->u64);
        break;
      case SD_PROP_BOOL:
        r = b->api->message_append (m, "b", (int) p->u64);
        break;
      case SD_PROP_STR:
        r = b->api->message_append (m, "s", p->str);
        break;
      case SD_PROP_BYTES:
        r = b->api->message_append_array (m, 'y', p->bytes, p->n_bytes);
        break;
      }
  if (r >= 0)
    r = b->api->message_close_container (m);
  if (r >= 0)
    r = b->api->message_close_container (m);
  return r;
}

static int
append_props (struct bus *b, sd_bus_message *m, const struct systemd_props *props, unsigned version)
{
  int r = 0;

  for (size_t i = 0; r >= 0 && i < props->n; i++)
    {
      /* An older systemd refuses what it does not know; the cgroup gets
       * the value written directly anyway. */
      if (props->p[i].min_version && version < props->p[i].min_version)
        continue;
      r = append_prop (b, m, &props->p[i]);
    }
  return r;
}

static int
start_unit (struct bus *b, const struct systemd_unit *u, const struct systemd_props *res,
            const char *id, pid_t helper, tong_error *err)
{
  _cleanup_free_ char *desc = xasprintf ("tong container %s", id);
  struct systemd_prop base[] = {
    { .name = "Description", .type = SD_PROP_STR, .str = desc },
    { .name = "Slice", .type = SD_PROP_STR, .str = u->slice },
    { .name = "Delegate", .type = SD_PROP_BOOL, .u64 = 1 },
    /* As runc: no ordering against shutdown or other units. */
    { .name = "DefaultDependencies", .type = SD_PROP_BOOL, .u64 = 0 },
    /* A failed scope (OOM) is collected too, so the id can be used again. */
    { .name = "CollectMode",
      .type = SD_PROP_STR,
      .str = (char *) "inactive-or-failed",
      .min_version = 236 },
  };
  unsigned version = systemd_version (b);
  sd_bus_message *m = NULL;
  int r;

  r = b->api->message_new_method_call (b->bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
                                       "StartTransientUnit");
  if (r >= 0)
    r = b->api->message_append (m, "ss", u->unit, "fail");
  if (r >= 0)
    r = b->api->message_open_container (m, 'a', "(sv)");
  for (size_t i = 0; r >= 0 && i < ARRAY_SIZE (base); i++)
    if (!base[i].min_version || version >= base[i].min_version)
      r = append_prop (b, m, &base[i]);
  if (r >= 0)
    r = b->api->message_append (m, "(sv)", "PIDs", "au", 1, (uint32_t) helper);
  if (r >= 0)
    r = append_props (b, m, res, version);
  if (r >= 0)
    r = b->api->message_close_container (m);
  if (r >= 0)
    r = b->api->message_append (m, "a(sa(sv))", 0);
  if (r < 0)
    {
      if (m)
        b->api->message_unref (m);
      return tong_err (err, -r, "systemd: build the StartTransientUnit call for %s", u->unit);
    }
  {
    _cleanup_free_ char *what = xasprintf ("start the scope %s in %s", u->unit, u->slice);
    r = call_job (b, m, what, err);
  }
  b->api->message_unref (m);
  return r;
}

/* A child that only waits: systemd moves it into the new scope. */
static pid_t
helper_spawn (tong_error *err)
{
  pid_t parent = getpid ();
  pid_t pid = fork ();

  if (pid < 0)
    return tong_err (err, errno, "fork the process that opens the systemd scope");
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (getppid () != parent)
        _exit (0);
      sys_close_range (3, ~0U, 0);
      for (;;)
        pause ();
    }
  return pid;
}

/* The cgroup v2 directory that /proc/PID/cgroup names. */
static int
pid_cgroup_path (pid_t pid, char **out, tong_error *err)
{
  _cleanup_free_ char *file = xasprintf ("/proc/%d/cgroup", (int) pid), *text = NULL;
  const char *mnt = cgroup_v2_mount ();
  int r = read_file_at (AT_FDCWD, file, &text, NULL, err);
  char *line, *save = NULL;

  if (r < 0)
    return r;
  if (!mnt)
    return tong_err_code (err, ENOENT, "the systemd cgroup driver needs a cgroup v2 hierarchy");
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (strncmp (line, "0::", 3) == 0)
      {
        *out = xasprintf ("%s%s", mnt, line + 3);
        return 0;
      }
  return tong_err_code (err, ENOENT, "%s names no cgroup v2 path", file);
}

int
systemd_scope_start (const struct oci_spec *spec, const char *id, struct systemd_scope *s,
                     tong_error *err)
{
  _cleanup_systemd_unit_ struct systemd_unit u = { 0 };
  _cleanup_systemd_props_ struct systemd_props props = { 0 };
  _cleanup_bus_ struct bus b = { 0 };
  const char *cp = spec->linux_ ? spec->linux_->cgroups_path : NULL;
  bool started;
  int r;

  memset (s, 0, sizeof *s);
  r = systemd_unit_parse (cp, id, &u, err);
  if (r == 0)
    r = systemd_props_from_resources (spec->linux_ ? spec->linux_->resources : NULL, &props, err);
  if (r < 0)
    return tong_err_prefix (err, "config.json");
  r = bus_open (&b, err);
  if (r < 0)
    return r;
  /* Once systemd is known to be there: what it would make is not yet what
   * tong can use on such a host. */
  if (cgroup_host_is_v1 (cgroup_host_get ()))
    return tong_err (err, ENOTSUP,
                     "the systemd cgroup driver is not supported on a cgroup v1 or hybrid "
                     "host (this one is %s): use --cgroup-manager cgroupfs",
                     cgroup_mode_name (cgroup_host_get ()->mode));
  s->helper = helper_spawn (err);
  if (s->helper < 0)
    {
      s->helper = 0;
      return -err->errnum;
    }
  r = start_unit (&b, &u, &props, id, s->helper, err);
  started = r == 0;
  if (r == 0)
    r = pid_cgroup_path (s->helper, &s->path, err);
  if (r == 0 && !strstr (s->path, u.unit))
    r = tong_err (err, EIO, "systemd started %s, but its process is in `%s`", u.unit, s->path);
  if (r < 0)
    {
      tong_error ignored;
      systemd_scope_release_helper (s);
      if (started)
        systemd_scope_stop (u.unit, &ignored);
      systemd_scope_clear (s);
      return r;
    }
  s->unit = TAKE_PTR (u.unit);
  return 0;
}

void
systemd_scope_release_helper (struct systemd_scope *s)
{
  if (s->helper > 0)
    {
      kill (s->helper, SIGKILL);
      while (waitpid (s->helper, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  s->helper = 0;
}

int
systemd_scope_stop (const char *unit, tong_error *err)
{
  _cleanup_bus_ struct bus b = { 0 };
  _cleanup_free_ char *what = xasprintf ("stop the scope %s", unit);
  sd_bus_message *m = NULL;
  int r = bus_open (&b, err);

  if (r < 0)
    return r;
  r = b.api->message_new_method_call (b.bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit");
  if (r >= 0)
    r = b.api->message_append (m, "ss", unit, "replace");
  if (r < 0)
    r = tong_err (err, -r, "systemd: build the StopUnit call for %s", unit);
  else
    r = call_job (&b, m, what, err);
  if (m)
    b.api->message_unref (m);
  /* Emptied by tong, the scope may have ended (and been collected) already. */
  if (r < 0 && strstr (err->msg, "org.freedesktop.systemd1.NoSuchUnit"))
    {
      tong_err_clear (err);
      r = 0;
    }
  return r;
}

int
systemd_scope_set_resources (const char *unit, const struct oci_resources *res, tong_error *err)
{
  _cleanup_systemd_props_ struct systemd_props props = { 0 };
  _cleanup_bus_ struct bus b = { 0 };
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message *m = NULL, *reply = NULL;
  int r = systemd_props_from_resources (res, &props, err);

  if (r < 0 || props.n == 0)
    return r;
  r = bus_open (&b, err);
  if (r < 0)
    return r;
  r = b.api->message_new_method_call (b.bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
  if (r >= 0)
    r = b.api->message_append (m, "sb", unit, 1);
  if (r >= 0)
    r = b.api->message_open_container (m, 'a', "(sv)");
  if (r >= 0)
    r = append_props (&b, m, &props, systemd_version (&b));
  if (r >= 0)
    r = b.api->message_close_container (m);
  if (r < 0)
    r = tong_err (err, -r, "systemd: build the SetUnitProperties call for %s", unit);
  else
    {
      _cleanup_free_ char *what = xasprintf ("set the resources of %s", unit);
      r = b.api->call (b.bus, m, JOB_TIMEOUT_USEC, &e, &reply);
      r = r < 0 ? bus_err (err, r, &e, what) : 0;
    }
  if (reply)
    b.api->message_unref (reply);
  if (m)
    b.api->message_unref (m);
  b.api->error_free (&e);
  return r;
}

void
systemd_scope_clear (struct systemd_scope *s)
{
  free (s->unit);
  free (s->path);
  s->unit = s->path = NULL;
}
