# tong-shim's store offline: load (OCI layouts, docker-archive), save round
# trips, images, inspect, rmi, prune and check.
source "$TESTS_DIR/integration/shim-lib.sh"

test_shim_load_oci_layout_and_images ()
{
  _need_shim
  shim_layout "$T/img" localhost/busybox:1.0
  assert_ok shim load -i "$T/img"
  assert_eq "$OUT" "Loaded image: localhost/busybox:1.0"
  local id
  id=$(jq -r '.manifests[0].digest' "$T/img/index.json")
  run_cmd shim images
  assert_match "$OUT" "localhost/busybox +1.0 "
  # Names as users write them: short name, full name, short id, digest.
  assert_ok shim inspect busybox:1.0
  id=$(printf '%s' "$OUT" | jq -r '.[0].Id')
  assert_json "$OUT" '.[0].RepoTags == ["localhost/busybox:1.0"] and (.[0].LayerDirs | length) == 1'
  assert_ok shim inspect "${id:7:12}"
  assert_ok shim inspect "$id"
  assert_fail shim inspect busybox
  assert_contains "$ERR" 'no image or container "busybox"'
  # Loading again changes nothing.
  assert_ok shim load -i "$T/img"
  assert_eq "$(shim images -q | wc -l)" 1
  assert_ok shim check
}

# _docker_archive DIR OUT: a docker-archive tarball (as `docker save`
# writes: manifest.json, <config>.json, <id>/layer.tar uncompressed).
_docker_archive ()
{
  local tmp=$1 out=$2 diff
  mkdir -p "$tmp/layer1" "$tmp/root"
  shim_rootfs "$tmp/root"
  tar -C "$tmp/root" --numeric-owner -cf "$tmp/layer1/layer.tar" .
  diff=sha256:$(sha256sum <"$tmp/layer1/layer.tar" | cut -d' ' -f1)
  jq -cjn --arg d "$diff" '{architecture: "amd64", os: "linux",
    config: {Cmd: ["echo", "from-docker-archive"]}, rootfs: {type: "layers", diff_ids: [$d]}}' >"$tmp/cfg.json"
  echo '[{"Config": "cfg.json", "RepoTags": ["example.com/dockerish:v2"], "Layers": ["layer1/layer.tar"]}]' >"$tmp/manifest.json"
  tar -C "$tmp" -cf "$out" manifest.json cfg.json layer1/layer.tar
  rm -rf "$tmp/root"
}

test_shim_load_docker_archive ()
{
  _need_shim
  _docker_archive "$T/da" "$T/da.tar"
  assert_ok shim load -i "$T/da.tar"
  assert_eq "$OUT" "Loaded image: example.com/dockerish:v2"
  assert_ok shim run --rm dockerish:v2
  assert_eq "$OUT" from-docker-archive
  # --tag names it otherwise.
  assert_ok "$SHIM" --root "$T/s2" load -i "$T/da.tar" --tag other/name
  assert_eq "$OUT" "Loaded image: other/name:latest"
  assert_shim_clean
}

test_shim_save_load_round_trips ()
{
  _need_shim
  shim_load_busybox
  local id fmt
  id=$(shim images -q --no-trunc)
  for fmt in docker-archive oci-archive oci-dir; do
    assert_ok shim save --format "$fmt" -o "$T/out.$fmt" busybox
    assert_ok "$SHIM" --root "$T/fresh-$fmt" --runroot "$T/run" load -i "$T/out.$fmt"
    assert_eq "$OUT" "Loaded image: localhost/busybox:latest"
    assert_eq "$("$SHIM" --root "$T/fresh-$fmt" images -q --no-trunc)" "$id" "$fmt round trip"
    assert_ok "$SHIM" --root "$T/fresh-$fmt" check
  done
  tar -tf "$T/out.docker-archive" | grep -qx manifest.json || fail "no manifest.json in the docker-archive"
  assert_file "$T/out.oci-dir/oci-layout"
  assert_fail shim save -o "$T/x" --format zip busybox
  assert_contains "$ERR" '--format "zip"'
  assert_fail shim save -o "$T/x" nosuchimage
  assert_no_file "$T/x"
}

