/* tong list [--format table|json] [--quiet] */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/commands.h"
#include "src/container/container.h"
#include "src/base/util.h"

static const struct option list_options[] = {
  { "format", required_argument, NULL, 'f' },
  { "quiet", no_argument, NULL, 'q' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

struct entry
{
  struct container_state st;
  enum container_status status;
};

static int
entry_cmp (const void *a, const void *b)
{
  return strcmp (((const struct entry *) a)->st.id, ((const struct entry *) b)->st.id);
}

/* Every container whose state can be read; a directory in the middle of
 * being created or deleted is skipped. */
static size_t
collect (struct tong_globals *g, struct entry **out)
{
  struct entry *entries = NULL;
  size_t n = 0;
  struct dirent *de;
  DIR *d = opendir (g->root);

  *out = NULL;
  if (!d)
    return 0;
  while ((de = readdir (d)))
    {
      struct container_state st = { 0 };
      tong_error ignored;
      int dirfd = -1;
      if (de->d_name[0] == '.')
        continue;
      if (open_container (g, de->d_name, false, &dirfd, &st, &ignored) < 0)
        {
          state_clear (&st);
          continue;
        }
      entries = xrealloc (entries, (n + 1) * sizeof *entries);
      entries[n].st = st;
      entries[n].status = state_status (dirfd, &st);
      n++;
      close (dirfd);
    }
  closedir (d);
  if (n > 0)
    qsort (entries, n, sizeof *entries, entry_cmp);
  *out = entries;
  return n;
}

/* list prints through out_puts, not stdio: see there.  Each returns 0 or -errno. */
static int
print_json (struct entry *e, size_t n)
{
  int r = out_puts ("[");

  for (size_t i = 0; i < n && r == 0; i++)
    {
      _cleanup_free_ char *json = state_to_json (&e[i].st, e[i].status, false);
      r = out_puts (i ? "," : "");
      if (r == 0)
        r = out_puts (json);
    }
  return r < 0 ? r : out_puts ("]\n");
}

static int
print_table (struct entry *e, size_t n)
{
  _cleanup_free_ char *head = NULL;
  size_t w = 2;
  int r;

  for (size_t i = 0; i < n; i++)
    if (strlen (e[i].st.id) > w)
      w = strlen (e[i].st.id);
  head = xasprintf ("%-*s   %-8s %-10s %-40s %-31s %s\n", (int) w, "ID", "PID", "STATUS", "BUNDLE",
                    "CREATED", "OWNER");
  r = out_puts (head);
  for (size_t i = 0; i < n && r == 0; i++)
    {
      _cleanup_free_ char *line = NULL;
      char owner[64];
      state_owner_name (e[i].st.owner, owner, sizeof owner);
      line = xasprintf ("%-*s   %-8d %-10s %-40s %-31s %s\n", (int) w, e[i].st.id,
                        e[i].status == STATUS_STOPPED ? 0 : (int) e[i].st.pid,
                        status_name (e[i].status), e[i].st.bundle,
                        e[i].st.created ? e[i].st.created : "", owner);
      r = out_puts (line);
    }
  return r;
}

int
cmd_list (struct tong_globals *g, int argc, char **argv, tong_error *err)
{
  const char *format = "table";
  bool quiet = false;
  struct entry *entries;
  size_t n;
  int c, r = 0;

  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+f:qh", list_options, NULL)) != -1)
    {
      switch (c)
        {
        case 'f':
          format = optarg;
          break;
        case 'q':
          quiet = true;
          break;
        case 'h':
          command_usage (argv[0]);
          exit (0);
        default:
          return tong_err (err, 0, "list: unknown option `%s`", argv[optind - 1]);
        }
    }
  if (strcmp (format, "table") && strcmp (format, "json"))
    return tong_err (err, 0, "list: --format: unknown format \"%s\" (table or json)", format);
  n = collect (g, &entries);
  if (quiet)
    for (size_t i = 0; i < n && r == 0; i++)
      {
        r = out_puts (entries[i].st.id);
        if (r == 0)
          r = out_puts ("\n");
      }
  else if (strcmp (format, "json") == 0)
    r = print_json (entries, n);
  else
    r = print_table (entries, n);
  for (size_t i = 0; i < n; i++)
    state_clear (&entries[i].st);
  free (entries);
  if (r < 0)
    return tong_err (err, r, "list: write to standard output");
  return 0;
}
