/* Linux security modules: process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel.  The runtime checks at create (and exec) that the host
 * has the module a field asks for, before anything is spawned; the child
 * writes the labels, which take effect at its execve. */
#ifndef TONG_LSM_H
#define TONG_LSM_H

#include <stdbool.h>

#include "oci/spec.h"
#include "src/error.h"

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

/* In the child, right before execve (and before the identity change and
 * noNewPrivileges, which may forbid a transition): write the AppArmor
 * profile and the SELinux label for the next execve. */
int lsm_apply_process (const struct oci_process *p, tong_error *err);

/* In the init, before it joins a new session keyring: the SELinux label of
 * the keys it creates (process.selinuxLabel), so that the keyring gets it. */
int lsm_set_key_label (const char *label, tong_error *err);

/* The data string for mounting a filesystem of `type` with linux.mountLabel:
 * data with `context="LABEL"` appended, or NULL when the label does not
 * apply (no label; proc, sysfs, cgroup and mqueue, which keep their own
 * labels).  The caller frees it. */
char *lsm_mount_data (const char *data, const char *type, const char *label);

#endif
