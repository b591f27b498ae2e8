# The registry client of tong-shim (src/shim/registry*.c) against a real
# docker-registry on loopback, driven through tests/tools/registry-get.
# shellcheck source=tests/registry.sh
source "$TESTS_DIR/registry.sh"
# shellcheck source=tests/images.sh
source "$TESTS_DIR/images.sh"

REGISTRY_GET=${REGISTRY_GET:-$BUILD_DIR/tests/tools/registry-get}

# rget ARGS...: registry-get with no auth file of the host leaking in.
rget ()
{
  HOME=$T/home XDG_RUNTIME_DIR=$T/xdg REGISTRY_AUTH_FILE='' "$REGISTRY_GET" "$@"
}

# pushed_image [BUILD ARGS...]: build an image in $T/img and push it to
# $REGISTRY/test/busybox:latest (with $PUSH_ARGS for skopeo).
pushed_image ()
{
  image_build_busybox "$T/img" "$@"
  image_push "$T/img" "$REGISTRY/test/busybox:latest" "${PUSH_ARGS[@]}"
}

PUSH_ARGS=()

test_registry_http_manifest_by_tag_and_digest ()
{
  registry_start
  pushed_image --layers 2
  assert_ok rget --insecure manifest "$REGISTRY/test/busybox:latest"
  assert_eq "$(sed -n 1p <<<"$OUT")" application/vnd.oci.image.manifest.v1+json
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
  assert_eq "$(sed 1,2d <<<"$OUT")" "$(cat "$(image_blob "$T/img" "$IMAGE_DIGEST")")"
  # by digest
  assert_ok rget --insecure manifest "$REGISTRY/test/busybox@$IMAGE_DIGEST"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
  # the default registry from a registries.conf, which also marks it insecure
  printf '%s\n' "unqualified-search-registries = [\"$REGISTRY\"]  # the default" \
    '[[registry]]' "location = \"$REGISTRY\"" 'insecure = true' >"$T/registries.conf"
  assert_ok rget --registries-conf "$T/registries.conf" manifest test/busybox
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
}

test_registry_http_refused_without_insecure ()
{
  registry_start
  pushed_image
  assert_fail rget manifest "$REGISTRY/test/busybox:latest"
  assert_contains "$ERR" "TLS connection failed"
  assert_contains "$ERR" "insecure"
}

test_registry_missing_tag ()
{
  registry_start
  pushed_image
  assert_fail rget --insecure manifest "$REGISTRY/test/busybox:nope"
  assert_contains "$ERR" "manifest nope not found in $REGISTRY/test/busybox"
  assert_fail rget --insecure manifest "$REGISTRY/test/other:latest"
  assert_contains "$ERR" "not found in $REGISTRY/test/other"
  assert_fail rget --insecure manifest "$REGISTRY/Test/busybox"
  assert_contains "$ERR" "must be lowercase"
}

test_registry_blobs_parallel ()
{
  registry_start
  pushed_image --layers 4 --whiteouts
  local args=() d size n=0
  for d in $IMAGE_LAYERS $IMAGE_CONFIG; do
    size=$(stat -c %s "$(image_blob "$T/img" "$d")")
    args+=("$d" "$size" "$T/out-${d#sha256:}")
    n=$((n + 1))
  done
  assert_eq "$n" 7
  assert_ok rget --insecure --parallel 3 blob "$REGISTRY/test/busybox" "${args[@]}"
  for d in $IMAGE_LAYERS $IMAGE_CONFIG; do
    cmp "$T/out-${d#sha256:}" "$(image_blob "$T/img" "$d")"
  done
}

