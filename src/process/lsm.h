/* Linux security modules: process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel (whose mount data is mount_options_labelled's,
 * src/namespaces/mount-options.h).  The runtime checks at create (and exec)
 * that the host has the module a field asks for, before anything is
 * spawned; the child writes the labels, which take effect at its execve. */
#ifndef TONG_LSM_H
#define TONG_LSM_H

#include <stdbool.h>

#include "oci/spec.h"
#include "src/base/error.h"

/* Whether the running kernel has the module active.  Without, *why (when
 * not NULL) says what is missing, for an error message. */
bool lsm_apparmor_enabled (const char **why);
bool lsm_selinux_enabled (const char **why);

/* In the runtime: fail with a message naming `field` (e.g.
 * "config.json: process.apparmorProfile", "--apparmor") when value is set
 * and the host lacks the module.  NULL or "" is nothing to check. */
int lsm_check_apparmor (const char *field, const char *profile, tong_error *err);
int lsm_check_selinux (const char *field, const char *label, tong_error *err);

/* Both checks for a process object; source names its file ("config.json"). */
int lsm_check_process (const struct oci_process *p, const char *source, tong_error *err);

/* The attr files in /proc that a child writes its labels to, -1 where it
 * writes nothing. */
struct lsm_attrs
{
  int apparmor_exec; /* attr/apparmor/exec, or attr/exec before 5.1 */
  int selinux_exec;  /* attr/exec */
  int keycreate;     /* attr/keycreate: the label of the keys it creates */
};
#define LSM_ATTRS_NONE                                                                             \
  {                                                                                                \
    -1, -1, -1                                                                                     \
  }

/* In the child, before it joins or enters anything of the container (before
 * pivot_root): open the attr files that p's labels (and with key_label, the
 * SELinux key label) will be written to, through the runtime's /proc.
 * After pivot_root the name /proc is the container's: a writer of the
 * rootfs could have a label land in a file of its own, and the process
 * would run unconfined.  Files of this process: only it can write them, and
 * only until its next execve. */
int lsm_open_attrs (const struct oci_process *p, bool key_label, struct lsm_attrs *a,
                    tong_error *err);
void lsm_attrs_close (struct lsm_attrs *a);

/* Right before execve (and before the identity change and
 * noNewPrivileges, which may forbid a transition): write the AppArmor
 * profile and the SELinux label for the next execve; closes a's files. */
int lsm_apply_process (struct lsm_attrs *a, const struct oci_process *p, tong_error *err);

/* In the init, before it joins a new session keyring: the SELinux label of
 * the keys it creates (process.selinuxLabel), so that the keyring gets it. */
int lsm_set_key_label (struct lsm_attrs *a, const char *label, tong_error *err);

#endif
