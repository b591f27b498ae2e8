# A real registry for the tests: Debian's docker-registry on 127.0.0.1.
# Source it from a test file (after tests/lib.sh); it needs $T.
#
#   registry_start [--tls] [--htpasswd USER:PASS]
#                  [--token-auth [--token-creds USER:PASS] [--no-anonymous]]
#       Starts docker-registry on a free port with its config and storage
#       under $T, waits until it answers and registers its cleanup with
#       on_exit.  Sets:
#         REGISTRY          127.0.0.1:PORT
#         REGISTRY_STORAGE  its storage root (blobs are under
#                           docker/registry/v2/blobs/sha256/XX/HEX/data)
#         REGISTRY_LOG      its log file
#       --tls: HTTPS with a server certificate for 127.0.0.1 signed by a test
#         CA; sets REGISTRY_CA (the CA's PEM file) and REGISTRY_CERT_DIR (a
#         directory holding ca.crt, for skopeo's --dest-cert-dir).
#       --htpasswd USER:PASS: basic auth (bcrypt htpasswd file); sets
#         REGISTRY_CREDS=USER:PASS.
#       --token-auth: bearer tokens from tests/tools/token-issuer.py (also
#         started here, on its own free port; sets REGISTRY_REALM).  It grants
#         what is asked to USER:PASS (--token-creds, default
#         tong:tong-secret; sets REGISTRY_CREDS) and pull to anonymous
#         clients unless --no-anonymous; it logs each grant to
#         $REGISTRY_TOKEN_LOG.
#   Several registries can run at once: each call overwrites the variables,
#   so copy them before starting the next one.
#
#   registry_blob_file DIGEST   the storage path of a blob's data
#
#   registry_proxy_start [ARGS...]
#       Starts tests/tools/registry-proxy.py in front of the last started
#       (plain http) registry, with ARGS choosing its faults (--fail-first N,
#       --cut-blobs BYTES, --tamper-manifests, --redirect-blobs, --slow-blobs,
#       --expire-tokens N, --upstream-creds U:P); sets PROXY=127.0.0.1:PORT
#       and PROXY_LOG.
#
# Needs: docker-registry, apache2-utils (htpasswd), openssl, python3, curl.
# The registry runs with a clean environment (its own REGISTRY_* variables
# would override its config file).

# The variables set here are read by the test files that source this one.
# (a directive before the first command covers the whole file)
# shellcheck disable=SC2034
_REGISTRY_N=0

