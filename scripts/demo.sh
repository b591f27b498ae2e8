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
