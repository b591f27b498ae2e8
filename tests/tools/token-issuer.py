#!/usr/bin/env python3
"""A small bearer-token issuer for the tests (docker registry token auth).

    token-issuer.py --key KEY.pem --cert CERT.pem --issuer ISS --service SVC
                    --creds USER:PASS --port-file FILE [--log FILE]
                    [--no-anonymous]

Listens on 127.0.0.1 (a free port, written to --port-file once listening) and
answers GET /token?service=SVC&scope=repository:NAME:ACTIONS (scope may
repeat) with {"token": JWT, "access_token": JWT, "expires_in": 300}.

Basic credentials equal to --creds get every action they ask for; wrong
credentials get 401; anonymous requests get "pull" only (nothing with
--no-anonymous).  The JWT is RS256, signed by `openssl dgst -sha256 -sign`,
with the certificate in its x5c header so that the registry (configured with
rootcertbundle = CERT.pem) can verify it.  Each grant is logged to --log as
one line: "USER SCOPE GRANTED-ACTIONS" (USER is "-" when anonymous).
Standard library only.
"""
import argparse
import base64
import binascii
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64(path):
    with open(path) as f:
        pem = f.read()
    body = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return "".join(body.split())


class Issuer:
    def __init__(self, args):
        self.args = args
        self.x5c = cert_der_b64(args.cert)
        self.lock = threading.Lock()

    def sign(self, claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.args.key],
                             input=signing_input.encode(), capture_output=True, check=True).stdout
        return signing_input + "." + b64url(sig)

    def log(self, line):
        if self.args.log:
            with self.lock, open(self.args.log, "a") as f:
                f.write(line + "\n")


def parse_scope(scope):
    # type:name:actions, where name may itself hold ':' (a port).
    first = scope.find(":")
    last = scope.rfind(":")
    if first < 0 or last == first:
        return None
    return scope[:first], scope[first + 1:last], scope[last + 1:].split(",")


def make_handler(issuer):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *a):
            sys.stderr.write("token-issuer: " + (fmt % a) + "\n")

        def reply(self, code, obj, extra=None):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/token":
                return self.reply(404, {"error": "not found"})
            q = urllib.parse.parse_qs(url.query)
            args = issuer.args
            if q.get("service", [""])[0] != args.service:
                return self.reply(400, {"error": "unknown service"})
            user = None
            auth = self.headers.get("Authorization", "")
            if auth:
                if not auth.startswith("Basic "):
                    return self.reply(401, {"error": "basic auth expected"})
                try:
                    pair = base64.b64decode(auth[6:], validate=True).decode()
                except (binascii.Error, UnicodeDecodeError):
                    return self.reply(401, {"error": "malformed credentials"})
                if pair != args.creds:
                    return self.reply(401, {"error": "bad credentials"},
                                      {"WWW-Authenticate": 'Basic realm="tong-test-token"'})
                user = pair.split(":", 1)[0]
            access = []
            for scope in q.get("scope", []):
                for one in scope.split(" "):
                    parsed = parse_scope(one)
                    if parsed is None:
                        return self.reply(400, {"error": "malformed scope " + one})
                    typ, name, actions = parsed
                    if user is None:
                        actions = [a for a in actions if a == "pull" and not args.no_anonymous]
                    access.append({"type": typ, "name": name, "actions": actions})
                    issuer.log("%s %s %s" % (user or "-", one, ",".join(actions) or "-"))
            now = int(time.time())
            claims = {"iss": args.issuer, "sub": user or "", "aud": args.service,
                      "exp": now + 300, "nbf": now - 10, "iat": now,
                      "jti": b64url(os.urandom(12)), "access": access}
            token = issuer.sign(claims)
            self.reply(200, {"token": token, "access_token": token, "expires_in": 300,
                             "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))})

    return Handler


def main():
    p = argparse.ArgumentParser(description="bearer-token issuer for tong's tests")
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--creds", required=True, help="USER:PASS")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--no-anonymous", action="store_true")
    args = p.parse_args()
    if ":" not in args.creds:
        p.error("--creds must be USER:PASS")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(Issuer(args)))
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
