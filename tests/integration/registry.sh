# The registry client of tong-shim (src/shim/registry*.c) against a real
# docker-registry on loopback, driven through tests/tools/registry-get.
source "$TESTS_DIR/registry.sh"
source "$TESTS_DIR/images.sh"

REGISTRY_GET=${REGISTRY_GET:-$BUILD_DIR/tests/tools/registry-get}

# rget ARGS...: registry-get with no auth file of the host leaking in.
rget ()
{
  HOME=$T/home XDG_RUNTIME_DIR=$T/xdg REGISTRY_AUTH_FILE= "$REGISTRY_GET" "$@"
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
