/* GET /v2/<name>/blobs/<digest> for many blobs at once (curl multi):
 * resumed from the bytes already in each file, size and sha256 checked while
 * streaming, transient failures retried with backoff. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "src/shim/registry-internal.h"
#include "src/base/util.h"

enum xfer_state
{
  X_WAITING,
  X_RUNNING,
  X_DONE,
};

struct xfer
{
  struct registry *r;
  struct blob_fetch *f;
  enum xfer_state state;
  CURL *h;
  struct curl_slist *headers;
  struct http_reply reply;
  char *url;
  EVP_MD_CTX *md;
  int64_t have;       /* bytes in the file, all of them hashed */
  bool body_started;  /* the current response's body has begun */
  bool body_is_error; /* ... and it is an error document, not the blob */
  char errbody[4096];
  size_t errlen;
  int werr; /* set by the write callback when it stops the transfer */
  char *werr_msg;
  bool had_auth;
  bool auth_retried;
  unsigned attempts;
  int64_t retry_at; /* monotonic ms */
  char errbuf[CURL_ERROR_SIZE];
};

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
xfer_fail (struct xfer *x, int result)
{
  x->f->result = result < 0 ? result : -EIO;
  x->state = X_DONE;
}

static void
xfer_succeed (struct xfer *x)
{
  x->f->result = 0;
  tong_err_clear (&x->f->err);
  x->state = X_DONE;
}

/* Start the file over: a wrong prefix, or a server that ignored Range. */
static int
xfer_restart (struct xfer *x)
{
  if (ftruncate (x->f->fd, 0) < 0)
    return -errno;
  x->have = 0;
  EVP_DigestInit_ex (x->md, EVP_sha256 (), NULL);
  return 0;
}

/* Compare the digest of the bytes so far with the expected one, leaving the
 * running hash untouched. */
static bool
xfer_digest_matches (struct xfer *x, char *got, size_t gotlen)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  EVP_MD_CTX *c = EVP_MD_CTX_new ();

  EVP_MD_CTX_copy_ex (c, x->md);
  EVP_DigestFinal_ex (c, md, &mdlen);
  EVP_MD_CTX_free (c);
  snprintf (got, gotlen, "sha256:");
  for (unsigned i = 0; i < mdlen && 7 + 2 * i + 2 < gotlen; i++)
    sprintf (got + 7 + 2 * i, "%02x", md[i]);
  return strcmp (got, x->f->digest) == 0;
}

/* The file is complete: check its digest. */
static void
xfer_finish_content (struct xfer *x)
{
  char got[7 + 2 * EVP_MAX_MD_SIZE + 1];

  if (xfer_digest_matches (x, got, sizeof got))
    {
      xfer_succeed (x);
      return;
    }
  xfer_restart (x);
  xfer_fail (x, tong_err_code (&x->f->err, EBADMSG,
                               "blob %s from %s/%s: digest mismatch: the "
                               "content has digest %s",
                               x->f->digest, x->r->host, x->r->repository, got));
}

