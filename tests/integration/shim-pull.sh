# tong-shim pull against a real registry (Debian's docker-registry on
# loopback), with images built from busybox-static by tests/images.sh.
source "$TESTS_DIR/integration/shim-lib.sh"
source "$TESTS_DIR/registry.sh"
source "$TESTS_DIR/images.sh"

_need_pull ()
{
  _need_shim
  command -v skopeo >/dev/null || skip "skopeo is not installed (apt-get install skopeo)"
}

# GETs of a blob in the registry's access log.
_blob_gets ()
{
  grep -c "\"GET /v2/[^ ]*/blobs/$1 " "$REGISTRY_LOG" || true
}

test_shim_pull_by_tag_and_digest_then_run ()
{
  _need_pull
  registry_start
  image_build_busybox "$T/img" --layers 3 --whiteouts
  image_push "$T/img" "$REGISTRY/test/busybox:v1"
  local digest=$IMAGE_DIGEST config=$IMAGE_CONFIG
  assert_ok shim pull --insecure "$REGISTRY/test/busybox:v1"
  assert_eq "$OUT" "$config"
  run_cmd shim images
  assert_contains "$OUT" "$REGISTRY/test/busybox"
  # Whiteouts and opaque dirs reach the container's root.
  assert_ok shim run --rm "$REGISTRY/test/busybox:v1" sh -c 'ls /data /data/dir; cat /etc/tong-layer-3'
  assert_contains "$OUT" keep
  assert_not_contains "$OUT" gone
  assert_contains "$OUT" new
  assert_not_contains "$OUT" old
  assert_contains "$OUT" "layer 3"
  # By digest, into a fresh store.
  assert_ok "$SHIM" --root "$T/store2" --runroot "$T/run" pull --insecure "$REGISTRY/test/busybox@$digest"
  assert_eq "$OUT" "$config"
  assert_ok "$SHIM" --root "$T/store2" check
  run_cmd "$SHIM" --root "$T/store2" images
  assert_match "$OUT" "^$REGISTRY/test/busybox +<none> +${config:7:12} "
  assert_ok "$SHIM" --root "$T/store2" inspect "$REGISTRY/test/busybox@$digest"
  assert_shim_clean
}

test_shim_pull_zstd_and_platforms ()
{
  _need_pull
  registry_start
  image_build_busybox "$T/img" --zstd --platforms amd64,arm64
  image_push "$T/img" "$REGISTRY/multi:latest"
  assert_ok shim pull --insecure --platform linux/arm64 "$REGISTRY/multi"
  local arm=$OUT
  assert_ok shim inspect "$arm"
  assert_json "$OUT" '.[0].Architecture == "arm64"'
  assert_ok shim pull --insecure --platform linux/amd64 "$REGISTRY/multi"
  assert_ne "$OUT" "$arm"
  assert_ok shim inspect "$OUT"
  assert_json "$OUT" '.[0].Architecture == "amd64"'
  assert_fail shim pull --insecure --platform linux/s390x "$REGISTRY/multi"
  assert_eq "$RC" 125
  assert_contains "$ERR" "no image for platform linux/s390x"
  assert_contains "$ERR" "linux/arm64"
}

test_shim_pull_errors ()
{
  _need_pull
  registry_start
  assert_fail shim pull --insecure "$REGISTRY/UPPER/case"
  assert_eq "$RC" 125
  assert_contains "$ERR" "UPPER/case"
  assert_fail shim pull --insecure "$REGISTRY/missing:v1"
  assert_eq "$RC" 125
  assert_contains "$ERR" "missing"
  assert_fail shim pull --platform linux "$REGISTRY/x"
  assert_contains "$ERR" "OS/ARCH"
  # Plain HTTP is refused unless the registry is marked insecure.
  image_build_busybox "$T/img"
  image_push "$T/img" "$REGISTRY/plain:v1"
  assert_fail shim pull "$REGISTRY/plain:v1"
  assert_eq "$RC" 125
  run_cmd shim images -q
  assert_eq "$OUT" ""
}

