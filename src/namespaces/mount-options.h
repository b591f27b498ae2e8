/* The "options" list of a spec mount, turned into mount(2) flags, propagation
 * changes, recursive mount_setattr(2) attributes and a data string.  Pure: no
 * syscalls, so it is tested without root. */
#ifndef TONG_MOUNT_OPTIONS_H
#define TONG_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/base/error.h"

struct mount_options
{
  unsigned long flags;       /* MS_* to set: MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC (rbind), ... */
  unsigned long cleared;     /* MS_* an option asked to clear ("rw", "suid", "exec", ...) */
  unsigned long propagation; /* last of (r)shared/(r)slave/(r)private/(r)unbindable, or 0 */
  uint64_t rec_attr_set;     /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE): "rro", ... */
  uint64_t rec_attr_clr;
  char *data; /* every other option, comma-joined, or NULL */
};

/* Parse a NULL-terminated option list (NULL means none).  Later options win
 * over earlier ones ("ro,rw" is rw).  Fills *out, which the caller releases
 * with mount_options_release. */
int mount_options_parse (char *const *options, struct mount_options *out, tong_error *err);
void mount_options_release (struct mount_options *o);

/* The flags that a bind mount must be remounted with (MS_BIND|MS_REMOUNT is
 * added by the caller): 0 when the options ask for nothing a bind keeps. */
unsigned long mount_options_bind_remount_flags (const struct mount_options *o);

/* Map a linux.rootfsPropagation value ("shared", "rslave", ...) to MS_* flags;
 * returns -EINVAL with err set for an unknown value. */
int mount_propagation_parse (const char *value, unsigned long *out, tong_error *err);

/* MOUNT_ATTR_* (fsmount, mount_setattr) for the per-mount MS_* flags in
 * `flags`: ro, nosuid, nodev, noexec, an atime mode, nodiratime. */
uint64_t mount_attr_from_flags (unsigned long flags);

/* The part of the absolute `path` below the mount destination `dest` ("sys"
 * for "/proc" and "/proc/sys", "" for "/proc" itself), ignoring repeated and
 * trailing slashes; NULL when path is not at or below dest or has a ".."
 * component.  The result points into path. */
const char *mount_path_beneath (const char *dest, const char *path);

/* Two absolute paths, equal but for repeated and trailing slashes. */
bool path_equal (const char *a, const char *b);

/* The name of the i-th option understood, or NULL past the last (for `features`). */
const char *mount_option_name (size_t i);

/* The data string for mounting a filesystem of `type` with linux.mountLabel:
 * data with `context="LABEL"` appended, or NULL when the label does not
 * apply (no label; proc, sysfs, cgroup and mqueue, which keep their own
 * labels).  The caller frees it. */
char *mount_options_labelled (const char *data, const char *type, const char *label);

#endif