/* Check the request, hash what the file already holds. */
static int
xfer_prepare (struct xfer *x)
{
  struct blob_fetch *f = x->f;
  char buf[65536];
  struct stat st;

  if (f->digest == NULL || !image_digest_valid (f->digest) || strncmp (f->digest, "sha256:", 7))
    return tong_err (&f->err, 0, "blob \"%s\": not a sha256 digest", f->digest ? f->digest : "");
  if (f->size < 0)
    return tong_err (&f->err, 0, "blob %s: negative size %" PRId64, f->digest, f->size);
  if (fstat (f->fd, &st) < 0)
    return tong_err (&f->err, errno, "blob %s: fstat of the output file", f->digest);
  if (fcntl (f->fd, F_GETFL) & O_APPEND)
    return tong_err (&f->err, 0, "blob %s: the output file is open with O_APPEND", f->digest);
  x->md = EVP_MD_CTX_new ();
  EVP_DigestInit_ex (x->md, EVP_sha256 (), NULL);
  if (st.st_size > f->size)
    {
      if (xfer_restart (x) < 0)
        return tong_err (&f->err, errno, "blob %s: truncate the output file", f->digest);
      st.st_size = 0;
    }
  while (x->have < st.st_size)
    {
      size_t want = st.st_size - x->have < (int64_t) sizeof buf ? (size_t) (st.st_size - x->have)
                                                                : sizeof buf;
      ssize_t n = pread (f->fd, buf, want, x->have);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return tong_err (&f->err, errno, "blob %s: read the partial download", f->digest);
      if (n == 0)
        break;
      EVP_DigestUpdate (x->md, buf, n);
      x->have += n;
    }
  if (x->have == f->size)
    {
      char got[7 + 2 * EVP_MAX_MD_SIZE + 1];
      if (xfer_digest_matches (x, got, sizeof got))
        xfer_succeed (x);
      else if (xfer_restart (x) < 0)
        return tong_err (&f->err, errno, "blob %s: truncate the output file", f->digest);
    }
  return 0;
}

