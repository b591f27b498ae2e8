# oci_image_archive: build an OCI image archive (an image layout in a tar)
# from a directory, for the tests that hand an image to containerd or podman.
# Sourced by tests/integration/{containerd,podman}.sh after tests/lib.sh.
#
#   oci_image_archive ROOTFS NAME OUT.tar [CMD...]
#
# One uncompressed layer holding ROOTFS, an image config whose Cmd is CMD
# (default: sh) and PATH the usual one, and an index.json naming the image NAME
# (a full reference such as localhost/tong-busybox:latest) in both annotations
# the importers read: containerd's io.containerd.image.name and the OCI
# org.opencontainers.image.ref.name that podman load uses.

# _oci_blob DIR FILE: move FILE into DIR/blobs/sha256 under its digest; print
# "DIGEST SIZE".
_oci_blob ()
{
  local d=$1 f=$2 sum size
  sum=$(sha256sum "$f" | cut -d' ' -f1)
  size=$(stat -c %s "$f")
  mv "$f" "$d/blobs/sha256/$sum"
  echo "sha256:$sum $size"
}

oci_image_archive ()
{
  local rootfs=$1 name=$2 out=$3
  shift 3
  [ $# -gt 0 ] || set -- sh
  local d layout layer cfg man
  d=$(mktemp -d "${T:-/tmp}/.oci.XXXXXX")
  layout=$d/layout
  mkdir -p "$layout/blobs/sha256"
  tar --numeric-owner --owner=0 --group=0 --sort=name -C "$rootfs" -cf "$d/layer.tar" . ||
    fail "oci_image_archive: tar of $rootfs failed"
  layer=$(_oci_blob "$layout" "$d/layer.tar")
  jq -nc --arg diff "${layer% *}" --argjson cmd "$(json_array "$@")" '{
      architecture: "amd64", os: "linux",
      config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
               Cmd: $cmd, WorkingDir: "/"},
      rootfs: {type: "layers", diff_ids: [$diff]},
      history: [{created_by: "tests/oci-image.sh"}]}' >"$d/config.json"
  # The architecture must be the host's, or the clients refuse the image.
  case $(uname -m) in
  x86_64) ;;
  aarch64) jq -c '.architecture = "arm64"' "$d/config.json" >"$d/c" && mv "$d/c" "$d/config.json" ;;
  *) jq -c --arg a "$(uname -m)" '.architecture = $a' "$d/config.json" >"$d/c" && mv "$d/c" "$d/config.json" ;;
  esac
  cfg=$(_oci_blob "$layout" "$d/config.json")
  jq -nc --arg c "${cfg% *}" --argjson cs "${cfg#* }" --arg l "${layer% *}" --argjson ls "${layer#* }" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' \
    >"$d/manifest.json"
  man=$(_oci_blob "$layout" "$d/manifest.json")
  jq -nc --arg m "${man% *}" --argjson ms "${man#* }" --arg n "$name" '{
      schemaVersion: 2,
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
                   annotations: {"io.containerd.image.name": $n,
                                 "org.opencontainers.image.ref.name": $n}}]}' >"$layout/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  tar --numeric-owner --owner=0 --group=0 -C "$layout" -cf "$out" oci-layout index.json blobs ||
    fail "oci_image_archive: tar of the layout failed"
  rm -rf "$d"
}
