/* tong run [-d] [create flags] ID: create, start, and (without -d) wait for
 * the container, forwarding signals and proxying its terminal, then delete it
 * and exit with its status (128+N when a signal N ended it). */
#include <signal.h>
#include <unistd.h>

#include "oci/config.h"
#include "src/cli/commands.h"
#include "src/container/container.h"
#include "src/container/foreground.h"
#include "src/base/log.h"

int
cmd_run (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  struct create_options o = { 0 };
  struct created_container cc;
  _cleanup_oci_spec_ struct oci_spec *spec = NULL;
  bool detach = false, keep = false;
  sigset_t old;
  tong_error derr = { 0 };
  int r;

  r = create_flags_parse (argc, argv, &o, &detach, &keep, err);
  if (r < 0)
    return r;
  o.foreground = !detach;
  o.run = true;

  /* Block the signals to forward before the init exists, so none is lost;
   * the init resets its own mask. */
  if (!detach)
    foreground_block_signals (&old);
  r = container_create (g, &o, &cc, err);
  if (r < 0)
    goto out;
  spec = cc.spec;
  r = container_release (g, o.id, spec, cc.sync_fd, err);
  if (r < 0)
    {
      container_delete (g, o.id, true, spec, &derr);
      goto out;
    }
  close (cc.pidfd);
  if (detach)
    return 0;
  r = foreground_wait (cc.pid, cc.console_master, err);
  if (!keep && container_delete (g, o.id, true, spec, &derr) < 0)
    log_warning ("delete container %s: %s", o.id, derr.msg);
out:
  if (!detach)
    sigprocmask (SIG_SETMASK, &old, NULL);
  return r;
}