test_shim_load_rejects_bad_input ()
{
  _need_shim
  shim_layout "$T/img" localhost/bad:v1
  # A blob whose content does not match its digest.
  local layer
  layer=$(jq -r '.layers[0].digest' "$T/img/blobs/sha256/$(jq -r '.manifests[0].digest' "$T/img/index.json" | cut -d: -f2)")
  printf 'X' | dd of="$T/img/blobs/sha256/${layer#sha256:}" bs=1 seek=50 conv=notrunc 2>/dev/null
  assert_fail shim load -i "$T/img"
  assert_eq "$RC" 125
  assert_contains "$ERR" "digest mismatch"
  assert_eq "$(shim images -q)" ""
  assert_no_file "$T/store/blobs/sha256/${layer#sha256:}"
  # Neither layout nor archive; not a tarball; missing.
  mkdir "$T/empty"
  assert_fail shim load -i "$T/empty"
  assert_contains "$ERR" "neither an OCI image layout"
  echo junk >"$T/junk.tar"
  assert_fail shim load -i "$T/junk.tar"
  assert_contains "$ERR" "junk.tar"
  assert_fail shim load -i "$T/nothing-here"
  assert_contains "$ERR" "nothing-here"
  assert_fail shim load
  assert_contains "$ERR" "-i PATH"
  assert_ok shim check
  assert_eq "$(ls -A "$T/store/layers")" ""
}

test_shim_load_refuses_malicious_layers ()
{
  _need_shim
  command -v python3 >/dev/null || skip "python3 is not installed"
  local evil kind
  mkdir -p "$T/outside"
  for kind in dotdot symlink absolute; do
    rm -rf "$T/img" "$T/store"
    shim_layout "$T/img" "localhost/evil-$kind:v1"
    evil=$T/evil-$kind.tar
    shim_evil_tar "$evil" "$kind" "$T/outside"
    shim_layout_set_layer "$T/img" "$evil"
    run_cmd shim load -i "$T/img"
    assert_eq "$(ls -A "$T/outside")" "" "$kind: nothing written outside"
    if [ $kind = absolute ]; then
      # As tar does, a leading / is dropped: the file lands inside the layer.
      assert_eq "$RC" 0
      assert_file "$(shim inspect "localhost/evil-$kind:v1" | jq -r '.[0].LayerDirs[0]')$T/outside/absolute"
      continue
    fi
    assert_eq "$RC" 125 "$kind"
    assert_contains "$ERR" "unpack layer"
    assert_eq "$(shim images -q)" "" "$kind: no image recorded"
    assert_eq "$(ls -A "$T/store/layers" | grep -v '^\.lock-' || true)" "" "$kind: no layer dir left"
  done
}

test_shim_rmi_prune_check ()
{
  _need_shim
  shim_load_busybox
  shim_layout "$T/img2" localhost/second:v1 '.config.Cmd = ["true"]'
  shim load -i "$T/img2" >/dev/null
  # Two tags on one image: rmi of a tag untags, of the last tag removes.
  local id
  id=$(shim inspect busybox | jq -r '.[0].Id')
  shim load -i "$T/img" --tag localhost/alias:v9 >/dev/null
  assert_ok shim rmi alias:v9
  assert_eq "$OUT" "Untagged: localhost/alias:v9"
  # An image a container uses is not removed.
  shim run --name user busybox true >/dev/null
  assert_fail shim rmi busybox
  assert_contains "$ERR" "used by container user"
  shim rm user >/dev/null
  assert_ok shim rmi busybox
  assert_eq "$OUT" "Deleted: $id"
  assert_fail shim rmi busybox
  # The layer is shared with second:v1: only busybox's config and manifest go.
  assert_ok shim prune
  assert_contains "$OUT" "removed 0 layers, 2 blobs"
  assert_ok shim run --rm second:v1
  assert_ok shim check
  shim rmi second:v1 >/dev/null
  # What killed loads and pulls left: a load's temp dir, a pull's temp blob.
  mkdir -p "$T/store/tmp-load-abc123/blobs"
  echo partial >"$T/store/blobs/sha256/.tmp-$(printf '%064d' 0)"
  assert_ok shim prune
  assert_contains "$OUT" "removed 1 layers, 3 blobs, 2 temp entries"
  assert_no_file "$T/store/tmp-load-abc123"
  assert_eq "$(ls -A "$T/store/blobs/sha256")" ""
  shim load -i "$T/img2" >/dev/null
  # check finds a damaged blob and names it.
  local blob
  blob=$(ls "$T/store/blobs/sha256" | head -1)
  echo damage >>"$T/store/blobs/sha256/$blob"
  assert_fail shim check
  assert_contains "$OUT" "$blob"
  assert_contains "$ERR" "1 problem"
  assert_shim_clean
}

test_shim_help_and_man_pages ()
{
  _need_shim
  local c help
  help=$("$SHIM" --help)
  for c in pull images rmi inspect load save run ps logs stop rm exec prune check; do
    assert_contains "$help" "  $c "
    run_cmd "$SHIM" "$c" --help
    assert_eq "$RC" 0 "$c --help"
    assert_contains "$OUT" "tong-shim-$c(1)"
    assert_file "$TESTS_DIR/../man/tong-shim-$c.1"
  done
  assert_file "$TESTS_DIR/../man/tong-shim.1"
  assert_fail "$SHIM" --root
  assert_eq "$RC" 125
}
