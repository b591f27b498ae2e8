#!/bin/sh
# Make a bundle from Debian's busybox-static and run a container in it that
# prints its hostname, its pid and its identity.
#   scripts/demo.sh [BUNDLE_DIR]     (TONG=path/to/tong to use another binary)
set -eu
TONG=${TONG:-tong}
BUSYBOX=${BUSYBOX:-/bin/busybox}
bundle=${1:-$(mktemp -d "${TMPDIR:-/tmp}/tong-demo.XXXXXX")}

[ -x "$BUSYBOX" ] || { echo "demo: $BUSYBOX not found: apt-get install busybox-static" >&2; exit 1; }
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/etc"
cp "$BUSYBOX" "$bundle/rootfs/bin/busybox"
for applet in sh echo id hostname cat ls ps; do
  ln -sf busybox "$bundle/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$bundle/rootfs/etc/passwd"
echo 'root:x:0:' > "$bundle/rootfs/etc/group"

rm -f "$bundle/config.json"
"$TONG" spec --bundle "$bundle"
jq '.process.terminal = false
    | .process.args = ["sh", "-c", "echo \"hostname: $(hostname)\"; echo \"pid: $$\"; id"]' \
  "$bundle/config.json" > "$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

echo "running a container from the bundle $bundle:"
"$TONG" run --bundle "$bundle" "tong-demo-$$"

# tong-shim, offline: a one-layer busybox OCI image layout built here with
# tar, sha256sum and jq, loaded into a throwaway store and run from it.
SHIM=${SHIM:-$(dirname "$(command -v "$TONG" 2>/dev/null || echo "$TONG")")/tong-shim}
[ -x "$SHIM" ] || SHIM=$(command -v tong-shim || true)
if [ -z "$SHIM" ]; then
  echo "demo: tong-shim not found: skipping the image part" >&2
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/tong-shim-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
put_blob () { # FILE -> "sha256:HEX SIZE", moved into the layout
  d=$(sha256sum <"$1" | cut -d' ' -f1); s=$(stat -c %s "$1")
  mv "$1" "$work/layout/blobs/sha256/$d"; echo "sha256:$d $s"
}
mkdir -p "$work/layout/blobs/sha256"
tar -C "$bundle/rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/layer.tar" .
diff_id=sha256:$(sha256sum <"$work/layer.tar" | cut -d' ' -f1)
gzip -n "$work/layer.tar"
read -r layer layer_size <<EOT
$(put_blob "$work/layer.tar.gz")
EOT
jq -cjn --arg d "$diff_id" '{architecture: "amd64", os: "linux",
  config: {Cmd: ["sh", "-c", "echo hello from an image"]}, rootfs: {type: "layers", diff_ids: [$d]}}' >"$work/config"
read -r config config_size <<EOT
$(put_blob "$work/config")
EOT
jq -cjn --arg c "$config" --argjson cs "$config_size" --arg l "$layer" --argjson ls "$layer_size" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]}' >"$work/manifest"
read -r manifest manifest_size <<EOT
$(put_blob "$work/manifest")
EOT
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"
jq -n --arg m "$manifest" --argjson s "$manifest_size" \
  '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m,
    size: $s, annotations: {"org.opencontainers.image.ref.name": "localhost/demo:latest"}}]}' >"$work/layout/index.json"

shim () { "$SHIM" --root "$work/store" --runroot "$work/run" --runtime "$(command -v "$TONG" || echo "$TONG")" "$@"; }
echo "loading the image with tong-shim and running it:"
shim load -i "$work/layout"
shim images
shim run --rm demo
shim run --rm demo echo "tong-shim run --rm demo echo: hello"
