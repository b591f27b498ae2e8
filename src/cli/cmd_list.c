/* tong list [--format table|json] [--quiet] */
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

/* list prints through out_puts, not stdio: see there.  Each returns 0 or -errno. */
static int
print_json (struct container_entry *e, size_t n)
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
print_table (struct container_entry *e, size_t n)
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
  struct container_entry *entries;
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
  n = container_list (g, &entries);
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
  container_list_free (entries, n);
  if (r < 0)
    return tong_err (err, r, "list: write to standard output");
  return 0;
}