test_shim_pull_digest_mismatch_rejected ()
{
  _need_pull
  registry_start
  image_build_busybox "$T/img"
  image_push "$T/img" "$REGISTRY/bad:v1"
  local layer=${IMAGE_LAYERS%% *} f
  f=$(registry_blob_file "$layer")
  # Same size, different content: only the digest can tell.
  printf 'X' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
  assert_fail shim pull --insecure "$REGISTRY/bad:v1"
  assert_eq "$RC" 125
  assert_contains "$ERR" "${layer#sha256:}"
  run_cmd shim images -q
  assert_eq "$OUT" ""
  assert_no_file "$T/store/blobs/sha256/${layer#sha256:}"
  assert_ok shim check
}

test_shim_pull_auth ()
{
  _need_pull
  registry_start --tls --htpasswd tong:s3cret
  image_build_busybox "$T/img"
  image_push "$T/img" "$REGISTRY/private:v1" --dest-creds tong:s3cret
  assert_fail shim pull --ca-file "$REGISTRY_CA" "$REGISTRY/private:v1"
  assert_eq "$RC" 125
  assert_fail shim pull --ca-file "$REGISTRY_CA" --creds tong:wrong "$REGISTRY/private:v1"
  assert_eq "$RC" 125
  # TLS is verified: without the test CA the pull fails.
  assert_fail shim pull --creds tong:s3cret "$REGISTRY/private:v1"
  assert_eq "$RC" 125
  assert_ok shim pull --ca-file "$REGISTRY_CA" --creds tong:s3cret "$REGISTRY/private:v1"
  assert_ok shim run --rm "$REGISTRY/private:v1" echo authed
  assert_eq "$OUT" authed
  assert_shim_clean
}

test_shim_pull_token_auth ()
{
  _need_pull
  registry_start --token-auth --no-anonymous
  image_build_busybox "$T/img"
  image_push "$T/img" "$REGISTRY/tok:v1" --dest-creds "$REGISTRY_CREDS"
  assert_fail shim pull --insecure "$REGISTRY/tok:v1"
  assert_eq "$RC" 125
  assert_ok shim pull --insecure --creds "$REGISTRY_CREDS" "$REGISTRY/tok:v1"
}

test_shim_pull_concurrent_downloads_each_blob_once ()
{
  _need_pull
  registry_start
  image_build_busybox "$T/img" --layers 4
  image_push "$T/img" "$REGISTRY/conc:v1"
  local layers=$IMAGE_LAYERS config=$IMAGE_CONFIG pids=() i l
  for i in 1 2 3 4; do
    shim pull --insecure -q "$REGISTRY/conc:v1" >"$T/pull.$i.out" 2>"$T/pull.$i.err" &
    pids+=($!)
  done
  for i in 0 1 2 3; do
    wait "${pids[$i]}" || fail "pull $((i + 1)) failed: $(cat "$T/pull.$((i + 1)).err")"
  done
  for i in 1 2 3 4; do
    assert_eq "$(cat "$T/pull.$i.out")" "$config"
  done
  for l in $layers $config; do
    assert_eq "$(_blob_gets "$l")" 1 "GETs of $l"
  done
  assert_eq "$(shim images -q | wc -l)" 1
  assert_ok shim check
  assert_ok shim run --rm "$REGISTRY/conc:v1" cat /etc/tong-layer-4
  assert_eq "$OUT" "layer 4"
  assert_shim_clean
}

