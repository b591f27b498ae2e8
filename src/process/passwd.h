/* passwd(5) files read directly, as runc's libcontainer/user does: no NSS
 * (nsswitch.conf, its modules) and no stdio, for one entry. */
#ifndef TONG_PASSWD_H
#define TONG_PASSWD_H

#include <sys/types.h>

/* The entry of uid in the passwd file at path: its name and home directory
 * (malloc'd; pass NULL for what is not wanted).  Returns 0, -ENOENT when the
 * file has no such entry, or another -errno when it cannot be read. */
int passwd_find_uid (const char *path, uid_t uid, char **name, char **home);

#endif
