/* tong-shim images, rmi and inspect. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_gen.h>

#include "src/shim/db.h"
#include "src/shim/image.h"
#include "src/shim/shim.h"
#include "src/base/util.h"

static void
human_size (int64_t n, char *buf, size_t len)
{
  const char *units[] = { "B", "kB", "MB", "GB", "TB" };
  double v = (double) n;
  size_t u = 0;
  while (v >= 1000 && u < 4)
    v /= 1000, u++;
  snprintf (buf, len, u ? "%.3g %s" : "%.0f %s", v, units[u]);
}

int
cmd_images (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "no-trunc", no_argument, NULL, 'n' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  bool quiet = false, no_trunc = false;
  _cleanup_strv_ char **ids = NULL;
  struct shim s = { 0 };
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = true;
        break;
      case 'n':
        no_trunc = true;
        break;
      case 'h':
        shim_command_usage ("images");
        exit (0);
      default:
        return shim_unknown_option (argc, argv, err);
      }
  if (optind != argc)
    return tong_err (err, 0, "images: takes no arguments");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  r = db_image_ids (s.db, &ids, err);
  if (r == 0 && !quiet)
    printf ("%-40s %-12s %-14s %-20s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
  for (size_t i = 0; r == 0 && ids[i]; i++)
    {
      struct db_image img;
      char when[32], size[32];
      struct tm tm;
      time_t t;
      int n = no_trunc ? 64 : 12;
      r = db_image_get (s.db, ids[i], &img, err);
      if (r < 0)
        break;
      if (quiet)
        {
          printf ("%.*s\n", n, img.id + 7);
          db_image_clear (&img);
          continue;
        }
      t = (time_t) img.created;
      gmtime_r (&t, &tm);
      strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
      human_size (img.size, size, sizeof size);
      if (!img.tags[0])
        printf ("%-40s %-12s %-14.*s %-20s %s\n", "<none>", "<none>", n, img.id + 7, when, size);
      for (size_t j = 0; img.tags[j]; j++)
        {
          /* "repo:tag", or "repo@digest" for an image pulled by digest. */
          char *at = strchr (img.tags[j], '@'), *colon = strrchr (img.tags[j], ':');
          char *end = at ? at : colon ? colon : img.tags[j] + strlen (img.tags[j]);
          printf ("%-40.*s %-12s %-14.*s %-20s %s\n", (int) (end - img.tags[j]), img.tags[j],
                  at || !colon ? "<none>" : colon + 1, n, img.id + 7, when, size);
        }
      db_image_clear (&img);
    }
  shim_close (&s);
  return r;
}

/* Untag NAME, or with an id remove the image with all its tags; the image
 * goes when no tag is left.  Layers and blobs stay until prune. */
static int
rmi_one (struct shim *s, const char *what, bool force, tong_error *err)
{
  _cleanup_free_ char *id = NULL, *user = NULL, *tag = image_tag_normalize (what);
  struct db_image img;
  bool by_tag = false;
  int r;

  r = db_image_resolve (s->db, what, &id, err);
  if (r < 0)
    return r;
  r = db_image_get (s->db, id, &img, err);
  if (r < 0)
    return r;
  for (size_t i = 0; img.tags[i]; i++)
    if (tag
        && (strcmp (img.tags[i], tag) == 0
            || (strlen (img.tags[i]) > strlen (tag)
                && strcmp (img.tags[i] + strlen (img.tags[i]) - strlen (tag), tag) == 0
                && img.tags[i][strlen (img.tags[i]) - strlen (tag) - 1] == '/')))
      {
        free (tag);
        tag = xstrdup (img.tags[i]);
        by_tag = true;
      }
  r = db_begin (s->db, err);
  if (r < 0)
    goto out;
  if (by_tag && img.tags[1])
    {
      r = db_tag_remove (s->db, tag, err);
      if (r == 0)
        printf ("Untagged: %s\n", tag);
    }
  else
    {
      r = db_image_in_use (s->db, id, &user, err);
      if (r > 0 && !force)
        r = tong_err_code (err, EBUSY,
                           "rmi: image %s is used by container %s (remove the "
                           "container first)",
                           what, user);
      else if (r > 0)
        r = tong_err_code (err, EBUSY,
                           "rmi --force: image %s is used by container %s; tong-shim "
                           "does not remove containers for rmi: rm them first",
                           what, user);
      if (r == 0)
        r = db_image_remove (s->db, id, err);
      if (r == 0)
        printf ("Deleted: %s\n", id);
    }
  if (r == 0)
    r = db_commit (s->db, err);
  else
    db_rollback (s->db);
out:
  db_image_clear (&img);
  return r;
}

