/* registry-get: a command-line client of tong-shim's registry library, so
 * that tests/integration/registry.sh can drive it against a real registry.
 *
 *   registry-get [OPTIONS] manifest REF
 *       prints the media type, the digest, then the body
 *   registry-get [OPTIONS] blob REF DIGEST SIZE OUTFILE [DIGEST SIZE OUTFILE...]
 *       downloads blobs in parallel; an OUTFILE with bytes in it is resumed
 *
 * OPTIONS: --insecure --creds USER:PASS --auth-file F --ca-file F
 *          --registries-conf F --parallel N --progress
 * Errors go to stderr, one line each; the exit status is 1 on failure. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/shim/registry.h"
#include "src/base/util.h"

static void
usage (void)
{
  fprintf (stderr, "usage: registry-get [--insecure] [--creds U:P] [--auth-file F] [--ca-file F] "
                   "[--registries-conf F] [--parallel N] [--progress]\n"
                   "         manifest REF | blob REF DIGEST SIZE OUTFILE...\n");
  exit (2);
}

static int
get_manifest (struct registry *reg, const struct image_ref *ref, tong_error *err)
{
  _cleanup_free_ char *body = NULL, *media_type = NULL, *digest = NULL;
  size_t len;
  int r;

  r = registry_get_manifest (reg, ref->digest ? ref->digest : ref->tag, &body, &len, &media_type,
                             &digest, err);
  if (r < 0)
    return r;
  printf ("%s\n%s\n", media_type, digest);
  fwrite (body, 1, len, stdout);
  putchar ('\n');
  return 0;
}

static int
get_blobs (struct registry *reg, char **args, size_t nargs, tong_error *err)
{
  size_t n = nargs / 3;
  _cleanup_free_ struct blob_fetch *f = xcalloc (n, sizeof *f);
  int r;

  if (n == 0 || nargs % 3 != 0)
    usage ();
  for (size_t i = 0; i < n; i++)
    {
      char *end;
      f[i].digest = args[3 * i];
      errno = 0;
      f[i].size = strtoll (args[3 * i + 1], &end, 10);
      if (errno || *end || end == args[3 * i + 1])
        return tong_err (err, 0, "bad size \"%s\"", args[3 * i + 1]);
      f[i].fd = open (args[3 * i + 2], O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (f[i].fd < 0)
        return tong_err (err, errno, "open %s", args[3 * i + 2]);
    }
  r = registry_get_blobs (reg, f, n, err);
  for (size_t i = 0; i < n; i++)
    {
      size_t failed = 0;
      for (size_t j = 0; j < n; j++)
        failed += f[j].result < 0;
      /* One failure is the whole error; several are listed one by one. */
      if (f[i].result < 0 && failed > 1)
        fprintf (stderr, "registry-get: %s\n", f[i].err.msg);
      close (f[i].fd);
    }
  return r;
}

int
main (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "insecure", no_argument, NULL, 'k' },
    { "creds", required_argument, NULL, 'c' },
    { "auth-file", required_argument, NULL, 'a' },
    { "ca-file", required_argument, NULL, 'C' },
    { "registries-conf", required_argument, NULL, 'r' },
    { "parallel", required_argument, NULL, 'p' },
    { "progress", no_argument, NULL, 'P' },
    { NULL, 0, NULL, 0 },
  };
  struct registry_options o = { 0 };
  struct registry *reg = NULL;
  struct image_ref ref = { 0 };
  _cleanup_free_ char *def = NULL;
  tong_error err = { 0 };
  int c, r;

  while ((c = getopt_long (argc, argv, "", longopts, NULL)) != -1)
    switch (c)
      {
      case 'k':
        o.insecure = true;
        break;
      case 'c':
        o.creds = optarg;
        break;
      case 'a':
        o.auth_file = optarg;
        break;
      case 'C':
        o.ca_file = optarg;
        break;
      case 'r':
        o.registries_conf = optarg;
        break;
      case 'p':
        o.parallel = (unsigned) atoi (optarg);
        break;
      case 'P':
        o.progress = true;
        break;
      default:
        usage ();
      }
  if (argc - optind < 2)
    usage ();
  r = registry_conf_default (o.registries_conf, &def, &err);
  if (r == 0)
    r = image_ref_parse (argv[optind + 1], def, &ref, &err);
  if (r == 0)
    r = registry_open (&ref, &o, &reg, &err);
  if (r == 0 && strcmp (argv[optind], "manifest") == 0 && argc - optind == 2)
    r = get_manifest (reg, &ref, &err);
  else if (r == 0 && strcmp (argv[optind], "blob") == 0)
    r = get_blobs (reg, argv + optind + 2, argc - optind - 2, &err);
  else if (r == 0)
    usage ();
  registry_close (reg);
  image_ref_clear (&ref);
  if (r < 0)
    {
      fprintf (stderr, "registry-get: %s\n", err.msg);
      return 1;
    }
  return 0;
}