test_registry_index_and_zstd ()
{
  registry_start
  pushed_image --zstd --platforms amd64,arm64
  local index=$IMAGE_DIGEST
  assert_ok rget --insecure manifest "$REGISTRY/test/busybox:latest"
  assert_eq "$(sed -n 1p <<<"$OUT")" application/vnd.oci.image.index.v1+json
  assert_eq "$(sed -n 2p <<<"$OUT")" "$index"
  local arm
  arm=$(sed 1,2d <<<"$OUT" | jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest')
  assert_ok rget --insecure manifest "$REGISTRY/test/busybox@$arm"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$arm"
  assert_eq "$(sed 1,2d <<<"$OUT" | jq -r '.layers[0].mediaType')" \
    application/vnd.oci.image.layer.v1.tar+zstd
  local l=${IMAGE_LAYERS%% *}
  assert_ok rget --insecure blob "$REGISTRY/test/busybox" "$l" \
    "$(stat -c %s "$(image_blob "$T/img" "$l")")" "$T/layer"
  zstd -q -d -c "$T/layer" | tar -t >"$T/list"
  grep -qx bin/busybox "$T/list"
}

test_registry_digest_mismatch ()
{
  registry_start
  pushed_image --layers 2
  local l=${IMAGE_LAYERS##* } size f
  size=$(stat -c %s "$(image_blob "$T/img" "$l")")
  f=$(registry_blob_file "$l")
  assert_file "$f"
  # Same size, one byte changed: only the digest can tell.
  printf 'X' | dd of="$f" bs=1 seek=10 conv=notrunc status=none
  assert_fail rget --insecure blob "$REGISTRY/test/busybox" "$l" "$size" "$T/layer"
  assert_contains "$ERR" "blob $l from $REGISTRY/test/busybox: digest mismatch"
  # The bad bytes are not left to be resumed from.
  assert_eq "$(stat -c %s "$T/layer")" 0
  # A blob bigger than announced is cut off.
  local c=$IMAGE_CONFIG csize
  csize=$(stat -c %s "$(image_blob "$T/img" "$c")")
  assert_fail rget --insecure blob "$REGISTRY/test/busybox" "$c" $((csize - 5)) "$T/config"
  assert_contains "$ERR" "more than the expected $((csize - 5)) bytes"
}

test_registry_resume ()
{
  registry_start
  pushed_image
  local l=${IMAGE_LAYERS%% *} src size
  src=$(image_blob "$T/img" "$l")
  size=$(stat -c %s "$src")
  head -c 100000 "$src" >"$T/layer"
  assert_ok rget --insecure blob "$REGISTRY/test/busybox" "$l" "$size" "$T/layer"
  cmp "$T/layer" "$src"
  # The registry was asked for the rest only.
  assert_match "$(grep -c '"GET /v2/test/busybox/blobs/[^ ]* HTTP/1.1" 206' "$REGISTRY_LOG")" '^1$'
  # A wrong prefix is detected by the digest at the end, and cleared.
  { printf 'garbage'; head -c 5000 "$src" | tail -c +8; } >"$T/bad"
  assert_fail rget --insecure blob "$REGISTRY/test/busybox" "$l" "$size" "$T/bad"
  assert_contains "$ERR" "digest mismatch"
  assert_ok rget --insecure blob "$REGISTRY/test/busybox" "$l" "$size" "$T/bad"
  cmp "$T/bad" "$src"
  # A complete file is verified and not downloaded again.
  local before
  before=$(grep -c "GET /v2/test/busybox/blobs" "$REGISTRY_LOG")
  assert_ok rget --insecure blob "$REGISTRY/test/busybox" "$l" "$size" "$T/layer"
  assert_eq "$(grep -c "GET /v2/test/busybox/blobs" "$REGISTRY_LOG")" "$before"
}

test_registry_tls ()
{
  registry_start --tls
  PUSH_ARGS=(--dest-cert-dir "$REGISTRY_CERT_DIR")
  pushed_image
  assert_fail rget manifest "$REGISTRY/test/busybox:latest"
  assert_contains "$ERR" "certificate was not verified"
  assert_ok rget --ca-file "$REGISTRY_CA" manifest "$REGISTRY/test/busybox:latest"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
  # insecure: TLS without verification (no fallback to plain http needed)
  assert_ok rget --insecure manifest "$REGISTRY/test/busybox:latest"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
  # (HTTP/2 is only spoken over TLS here: no fallback to plain http happened)
  assert_not_contains "$(grep '^127.0.0.1 - .*tong-shim' "$REGISTRY_LOG" | grep -v 'HTTP/2.0')" tong-shim
  local l=${IMAGE_LAYERS%% *}
  assert_ok rget --ca-file "$REGISTRY_CA" blob "$REGISTRY/test/busybox" "$l" \
    "$(stat -c %s "$(image_blob "$T/img" "$l")")" "$T/layer"
  cmp "$T/layer" "$(image_blob "$T/img" "$l")"
}

test_registry_basic_auth ()
{
  registry_start --tls --htpasswd tester:s3cret
  PUSH_ARGS=(--dest-cert-dir "$REGISTRY_CERT_DIR" --dest-creds "$REGISTRY_CREDS")
  pushed_image
  assert_fail rget --ca-file "$REGISTRY_CA" manifest "$REGISTRY/test/busybox:latest"
  assert_contains "$ERR" "authentication to $REGISTRY failed: the registry requires credentials"
  assert_fail rget --ca-file "$REGISTRY_CA" --creds tester:wrong manifest "$REGISTRY/test/busybox"
  assert_contains "$ERR" "authentication to $REGISTRY failed"
  assert_contains "$ERR" "tester"
  assert_ok rget --ca-file "$REGISTRY_CA" --creds tester:s3cret manifest "$REGISTRY/test/busybox"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
  local l=${IMAGE_LAYERS%% *}
  assert_ok rget --ca-file "$REGISTRY_CA" --creds tester:s3cret blob "$REGISTRY/test/busybox" \
    "$l" "$(stat -c %s "$(image_blob "$T/img" "$l")")" "$T/layer"
  cmp "$T/layer" "$(image_blob "$T/img" "$l")"
}

test_registry_auth_file ()
{
  registry_start --tls --htpasswd tester:s3cret
  PUSH_ARGS=(--dest-cert-dir "$REGISTRY_CERT_DIR" --dest-creds "$REGISTRY_CREDS")
  pushed_image
  jq -n --arg r "$REGISTRY" --arg a "$(printf tester:s3cret | base64)" \
    '{auths: {"other.example": {auth: "eDp5"}, ($r): {auth: $a}}}' >"$T/auth.json"
  assert_ok rget --ca-file "$REGISTRY_CA" --auth-file "$T/auth.json" manifest "$REGISTRY/test/busybox"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
  # The usual places: $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
  # ~/.docker/config.json (with a scheme in the key, as docker writes it).
  assert_ok env REGISTRY_AUTH_FILE="$T/auth.json" "$REGISTRY_GET" --ca-file "$REGISTRY_CA" \
    manifest "$REGISTRY/test/busybox"
  mkdir -p "$T/xdg/containers" "$T/home/.docker"
  cp "$T/auth.json" "$T/xdg/containers/auth.json"
  assert_ok env HOME="$T/home" XDG_RUNTIME_DIR="$T/xdg" REGISTRY_AUTH_FILE= "$REGISTRY_GET" \
    --ca-file "$REGISTRY_CA" manifest "$REGISTRY/test/busybox"
  jq --arg r "$REGISTRY" '{auths: {("https://" + $r): .auths[$r]}}' "$T/auth.json" \
    >"$T/home/.docker/config.json"
  assert_ok env HOME="$T/home" XDG_RUNTIME_DIR="$T/nowhere" REGISTRY_AUTH_FILE= "$REGISTRY_GET" \
    --ca-file "$REGISTRY_CA" manifest "$REGISTRY/test/busybox"
  # Wrong credentials in the file
  jq -n --arg r "$REGISTRY" --arg a "$(printf tester:nope | base64)" \
    '{auths: {($r): {auth: $a}}}' >"$T/bad.json"
  assert_fail rget --ca-file "$REGISTRY_CA" --auth-file "$T/bad.json" manifest "$REGISTRY/test/busybox"
  assert_contains "$ERR" "authentication to $REGISTRY failed"
  # A malformed file is named
  echo '{"auths": {"'"$REGISTRY"'": {"auth": "!!!"}}}' >"$T/broken.json"
  assert_fail rget --ca-file "$REGISTRY_CA" --auth-file "$T/broken.json" manifest "$REGISTRY/test/busybox"
  assert_contains "$ERR" "broken.json"
  assert_fail rget --ca-file "$REGISTRY_CA" --auth-file "$T/missing.json" manifest "$REGISTRY/test/busybox"
  assert_contains "$ERR" "missing.json"
}

test_registry_token_auth ()
{
  registry_start --token-auth --token-creds pusher:t0ken
  PUSH_ARGS=(--dest-creds "$REGISTRY_CREDS")
  pushed_image --layers 2
  # anonymous pull
  assert_ok rget --insecure manifest "$REGISTRY/test/busybox:latest"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
  grep -q '^- repository:test/busybox:pull pull$' "$REGISTRY_TOKEN_LOG"
  # with credentials
  assert_ok rget --insecure --creds pusher:t0ken manifest "$REGISTRY/test/busybox:latest"
  grep -q '^pusher repository:test/busybox:pull pull$' "$REGISTRY_TOKEN_LOG"
  local args=() d
  for d in $IMAGE_LAYERS; do
    args+=("$d" "$(stat -c %s "$(image_blob "$T/img" "$d")")" "$T/out-${d#sha256:}")
  done
  assert_ok rget --insecure --creds pusher:t0ken blob "$REGISTRY/test/busybox" "${args[@]}"
  for d in $IMAGE_LAYERS; do cmp "$T/out-${d#sha256:}" "$(image_blob "$T/img" "$d")"; done
  # bad credentials: the token service refuses them
  assert_fail rget --insecure --creds pusher:wrong manifest "$REGISTRY/test/busybox:latest"
  assert_contains "$ERR" "authentication to $REGISTRY failed: the token service"
}

test_registry_token_auth_no_anonymous ()
{
  registry_start --token-auth --token-creds pusher:t0ken --no-anonymous
  PUSH_ARGS=(--dest-creds "$REGISTRY_CREDS")
  pushed_image
  assert_fail rget --insecure manifest "$REGISTRY/test/busybox:latest"
  assert_contains "$ERR" "authentication to $REGISTRY failed"
  assert_contains "$ERR" "--creds"
  assert_ok rget --insecure --creds pusher:t0ken manifest "$REGISTRY/test/busybox:latest"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
}

test_registry_concurrent_pulls ()
{
  registry_start
  pushed_image --layers 3
  local l=${IMAGE_LAYERS%% *} size pids=() i
  size=$(stat -c %s "$(image_blob "$T/img" "$l")")
  for i in 1 2 3 4 5 6; do
    rget --insecure blob "$REGISTRY/test/busybox" "$l" "$size" "$T/c$i" 2>"$T/c$i.err" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "pull $((i + 1)) failed: $(cat "$T/c$((i + 1)).err")"
  done
  for i in 1 2 3 4 5 6; do cmp "$T/c$i" "$(image_blob "$T/img" "$l")"; done
}

test_registry_bad_arguments ()
{
  registry_start
  pushed_image
  assert_fail rget --insecure blob "$REGISTRY/test/busybox" sha256:abc 10 "$T/x"
  assert_contains "$ERR" "not a sha256 digest"
  assert_fail rget --insecure manifest "$REGISTRY/test/busybox@sha256:1234"
  assert_contains "$ERR" "64 hex"
  printf '%s\n' '[[registry]]' 'location = 127.0.0.1' >"$T/bad.conf"
  assert_fail rget --registries-conf "$T/bad.conf" manifest "$REGISTRY/test/busybox"
  assert_contains "$ERR" "bad.conf:2: location must be a quoted string"
  assert_fail rget --insecure manifest "127.0.0.1:1/test/busybox"
  assert_contains "$ERR" "127.0.0.1:1"
}

test_registry_retries ()
{
  registry_start
  pushed_image
  registry_proxy_start --fail-first 3
  assert_ok rget --insecure manifest "$PROXY/test/busybox:latest"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
  assert_eq "$(grep -c '^503 GET' "$PROXY_LOG")" 3
  registry_proxy_start --fail-first 2
  local l=${IMAGE_LAYERS%% *}
  assert_ok rget --insecure blob "$PROXY/test/busybox" "$l" \
    "$(stat -c %s "$(image_blob "$T/img" "$l")")" "$T/layer"
  cmp "$T/layer" "$(image_blob "$T/img" "$l")"
  assert_eq "$(grep -c '^503 GET /v2/test/busybox/blobs' "$PROXY_LOG")" 2
  # A registry that keeps failing: 1 try and 5 retries, then a clear error.
  registry_proxy_start --fail-first 100
  assert_fail rget --insecure blob "$PROXY/test/busybox" "$l" \
    "$(stat -c %s "$(image_blob "$T/img" "$l")")" "$T/layer2"
  assert_contains "$ERR" "giving up after 6 attempts"
  assert_contains "$ERR" "HTTP 503"
  assert_eq "$(grep -c '^503 GET /v2/test/busybox/blobs' "$PROXY_LOG")" 6
}

test_registry_interrupted_transfer_resumes ()
{
  registry_start
  pushed_image --layers 2
  registry_proxy_start --cut-blobs 300000
  local args=() d
  for d in $IMAGE_LAYERS; do
    args+=("$d" "$(stat -c %s "$(image_blob "$T/img" "$d")")" "$T/out-${d#sha256:}")
  done
  assert_ok rget --insecure blob "$PROXY/test/busybox" "${args[@]}"
  for d in $IMAGE_LAYERS; do cmp "$T/out-${d#sha256:}" "$(image_blob "$T/img" "$d")"; done
  grep -q "^cut /v2/test/busybox/blobs/${IMAGE_LAYERS%% *} at 300000" "$PROXY_LOG"
  # The rest came with a range request, not from the start again.
  grep -q '"GET /v2/test/busybox/blobs/[^ ]* HTTP/1.1" 206' "$REGISTRY_LOG"
}

test_registry_killed_pull_resumes ()
{
  registry_start
  pushed_image
  registry_proxy_start --slow-blobs
  local l=${IMAGE_LAYERS%% *} size pid have
  size=$(stat -c %s "$(image_blob "$T/img" "$l")")
  # Not through rget: $! must be registry-get itself, not a subshell.
  HOME=$T/home "$REGISTRY_GET" --insecure blob "$PROXY/test/busybox" "$l" "$size" "$T/layer" \
    2>/dev/null &
  pid=$!
  on_exit "kill -9 $pid"
  wait_for 10 test -s "$T/layer"
  kill -9 "$pid"
  wait "$pid" || true
  have=$(stat -c %s "$T/layer")
  if [ "$have" -eq 0 ] || [ "$have" -ge "$size" ]; then
    fail "expected a partial file, have $have of $size"
  fi
  assert_ok rget --insecure blob "$REGISTRY/test/busybox" "$l" "$size" "$T/layer"
  cmp "$T/layer" "$(image_blob "$T/img" "$l")"
  grep -q "\"GET /v2/test/busybox/blobs/$l HTTP/1.1\" 206 $((size - have)) " "$REGISTRY_LOG" ||
    fail "no range request for the last $((size - have)) bytes in the registry's log: $(grep "^127.0.0.1 - .*blobs" "$REGISTRY_LOG")"
}

test_registry_tampered_manifest ()
{
  registry_start
  pushed_image
  registry_proxy_start --tamper-manifests
  assert_fail rget --insecure manifest "$PROXY/test/busybox@$IMAGE_DIGEST"
  assert_contains "$ERR" "manifest $IMAGE_DIGEST from $PROXY/test/busybox: digest mismatch"
  # By tag there is nothing to check against, but the digest says what came.
  assert_ok rget --insecure manifest "$PROXY/test/busybox:latest"
  assert_ne "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
}

test_registry_redirect_to_storage ()
{
  registry_start --htpasswd tester:s3cret
  PUSH_ARGS=(--dest-creds "$REGISTRY_CREDS")
  pushed_image --layers 2
  registry_proxy_start --redirect-blobs --upstream-creds tester:s3cret
  local args=() d
  for d in $IMAGE_LAYERS $IMAGE_CONFIG; do
    args+=("$d" "$(stat -c %s "$(image_blob "$T/img" "$d")")" "$T/out-${d#sha256:}")
  done
  assert_ok rget --insecure --creds tester:s3cret blob "$PROXY/test/busybox" "${args[@]}"
  for d in $IMAGE_LAYERS $IMAGE_CONFIG; do cmp "$T/out-${d#sha256:}" "$(image_blob "$T/img" "$d")"; done
  assert_eq "$(grep -c '^storage: 200' "$PROXY_LOG")" 3
  assert_not_contains "$(cat "$PROXY_LOG")" "leaked"
}

test_registry_progress_only_on_a_terminal ()
{
  command -v script >/dev/null || skip "script (bsdutils) is not installed"
  registry_start
  pushed_image --layers 2
  local args=() d
  for d in $IMAGE_LAYERS; do
    args+=("$d" "$(stat -c %s "$(image_blob "$T/img" "$d")")" "$T/out-${d#sha256:}")
  done
  assert_ok rget --insecure --progress blob "$REGISTRY/test/busybox" "${args[@]}"
  assert_eq "$ERR" ""
  rm -f "$T"/out-*
  local cmd
  cmd=$(printf '%q ' env HOME="$T/home" "$REGISTRY_GET" --insecure --progress blob \
    "$REGISTRY/test/busybox" "${args[@]}")
  assert_ok script -qec "$cmd" /dev/null
  assert_contains "$OUT" "blobs 2/2"
  assert_contains "$OUT" "MiB"
  for d in $IMAGE_LAYERS; do cmp "$T/out-${d#sha256:}" "$(image_blob "$T/img" "$d")"; done
}

test_registry_parallel_limit ()
{
  registry_start
  pushed_image --layers 5
  registry_proxy_start --slow-blobs
  local args=() d
  for d in $IMAGE_LAYERS; do
    args+=("$d" "$(stat -c %s "$(image_blob "$T/img" "$d")")" "$T/out-${d#sha256:}")
  done
  assert_ok rget --insecure --parallel 3 blob "$PROXY/test/busybox" "${args[@]}"
  for d in $IMAGE_LAYERS; do cmp "$T/out-${d#sha256:}" "$(image_blob "$T/img" "$d")"; done
  # Several at once, never more than asked for.
  assert_eq "$(grep '^inflight' "$PROXY_LOG" | sort -k2n | tail -1)" "inflight 3"
  : >"$PROXY_LOG"
  rm -f "$T"/out-*
  assert_ok rget --insecure --parallel 1 blob "$PROXY/test/busybox" "${args[@]}"
  assert_eq "$(grep '^inflight' "$PROXY_LOG" | sort -u)" "inflight 1"
}

test_registry_docker_formats ()
{
  registry_start
  image_build_busybox "$T/img" --platforms amd64,arm64
  # skopeo converts to a Docker manifest list with schema 2 manifests.
  skopeo --insecure-policy copy --quiet --all --format v2s2 --dest-tls-verify=false \
    "oci:$T/img:latest" "docker://$REGISTRY/test/docker:latest"
  assert_ok rget --insecure manifest "$REGISTRY/test/docker:latest"
  assert_eq "$(sed -n 1p <<<"$OUT")" application/vnd.docker.distribution.manifest.list.v2+json
  local list=$OUT one
  assert_eq "$(sed -n 2p <<<"$list")" "sha256:$(sed 1,2d <<<"$list" | head -c -1 | sha256sum | cut -d' ' -f1)"
  one=$(sed 1,2d <<<"$list" | jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest')
  assert_ok rget --insecure manifest "$REGISTRY/test/docker@$one"
  assert_eq "$(sed -n 1p <<<"$OUT")" application/vnd.docker.distribution.manifest.v2+json
  assert_eq "$(sed -n 2p <<<"$OUT")" "$one"
}

test_registry_test_images_are_reproducible ()
{
  image_build_busybox "$T/a" --layers 2 --whiteouts --zstd
  local da=$IMAGE_DIGEST la=$IMAGE_LAYERS
  image_build_busybox "$T/b" --layers 2 --whiteouts --zstd
  assert_eq "$IMAGE_DIGEST" "$da"
  assert_eq "$IMAGE_LAYERS" "$la"
  # 2 layers + the two whiteout layers
  assert_eq "$(wc -w <<<"$IMAGE_LAYERS")" 4
  local last=${IMAGE_LAYERS##* }
  zstd -q -d -c "$(image_blob "$T/a" "$last")" | tar -t >"$T/list"
  grep -qx 'data/.wh.gone' "$T/list"
  grep -qx 'data/dir/.wh..wh..opq' "$T/list"
  # Every blob is named by its digest.
  local f
  for f in "$T"/a/blobs/sha256/*; do
    assert_eq "$(sha256sum "$f" | cut -d' ' -f1)" "${f##*/}"
  done
  # The config's diff_ids are the uncompressed layers.
  assert_eq "$(jq -r '.rootfs.diff_ids[0]' "$(image_blob "$T/a" "$IMAGE_CONFIG")")" \
    "sha256:$(zstd -q -d -c "$(image_blob "$T/a" "${IMAGE_LAYERS%% *}")" | sha256sum | cut -d' ' -f1)"
}

test_registry_expired_token_renewed ()
{
  registry_start --token-auth --token-creds pusher:t0ken
  PUSH_ARGS=(--dest-creds "$REGISTRY_CREDS")
  pushed_image
  registry_proxy_start --expire-tokens 1
  : >"$REGISTRY_TOKEN_LOG"
  local l=${IMAGE_LAYERS%% *}
  assert_ok rget --insecure --creds pusher:t0ken manifest "$PROXY/test/busybox:latest"
  assert_eq "$(sed -n 2p <<<"$OUT")" "$IMAGE_DIGEST"
  assert_eq "$(grep -c '^expired GET /v2/test/busybox/manifests' "$PROXY_LOG")" 1
  registry_proxy_start --expire-tokens 1
  assert_ok rget --insecure --creds pusher:t0ken blob "$PROXY/test/busybox" "$l" \
    "$(stat -c %s "$(image_blob "$T/img" "$l")")" "$T/layer"
  cmp "$T/layer" "$(image_blob "$T/img" "$l")"
  assert_eq "$(grep -c '^expired GET /v2/test/busybox/blobs' "$PROXY_LOG")" 1
  # A token rejected twice in a row is an error, not a loop.
  registry_proxy_start --expire-tokens 2
  assert_fail rget --insecure --creds pusher:t0ken manifest "$PROXY/test/busybox:latest"
  assert_contains "$ERR" "authentication to $PROXY failed"
  # one token per connection, and one more for each rejected one
  assert_eq "$(grep -c '^pusher repository:test/busybox:pull pull$' "$REGISTRY_TOKEN_LOG")" 6
}