# free_port: an unused TCP port on 127.0.0.1.
free_port ()
{
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _registry_tls_files DIR: a CA and a server certificate for 127.0.0.1.
_registry_tls_files ()
{
  local d=$1
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=tong test CA" -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null || return 1
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
  printf '%s\n' "subjectAltName=IP:127.0.0.1" "basicConstraints=CA:FALSE" \
    "keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >"$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null || return 1
  mkdir -p "$d/certs.d"
  cp "$d/ca.crt" "$d/certs.d/ca.crt"
}

_registry_answers ()
{
  curl -s -o /dev/null --max-time 2 ${2:+--cacert "$2"} "$1"
}


registry_start ()
{
  local tls=0 htpasswd='' token=0 token_creds=tong:tong-secret anon=1
  while [ $# -gt 0 ]; do
    case $1 in
    --tls) tls=1; shift ;;
    --htpasswd) htpasswd=$2; shift 2 ;;
    --token-auth) token=1; shift ;;
    --token-creds) token_creds=$2; shift 2 ;;
    --no-anonymous) anon=0; shift ;;
    *) echo "registry_start: unknown option $1" >&2; return 1 ;;
    esac
  done
  command -v docker-registry >/dev/null || skip "docker-registry is not installed (apt-get install docker-registry)"

  _REGISTRY_N=$((_REGISTRY_N + 1))
  local d="$T/registry-$_REGISTRY_N" port scheme=http auth='' tlscfg=''
  mkdir -p "$d/storage"
  port=$(free_port)
  REGISTRY=127.0.0.1:$port
  REGISTRY_STORAGE=$d/storage
  REGISTRY_LOG=$d/registry.log
  REGISTRY_CA=
  REGISTRY_CERT_DIR=
  REGISTRY_CREDS=
  REGISTRY_REALM=
  if [ $tls = 1 ]; then
    _registry_tls_files "$d/tls" || fail "cannot make the test CA and certificate"
    scheme=https
    REGISTRY_CA=$d/tls/ca.crt
    REGISTRY_CERT_DIR=$d/tls/certs.d
    tlscfg="  tls:
    certificate: $d/tls/server.crt
    key: $d/tls/server.key"
  fi
  if [ -n "$htpasswd" ]; then
    htpasswd -Bbn "${htpasswd%%:*}" "${htpasswd#*:}" >"$d/htpasswd" 2>/dev/null ||
      fail "htpasswd failed (apt-get install apache2-utils)"
    REGISTRY_CREDS=$htpasswd
    auth="auth:
  htpasswd:
    realm: tong-test
    path: $d/htpasswd"
  elif [ $token = 1 ]; then
    local tport args=()
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=tong test token issuer" \
      -keyout "$d/token.key" -out "$d/token.crt" 2>/dev/null || fail "cannot make the token key"
    [ $anon = 1 ] || args+=(--no-anonymous)
    REGISTRY_TOKEN_LOG=$d/token.log
    python3 "$TESTS_DIR/tools/token-issuer.py" --key "$d/token.key" --cert "$d/token.crt" \
      --issuer tong-test-issuer --service tong-test-registry --creds "$token_creds" \
      --port-file "$d/token.port" --log "$REGISTRY_TOKEN_LOG" "${args[@]}" \
      </dev/null >"$d/token-issuer.out" 2>&1 &
    local tpid=$!
    on_exit "kill $tpid; wait $tpid"
    wait_for 10 test -s "$d/token.port" || fail "the token issuer did not start: $(cat "$d/token-issuer.out")"
    tport=$(cat "$d/token.port")
    REGISTRY_REALM=http://127.0.0.1:$tport/token
    REGISTRY_CREDS=$token_creds
    auth="auth:
  token:
    realm: $REGISTRY_REALM
    service: tong-test-registry
    issuer: tong-test-issuer
    rootcertbundle: $d/token.crt"
  fi
  # The port was free a moment ago; another test may take it first: retry.
  local try rpid
  for try in 1 2 3; do
    cat >"$d/config.yml" <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $d/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: tong-test-$RANDOM$RANDOM
$tlscfg
$auth
YAML
    env -i PATH="$PATH" docker-registry serve "$d/config.yml" </dev/null >"$REGISTRY_LOG" 2>&1 &
    rpid=$!
    on_exit "kill $rpid; wait $rpid"
    wait_for 15 _registry_up "$rpid" "$scheme://$REGISTRY/v2/" "$REGISTRY_CA" || true
    _registry_answers "$scheme://$REGISTRY/v2/" "$REGISTRY_CA" && return 0
    grep -q "address already in use" "$REGISTRY_LOG" || break
    port=$(free_port)
    REGISTRY=127.0.0.1:$port
  done
  fail "docker-registry did not answer on $REGISTRY: $(tail -5 "$REGISTRY_LOG")"
}

# _registry_up PID URL [CA]: it answers, or it has died (stop waiting).
_registry_up ()
{
  _registry_answers "$2" "${3:-}" || ! kill -0 "$1" 2>/dev/null
}

registry_blob_file ()
{
  local hex=${1#sha256:}
  echo "$REGISTRY_STORAGE/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

registry_proxy_start ()
{
  local d="$T/proxy-$_REGISTRY_N-$RANDOM"
  mkdir -p "$d"
  PROXY_LOG=$d/proxy.log
  : >"$PROXY_LOG"
  python3 "$TESTS_DIR/tools/registry-proxy.py" --upstream "http://$REGISTRY" \
    --port-file "$d/port" --log "$PROXY_LOG" "$@" </dev/null >"$d/proxy.out" 2>&1 &
  local pid=$!
  on_exit "kill $pid; wait $pid"
  wait_for 10 test -s "$d/port" || fail "the registry proxy did not start: $(cat "$d/proxy.out")"
  PROXY=127.0.0.1:$(cat "$d/port")
}