int
cmd_rmi (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  bool force = false;
  struct shim s = { 0 };
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+fh", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'h':
        shim_command_usage ("rmi");
        exit (0);
      default:
        return shim_unknown_option (argc, argv, err);
      }
  if (optind == argc)
    return tong_err (err, 0, "rmi: give the images to remove");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  for (int i = optind; r == 0 && i < argc; i++)
    r = rmi_one (&s, argv[i], force, err);
  shim_close (&s);
  return r;
}

static void
gs (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static void
gstrv (yajl_gen g, const char *key, char *const *v)
{
  gs (g, key);
  if (!v)
    {
      yajl_gen_null (g);
      return;
    }
  yajl_gen_array_open (g);
  for (; *v; v++)
    gs (g, *v);
  yajl_gen_array_close (g);
}

static void
inspect_image (yajl_gen g, const struct image_info *info)
{
  yajl_gen_map_open (g);
  gs (g, "Id");
  gs (g, info->row.id);
  gs (g, "Digest");
  gs (g, info->row.manifest);
  gstrv (g, "RepoTags", info->row.tags);
  gs (g, "Created");
  gs (g, info->config.created ? info->config.created : "");
  gs (g, "Os");
  gs (g, info->config.os ? info->config.os : "");
  gs (g, "Architecture");
  gs (g, info->config.architecture ? info->config.architecture : "");
  gs (g, "Size");
  yajl_gen_integer (g, info->row.size);
  gs (g, "Config");
  yajl_gen_map_open (g);
  gs (g, "User");
  gs (g, info->config.user ? info->config.user : "");
  gstrv (g, "Env", info->config.env);
  gstrv (g, "Entrypoint", info->config.entrypoint);
  gstrv (g, "Cmd", info->config.cmd);
  gs (g, "WorkingDir");
  gs (g, info->config.working_dir ? info->config.working_dir : "");
  yajl_gen_map_close (g);
  gs (g, "RootFS");
  yajl_gen_map_open (g);
  gs (g, "Type");
  gs (g, "layers");
  gstrv (g, "Layers", info->config.diff_ids);
  yajl_gen_map_close (g);
  gstrv (g, "LayerDirs", info->layer_dirs);
  yajl_gen_map_close (g);
}

static void
inspect_container (yajl_gen g, const struct db_container *c)
{
  yajl_gen_map_open (g);
  gs (g, "Id");
  gs (g, c->id);
  gs (g, "Name");
  gs (g, c->name);
  gs (g, "Image");
  gs (g, c->image);
  gs (g, "Bundle");
  gs (g, c->bundle);
  gs (g, "State");
  gs (g, c->state);
  gs (g, "ExitCode");
  yajl_gen_integer (g, c->exit_code);
  gs (g, "Created");
  yajl_gen_integer (g, c->created);
  gs (g, "Command");
  gs (g, c->command);
  yajl_gen_map_close (g);
}

int
cmd_inspect (const struct shim_globals *g, int argc, char **argv, tong_error *err)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  yajl_gen gen;
  const unsigned char *buf;
  size_t len;
  struct shim s = { 0 };
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+h", opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          shim_command_usage ("inspect");
          exit (0);
        }
      return shim_unknown_option (argc, argv, err);
    }
  if (optind == argc)
    return tong_err (err, 0, "inspect: give the images or containers to inspect");
  r = shim_open (g, &s, err);
  if (r < 0)
    return r;
  gen = yajl_gen_alloc (NULL);
  yajl_gen_config (gen, yajl_gen_beautify, 1);
  yajl_gen_array_open (gen);
  for (int i = optind; r == 0 && i < argc; i++)
    {
      struct db_container ctr;
      struct image_info info;
      tong_error e = { 0 };
      if (db_container_find (s.db, argv[i], &ctr, &e) == 0)
        {
          inspect_container (gen, &ctr);
          db_container_clear (&ctr);
          continue;
        }
      r = image_lookup (&s, argv[i], &info, err);
      if (r == -ENOENT)
        r = tong_err_code (err, ENOENT, "inspect: no image or container \"%s\"", argv[i]);
      if (r < 0)
        break;
      inspect_image (gen, &info);
      image_info_clear (&info);
    }
  yajl_gen_array_close (gen);
  if (r == 0)
    {
      yajl_gen_get_buf (gen, &buf, &len);
      fwrite (buf, 1, len, stdout);
      putchar ('\n');
    }
  yajl_gen_free (gen);
  shim_close (&s);
  return r;
}