static size_t
blob_write_cb (char *buf, size_t size, size_t n, void *data)
{
  struct xfer *x = data;
  size_t k = size * n, off = 0;

  if (!x->body_started)
    {
      long status = 0;
      x->body_started = true;
      curl_easy_getinfo (x->h, CURLINFO_RESPONSE_CODE, &status);
      if (status / 100 != 2)
        x->body_is_error = true;
      else if (status == 200 && x->have > 0)
        {
          if (xfer_restart (x) < 0)
            {
              x->werr = -errno;
              return 0;
            }
        }
      else if (status == 206)
        {
          long long start = -1;
          if (x->reply.content_range == NULL
              || sscanf (x->reply.content_range, "bytes %lld-", &start) != 1 || start != x->have)
            {
              x->werr = -EPROTO;
              x->werr_msg
                  = xasprintf ("the registry answered the range request from byte %" PRId64
                               " with Content-Range \"%s\"",
                               x->have, x->reply.content_range ? x->reply.content_range : "");
              return 0;
            }
        }
    }
  if (x->body_is_error)
    {
      size_t room = sizeof x->errbody - 1 - x->errlen, c = k < room ? k : room;
      memcpy (x->errbody + x->errlen, buf, c);
      x->errlen += c;
      x->errbody[x->errlen] = '\0';
      return k;
    }
  if (x->have + (int64_t) k > x->f->size)
    {
      x->werr = -EFBIG;
      x->werr_msg = xasprintf ("more than the expected %" PRId64 " bytes", x->f->size);
      return 0;
    }
  while (off < k)
    {
      ssize_t w = pwrite (x->f->fd, buf + off, k - off, x->have + off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        {
          x->werr = -errno;
          x->werr_msg = xasprintf ("write to the output file: %s", strerror (errno));
          return 0;
        }
      off += w;
    }
  EVP_DigestUpdate (x->md, buf, k);
  x->have += k;
  return k;
}

static int
xfer_start (struct xfer *x, CURLM *multi)
{
  x->h = curl_easy_init ();
  if (x->h == NULL)
    return tong_err (&x->f->err, ENOMEM, "curl_easy_init");
  x->headers = NULL;
  x->had_auth = x->r->authorization != NULL;
  registry_setup_easy (x->r, x->h, x->url, true, &x->headers);
  if (x->have > 0)
    {
      char range[64];
      snprintf (range, sizeof range, "%" PRId64 "-", x->have);
      curl_easy_setopt (x->h, CURLOPT_RANGE, range);
    }
  curl_easy_setopt (x->h, CURLOPT_WRITEFUNCTION, blob_write_cb);
  curl_easy_setopt (x->h, CURLOPT_WRITEDATA, x);
  curl_easy_setopt (x->h, CURLOPT_HEADERFUNCTION, http_reply_header_cb);
  curl_easy_setopt (x->h, CURLOPT_HEADERDATA, &x->reply);
  curl_easy_setopt (x->h, CURLOPT_ERRORBUFFER, x->errbuf);
  curl_easy_setopt (x->h, CURLOPT_PRIVATE, x);
  http_reply_clear (&x->reply);
  x->body_started = x->body_is_error = false;
  x->errlen = 0;
  x->errbody[0] = x->errbuf[0] = '\0';
  x->werr = 0;
  free (x->werr_msg);
  x->werr_msg = NULL;
  curl_multi_add_handle (multi, x->h);
  x->state = X_RUNNING;
  return 0;
}

/* Seconds of a Retry-After header (the date form is not used by
 * registries), capped at a minute; 0 when absent. */
static int64_t
retry_after_ms (const struct http_reply *reply)
{
  char *end;
  long s;

  if (reply->retry_after == NULL)
    return 0;
  s = strtol (reply->retry_after, &end, 10);
  if (end == reply->retry_after || s <= 0)
    return 0;
  return (s > 60 ? 60 : s) * 1000;
}

/* The error is in x->f->err; retry later if it is transient and tries remain. */
static void
xfer_retry_or_fail (struct xfer *x, bool transient, int result)
{
  if (transient && x->attempts < REGISTRY_RETRIES)
    {
      int64_t wait = registry_backoff_ms (x->attempts + 1), asked = retry_after_ms (&x->reply);
      x->attempts++;
      x->retry_at = now_ms () + (asked > wait ? asked : wait);
      x->state = X_WAITING;
      return;
    }
  if (transient)
    tong_err_prefix (&x->f->err, "giving up after %u attempts", x->attempts + 1);
  xfer_fail (x, result);
}

static void
xfer_done (struct xfer *x, CURLM *multi, CURLcode cc)
{
  struct blob_fetch *f = x->f;
  _cleanup_free_ char *what = xasprintf ("blob %s", f->digest);
  long status = 0;

  curl_easy_getinfo (x->h, CURLINFO_RESPONSE_CODE, &status);
  curl_multi_remove_handle (multi, x->h);
  curl_easy_cleanup (x->h);
  x->h = NULL;
  curl_slist_free_all (x->headers);
  x->headers = NULL;

  if (x->werr)
    {
      xfer_fail (x,
                 tong_err_code (&f->err, -x->werr, "%s from %s/%s: %s", what, x->r->host,
                                x->r->repository, x->werr_msg ? x->werr_msg : strerror (-x->werr)));
      return;
    }
  if (cc != CURLE_OK)
    {
      int ret = registry_curl_error (x->r, cc, x->errbuf, what, &f->err);
      xfer_retry_or_fail (x, registry_transient_curl (cc), ret);
      return;
    }
  if (status == 401 && !x->auth_retried)
    {
      int ret;
      x->auth_retried = true;
      ret = registry_authenticate (x->r, x->reply.www_authenticate, x->had_auth, &f->err);
      if (ret < 0)
        xfer_fail (x, ret);
      else
        x->state = X_WAITING, x->retry_at = 0;
      return;
    }
  if (status == 416)
    {
      /* Our range is beyond what the registry has: start over. */
      int ret = tong_err_code (&f->err, EPROTO,
                               "%s from %s/%s: range from byte %" PRId64 " not satisfiable", what,
                               x->r->host, x->r->repository, x->have);
      xfer_restart (x);
      xfer_retry_or_fail (x, true, ret);
      return;
    }
  if (status / 100 != 2)
    {
      int ret = registry_http_error (x->r, status, x->errbody, x->errlen, what, &f->err);
      xfer_retry_or_fail (x, registry_transient_status (status), ret);
      return;
    }
  if (x->have < f->size)
    {
      int ret = tong_err_code (&f->err, EPIPE,
                               "%s from %s/%s: the transfer ended after %" PRId64 " of %" PRId64
                               " bytes",
                               what, x->r->host, x->r->repository, x->have, f->size);
      xfer_retry_or_fail (x, true, ret);
      return;
    }
  xfer_finish_content (x);
}

static void
show_progress (struct xfer *xs, size_t n, bool last)
{
  int64_t have = 0, total = 0;
  size_t done = 0;

  for (size_t i = 0; i < n; i++)
    {
      have += xs[i].have;
      total += xs[i].f->size;
      done += xs[i].state == X_DONE;
    }
  fprintf (stderr, "\rblobs %zu/%zu  %.1f/%.1f MiB%s", done, n, have / 1048576.0, total / 1048576.0,
           last ? "\n" : "");
  fflush (stderr);
}

int
registry_get_blobs (struct registry *r, struct blob_fetch *f, size_t n, tong_error *err)
{
  _cleanup_free_ struct xfer *xs = xcalloc (n ? n : 1, sizeof *xs);
  bool progress = r->progress && isatty (STDERR_FILENO);
  int64_t last_progress = 0;
  size_t failed = 0, first_failed = 0;
  CURLM *multi = curl_multi_init ();

  if (multi == NULL)
    return tong_err (err, ENOMEM, "curl_multi_init");
  for (size_t i = 0; i < n; i++)
    {
      struct xfer *x = &xs[i];
      x->r = r;
      x->f = &f[i];
      f[i].result = 0;
      tong_err_clear (&f[i].err);
      x->url = xasprintf ("%s/v2/%s/blobs/%s", r->base, r->repository, f[i].digest);
      if (xfer_prepare (x) < 0)
        xfer_fail (x, -f[i].err.errnum);
    }

  for (;;)
    {
      size_t running = 0, pending = 0;
      int64_t now = now_ms (), next = INT64_MAX;
      int still, timeout;
      CURLMsg *msg;

      for (size_t i = 0; i < n; i++)
        running += xs[i].state == X_RUNNING;
      for (size_t i = 0; i < n; i++)
        {
          struct xfer *x = &xs[i];
          if (x->state != X_WAITING)
            continue;
          pending++;
          if (x->retry_at <= now && running < r->parallel)
            {
              if (xfer_start (x, multi) < 0)
                xfer_fail (x, -x->f->err.errnum);
              else
                running++;
            }
          else if (x->retry_at > now && x->retry_at < next)
            next = x->retry_at;
        }
      if (running == 0 && pending == 0)
        break;
      curl_multi_perform (multi, &still);
      while ((msg = curl_multi_info_read (multi, &still)))
        if (msg->msg == CURLMSG_DONE)
          {
            struct xfer *x = NULL;
            curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &x);
            xfer_done (x, multi, msg->data.result);
          }
      if (progress && now - last_progress >= 200)
        {
          show_progress (xs, n, false);
          last_progress = now;
        }
      timeout = 100;
      if (running == 0 && next != INT64_MAX)
        timeout = next - now > 0 ? (int) (next - now) : 1;
      curl_multi_poll (multi, NULL, 0, timeout, NULL);
    }
  if (progress)
    show_progress (xs, n, true);

  for (size_t i = 0; i < n; i++)
    {
      if (xs[i].h)
        {
          curl_multi_remove_handle (multi, xs[i].h);
          curl_easy_cleanup (xs[i].h);
        }
      curl_slist_free_all (xs[i].headers);
      http_reply_clear (&xs[i].reply);
      EVP_MD_CTX_free (xs[i].md);
      free (xs[i].url);
      free (xs[i].werr_msg);
      if (f[i].result < 0 && failed++ == 0)
        first_failed = i;
    }
  curl_multi_cleanup (multi);
  if (failed == 0)
    return 0;
  if (failed == 1)
    return tong_err_code (err, f[first_failed].err.errnum, "%s", f[first_failed].err.msg);
  return tong_err_code (err, f[first_failed].err.errnum, "%zu of %zu blobs failed; the first: %s",
                        failed, n, f[first_failed].err.msg);
}
