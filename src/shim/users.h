/* -u USER[:GROUP] resolved against the image's /etc/passwd and /etc/group,
 * read through the container's root fd (symlinks stay inside it). */
#ifndef TONG_SHIM_USERS_H
#define TONG_SHIM_USERS_H

#include <stddef.h>
#include <sys/types.h>

#include "src/base/error.h"

struct user_ids
{
  uid_t uid;
  gid_t gid;
  gid_t *groups; /* supplementary groups the user is a member of */
  size_t n_groups;
  char *home; /* NULL when unknown */
};

/* Pure: the files' contents (either may be NULL when the image lacks it). */
int user_resolve_text (const char *passwd, const char *group, const char *spec, struct user_ids *u,
                       tong_error *err);
/* Read etc/passwd and etc/group below rootfd. */
int user_resolve (int rootfd, const char *spec, struct user_ids *u, tong_error *err);
void user_ids_clear (struct user_ids *u);

#endif
