#!/usr/bin/env python3
"""A misbehaving front for a test registry, to test a client's resilience.

    registry-proxy.py --upstream http://127.0.0.1:PORT --port-file FILE
                      [--log FILE] [--fail-first N] [--cut-blobs BYTES]
                      [--tamper-manifests] [--redirect-blobs]
                      [--upstream-creds USER:PASS] [--slow-blobs]
                      [--expire-tokens N]

Listens on 127.0.0.1 (a free port, written to --port-file) and forwards GET
and HEAD requests to the upstream registry (plain http), passing
Authorization, Accept and Range, and returning status, body and the headers
a registry client reads.  Faults, each logged to --log as one line:

  --fail-first N       the first N manifest or blob requests get 503
  --cut-blobs BYTES    the first response for each blob announces its full
                       length, sends BYTES of it and closes the connection
  --tamper-manifests   manifest bodies have one byte changed
  --expire-tokens N    the first N manifest or blob requests that carry
                       Authorization are forwarded without it, so that the
                       registry answers 401 as to an expired token
  --slow-blobs         blob bodies trickle out (64 KiB every 0.1 s, at least
                       0.3 s each), so that a test can kill a client in the
                       middle; "inflight N" lines count the blob responses
                       being sent at once
  --redirect-blobs     blob GETs get a 307 to a "storage" server on
                       127.0.0.2 (another host, as blob storage is), which
                       refuses (400) any request carrying Authorization and
                       fetches the blob upstream with --upstream-creds
Standard library only.
"""
import argparse
import base64
import http.server
import os
import re
import threading
import time
import urllib.error
import urllib.request

BLOB = re.compile(r"^/v2/(.+)/blobs/(sha256:[0-9a-f]{64})$")
MANIFEST = re.compile(r"^/v2/(.+)/manifests/([^/]+)$")
PASS_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "WWW-Authenticate",
                "Docker-Content-Digest", "Accept-Ranges", "Retry-After")


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.fail_left = args.fail_first
        self.inflight = 0
        self.expire_left = args.expire_tokens
        self.cut_done = set()
        self.storage_port = 0

    def log(self, line):
        if self.args.log:
            with self.lock, open(self.args.log, "a") as f:
                f.write(line + "\n")

    def take_failure(self):
        with self.lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                return True
            return False

    def take_expiry(self):
        with self.lock:
            if self.expire_left > 0:
                self.expire_left -= 1
                return True
            return False

    def take_cut(self, digest):
        with self.lock:
            if self.args.cut_blobs is None or digest in self.cut_done:
                return False
            self.cut_done.add(digest)
            return True


def upstream_get(state, method, path, headers):
    req = urllib.request.Request(state.args.upstream + path, method=method)
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        resp = urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as e:
        resp = e
    return resp.status if hasattr(resp, "status") else resp.code, resp.headers, resp.read()


class Base(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *a):
        pass

    def send(self, code, headers, body, head=False, cut=None, slow=False):
        self.send_response(code)
        for k in PASS_HEADERS:
            if k == "Content-Length":
                continue
            v = headers.get(k) if headers else None
            if v:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if cut is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        if cut is not None:
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        if slow:
            st = self.state
            with st.lock:
                st.inflight += 1
                n = st.inflight
            st.log("inflight %d" % n)
            try:
                time.sleep(0.2)
                for i in range(0, len(body), 65536):
                    self.wfile.write(body[i:i + 65536])
                    self.wfile.flush()
                    time.sleep(0.1)
            finally:
                with st.lock:
                    st.inflight -= 1
            return
        self.wfile.write(body)


class Proxy(Base):
    def do_HEAD(self):
        self.handle_any("HEAD")

    def do_GET(self):
        self.handle_any("GET")

    def handle_any(self, method):
        st = self.state
        path = self.path.split("?")[0]
        blob = BLOB.match(path)
        manifest = MANIFEST.match(path)
        if (blob or manifest) and st.take_failure():
            st.log("503 %s %s" % (method, path))
            return self.send(503, {"Content-Type": "application/json"},
                             b'{"errors":[{"code":"UNAVAILABLE","message":"injected failure"}]}',
                             method == "HEAD")
        fwd = {k: self.headers[k] for k in ("Authorization", "Accept", "Range") if self.headers[k]}
        if (blob or manifest) and "Authorization" in fwd and st.take_expiry():
            del fwd["Authorization"]
            st.log("expired %s %s" % (method, path))
        if blob and method == "GET" and st.args.redirect_blobs:
            loc = "http://127.0.0.2:%d/storage/%s/%s" % (st.storage_port, blob.group(1),
                                                         blob.group(2))
            st.log("307 %s %s" % (method, path))
            self.send_response(307)
            self.send_header("Location", loc)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        code, headers, body = upstream_get(st, method, self.path, fwd)
        if manifest and method == "GET" and code == 200 and st.args.tamper_manifests:
            body = body.replace(b'"schemaVersion":2', b'"schemaVersion":3', 1)
            st.log("tampered %s" % path)
        cut = None
        if blob and method == "GET" and code in (200, 206) and st.take_cut(blob.group(2)):
            cut = min(st.args.cut_blobs, max(len(body) - 1, 0))
            st.log("cut %s at %d of %d" % (path, cut, len(body)))
        self.send(code, headers, body, method == "HEAD", cut, bool(blob) and st.args.slow_blobs)


class Storage(Base):
    def do_GET(self):
        st = self.state
        if self.headers["Authorization"]:
            st.log("storage: Authorization leaked for %s" % self.path)
            return self.send(400, {"Content-Type": "text/plain"}, b"Authorization leaked")
        m = re.match(r"^/storage/(.+)/(sha256:[0-9a-f]{64})$", self.path)
        if not m:
            return self.send(404, {}, b"")
        fwd = {"Range": self.headers["Range"]} if self.headers["Range"] else {}
        if st.args.upstream_creds:
            fwd["Authorization"] = "Basic " + base64.b64encode(st.args.upstream_creds.encode()).decode()
        code, headers, body = upstream_get(st, "GET", "/v2/%s/blobs/%s" % m.groups(), fwd)
        st.log("storage: %d %s" % (code, self.path))
        self.send(code, headers, body)


def serve(handler, host, state):
    cls = type(handler.__name__, (handler,), {"state": state})
    server = http.server.ThreadingHTTPServer((host, 0), cls)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def main():
    p = argparse.ArgumentParser(description="a faulty front for a test registry")
    p.add_argument("--upstream", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--cut-blobs", type=int)
    p.add_argument("--tamper-manifests", action="store_true")
    p.add_argument("--redirect-blobs", action="store_true")
    p.add_argument("--upstream-creds")
    p.add_argument("--slow-blobs", action="store_true")
    p.add_argument("--expire-tokens", type=int, default=0)
    args = p.parse_args()
    state = State(args)
    if args.redirect_blobs:
        state.storage_port = serve(Storage, "127.0.0.2", state)
    port = serve(Proxy, "127.0.0.1", state)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    threading.Event().wait()


if __name__ == "__main__":
    main()