test_shim_pull_killed_then_completed ()
{
  _need_pull
  registry_start
  image_build_busybox "$T/img" --layers 3
  image_push "$T/img" "$REGISTRY/kill:v1"
  local i pid
  # Kill pulls at different moments; each time the store must pass check
  # (only temp files may be left) and a later pull must complete it.
  for i in 1 2 3 4 5; do
    # tong-shim itself, not the shim() function: $! must be its pid.
    "$SHIM" --root "$T/store" --runroot "$T/run" pull --insecure -q "$REGISTRY/kill:v1" >/dev/null 2>&1 &
    pid=$!
    sleep "0.0$((i * 2))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    assert_ok shim check
  done
  assert_ok shim pull --insecure "$REGISTRY/kill:v1"
  assert_ok shim check
  assert_ok shim run --rm "$REGISTRY/kill:v1" cat /etc/tong-layer-3
  assert_eq "$OUT" "layer 3"
  assert_ok shim prune
  assert_ok shim check
  assert_shim_clean
}

test_shim_pull_registries_conf ()
{
  _need_pull
  registry_start
  image_build_busybox "$T/img"
  image_push "$T/img" "$REGISTRY/conf:v1"
  cat >"$T/registries.conf" <<CONF
unqualified-search-registries = ["$REGISTRY"]

[[registry]]
location = "$REGISTRY"
insecure = true
CONF
  # The default registry and its insecure mark come from the file: a short
  # name over plain HTTP without --insecure.
  assert_ok shim --registries-conf "$T/registries.conf" pull conf:v1
  run_cmd shim images
  assert_contains "$OUT" "$REGISTRY/conf"
  assert_ok shim run --rm conf:v1 echo via-conf
  assert_eq "$OUT" via-conf
  assert_shim_clean
}

test_shim_pull_killed_mid_blob_resumes ()
{
  _need_pull
  registry_start
  image_build_busybox "$T/img"
  image_push "$T/img" "$REGISTRY/slow:v1"
  local layer=${IMAGE_LAYERS%% *} pid size
  registry_proxy_start --slow-blobs
  "$SHIM" --root "$T/store" --runroot "$T/run" pull --insecure -q "$PROXY/slow:v1" >/dev/null 2>&1 &
  pid=$!
  on_exit "kill -9 $pid"
  # Killed while the layer trickles in: only the partial temp file is left.
  wait_for 20 test -s "$T/store/blobs/sha256/.tmp-${layer#sha256:}"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  size=$(stat -c %s "$T/store/blobs/sha256/.tmp-${layer#sha256:}")
  [ "$size" -gt 0 ] && [ "$size" -lt "$(stat -c %s "$(image_blob "$T/img" "$layer")")" ] ||
    fail "expected a partial layer, got $size bytes"
  assert_no_file "$T/store/blobs/sha256/${layer#sha256:}"
  assert_eq "$(shim images -q)" ""
  assert_ok shim check
  # The next pull takes over the temp file and completes the store.
  assert_ok shim pull --insecure "$PROXY/slow:v1"
  assert_no_file "$T/store/blobs/sha256/.tmp-${layer#sha256:}"
  assert_ok shim check
  assert_ok shim run --rm "$PROXY/slow:v1" echo resumed
  assert_eq "$OUT" resumed
  assert_shim_clean
}

test_shim_pull_refuses_malicious_layers ()
{
  _need_pull
  command -v python3 >/dev/null || skip "python3 is not installed"
  registry_start
  local kind
  mkdir -p "$T/outside"
  for kind in dotdot symlink; do
    rm -rf "$T/img"
    shim_layout "$T/img" "localhost/evil:$kind"
    shim_evil_tar "$T/evil.tar" "$kind" "$T/outside"
    shim_layout_set_layer "$T/img" "$T/evil.tar"
    image_push "$T/img" "$REGISTRY/evil:$kind"
    assert_fail shim pull --insecure "$REGISTRY/evil:$kind"
    assert_eq "$RC" 125 "$kind"
    assert_contains "$ERR" "unpack layer"
    assert_eq "$(ls -A "$T/outside")" "" "$kind: nothing written outside"
    assert_eq "$(shim images -q)" "" "$kind: no image recorded"
    assert_eq "$(ls -A "$T/store/layers" | grep -v '^\.lock-' || true)" "" "$kind: no layer dir left"
    assert_ok shim check
  done
}
