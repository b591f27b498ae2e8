# Helpers for tong-shim's integration tests (shim*.sh source this file; it
# defines no tests itself).  Every test uses its own store ($T/store) and
# runroot ($T/run) and the tong under test as the runtime.

SHIM=${SHIM:-$BUILD_DIR/tong-shim}

# shim ARGS...: tong-shim with this test's store, runroot and runtime.
shim ()
{
  "$SHIM" --root "$T/store" --runroot "$T/run" --runtime "$TONG" "$@"
}

_need_shim ()
{
  [ -x "$SHIM" ] || skip "tong-shim is not built ($SHIM)"
}

# _blob DIR FILE: move FILE into DIR/blobs/sha256 under its digest; print
# "sha256:<hex> <size>".
_blob ()
{
  local dir=$1 f=$2 d s
  d=$(sha256sum <"$f" | cut -d' ' -f1)
  s=$(stat -c %s "$f")
  mkdir -p "$dir/blobs/sha256"
  mv "$f" "$dir/blobs/sha256/$d"
  echo "sha256:$d $s"
}

# shim_rootfs DIR: the busybox rootfs of the tests, with users for -u.
shim_rootfs ()
{
  _copy_rootfs "$1"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'app:x:1000:1000:app:/home/app:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$1/etc/passwd"
  printf '%s\n' 'root:x:0:' 'app:x:1000:' 'extra:x:2000:app' 'nobody:x:65534:' >"$1/etc/group"
  mkdir -p "$1/home/app"
  chown 1000:1000 "$1/home/app"
}

# shim_layout DIR NAME [CONFIG-JQ]: an OCI image layout of one gzip layer
# (the busybox rootfs) named NAME; CONFIG-JQ edits the image config.
shim_layout ()
{
  local dir=$1 name=$2 edit=${3:-.} tmp l c m diff
  tmp=$(mktemp -d "$T/.layout.XXXXXX")
  shim_rootfs "$tmp/rootfs"
  tar -C "$tmp/rootfs" --numeric-owner --sort=name --mtime=@0 -cf "$tmp/layer.tar" .
  diff=sha256:$(sha256sum <"$tmp/layer.tar" | cut -d' ' -f1)
  gzip -n <"$tmp/layer.tar" >"$tmp/layer.gz"
  read -r l ls < <(_blob "$dir" "$tmp/layer.gz")
  jq -cjn --arg d "$diff" '{architecture: "amd64", os: "linux", created: "2024-01-01T00:00:00Z",
      config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "IMAGE_VAR=from-image"],
               Cmd: ["sh", "-c", "echo default-cmd"], WorkingDir: "/"},
      rootfs: {type: "layers", diff_ids: [$d]}}' | jq -cj "$edit" >"$tmp/config"
  read -r c cs < <(_blob "$dir" "$tmp/config")
  jq -cjn --arg c "$c" --argjson cs "$cs" --arg l "$l" --argjson ls "$ls" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]}' >"$tmp/manifest"
  read -r m ms < <(_blob "$dir" "$tmp/manifest")
  echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  jq -n --arg m "$m" --argjson s "$ms" --arg n "$name" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: $m, size: $s, annotations: {"org.opencontainers.image.ref.name": $n}}]}' >"$dir/index.json"
  rm -rf "$tmp"
}

# shim_load_busybox: load the test image as localhost/busybox:latest.
shim_load_busybox ()
{
  shim_layout "$T/img" localhost/busybox:latest "${1:-.}"
  shim load -i "$T/img" >/dev/null
}

# assert_shim_clean: no container left: no rows, no bundles, no upper dirs,
# no mounts under $T, no tong state.
assert_shim_clean ()
{
  local left
  left=$(shim ps -a -q)
  [ -z "$left" ] || fail "tong-shim ps -a still lists: $left"
  left=$(ls -A "$T/run/containers" 2>/dev/null || true)
  [ -z "$left" ] || fail "bundles left in the runroot: $left"
  left=$(ls -A "$T/store/containers" 2>/dev/null || true)
  [ -z "$left" ] || fail "upper/work dirs left in the store: $left"
  left=$(awk -v t="$T" 'index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo)
  [ -z "$left" ] || fail "mounts left: $left"
  left=$("$TONG" --root "$T/run/tong" list -q 2>/dev/null || true)
  [ -z "$left" ] || fail "tong still has containers: $left"
}

# shim_evil_tar OUT KIND DIR: a crafted layer tar that tries to write into
# DIR (outside any layer): KIND dotdot ("../" names), symlink (a symlink to
# DIR, then a file through it) or absolute (an absolute name).
shim_evil_tar ()
{
  python3 - "$1" "$2" "$3" <<'PY'
import io, sys, tarfile
out, kind, outside = sys.argv[1:]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data=b"pwned\n"):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    if kind == "dotdot":
        add("../../../../../../../.." + outside + "/dotdot")
    elif kind == "symlink":
        l = tarfile.TarInfo("etc/escape"); l.type = tarfile.SYMTYPE; l.linkname = outside; t.addfile(l)
        add("etc/escape/symlink")
    else:
        add(outside + "/absolute")
PY
}

# shim_layout_set_layer DIR TAR: make TAR (uncompressed) the only layer of
# the image in the OCI layout DIR (config and manifest rewritten).
shim_layout_set_layer ()
{
  local dir=$1 tar=$2 mdig m c cs d ms
  mdig=$(jq -r '.manifests[0].digest' "$dir/index.json")
  m=$dir/blobs/sha256/${mdig#sha256:}
  c=$(jq -r .config.digest "$m")
  d=sha256:$(sha256sum <"$tar" | cut -d' ' -f1)
  cp "$tar" "$dir/blobs/sha256/${d#sha256:}"
  jq -cj --arg d "$d" '.rootfs.diff_ids = [$d]' "$dir/blobs/sha256/${c#sha256:}" >"$T/.cfg"
  read -r c cs < <(_blob "$dir" "$T/.cfg")
  jq -cj --arg c "$c" --argjson cs "$cs" --arg d "$d" --argjson ds "$(stat -c %s "$tar")" \
    '.config.digest = $c | .config.size = $cs
     | .layers = [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $d, size: $ds}]' \
    "$m" >"$T/.man"
  read -r mdig ms < <(_blob "$dir" "$T/.man")
  jq --arg m "$mdig" --argjson s "$ms" '.manifests[0].digest = $m | .manifests[0].size = $s' \
    "$dir/index.json" >"$T/.idx" && mv "$T/.idx" "$dir/index.json"
}
