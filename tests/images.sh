# Test images built from Debian's busybox-static, for tests that pull, load
# or run images.  Source it from a test file (after tests/lib.sh):
#
#   image_build_busybox DIR [--layers N] [--whiteouts] [--zstd]
#                           [--platforms amd64,arm64] [--tag T]
#       Writes an OCI image layout (oci-layout, index.json, blobs/sha256) in
#       DIR, reproducibly and without network: the same options give the same
#       digests.  Layer 1 is /bin/busybox with its applet symlinks, /etc/passwd
#       and /etc/group; each further layer (--layers N, default 1) adds
#       /etc/tong-layer-K ("layer K").  --whiteouts adds two layers: the first
#       makes /data/keep, /data/gone, /data/dir/old and /data/dir/sub/x, the
#       second deletes /data/gone (.wh.gone), makes /data/dir opaque
#       (.wh..wh..opq) and adds /data/dir/new.  --zstd compresses layers with
#       zstd (application/vnd.oci.image.layer.v1.tar+zstd) instead of gzip.
#       --platforms with more than one entry makes the tag name an image
#       index with one manifest per platform (same layers, the config's
#       architecture differs).  The tag (--tag, default "latest") is
#       index.json's org.opencontainers.image.ref.name.
#       Sets IMAGE_DIGEST (the tagged manifest or index), IMAGE_MEDIA_TYPE,
#       IMAGE_LAYERS (the layer digests, space-separated, of the first
#       platform) and IMAGE_CONFIG (its config digest).
#
#   image_blob DIR DIGEST       the path of a blob in the layout
#
#   image_push DIR REF [SKOPEO ARGS...]
#       Pushes the layout's tagged image to docker://REF with skopeo, keeping
#       digests (an index with all its platforms).  Pass --dest-creds U:P or
#       --dest-cert-dir D as needed; TLS is not verified (the tests'
#       registries are on loopback).
#
# Needs: busybox-static, tar, gzip, zstd, sha256sum, jq, skopeo (for pushing).

# The variables set here are read by the test files that source this one.
# (a directive before the first command covers the whole file)
# shellcheck disable=SC2034
: "${BUSYBOX:=/bin/busybox}"

# _image_put_blob DIR FILE MEDIATYPE: move FILE into DIR/blobs/sha256 and
# print its descriptor as compact JSON.
_image_put_blob ()
{
  local dir=$1 file=$2 mt=$3 hex size
  hex=$(sha256sum "$file" | cut -d' ' -f1)
  size=$(stat -c %s "$file")
  mv "$file" "$dir/blobs/sha256/$hex"
  jq -cn --arg mt "$mt" --arg d "sha256:$hex" --argjson s "$size" \
    '{mediaType: $mt, digest: $d, size: $s}'
}

# _image_tar SRCDIR OUT: a reproducible tar of SRCDIR's contents.
_image_tar ()
{
  local src=$1 out=$2
  (
    cd "$src" || exit 1
    # shellcheck disable=SC2046 # word splitting wanted: no names with spaces here
    tar --create --file=- --sort=name --owner=0 --group=0 --numeric-owner \
      --mtime=@0 --format=gnu -- $(LC_ALL=C ls -A)
  ) >"$out"
}

# _image_layer DIR SRCDIR: compress a layer; print "DESCRIPTOR DIFFID".
_image_layer ()
{
  local dir=$1 src=$2 tmp diff
  tmp=$(mktemp "$dir/.layer.XXXXXX")
  _image_tar "$src" "$tmp.tar" || return 1
  diff=sha256:$(sha256sum "$tmp.tar" | cut -d' ' -f1)
  if [ "$_IMAGE_ZSTD" = 1 ]; then
    zstd -q -c -3 "$tmp.tar" >"$tmp"
    rm -f "$tmp.tar"
    echo "$(_image_put_blob "$dir" "$tmp" application/vnd.oci.image.layer.v1.tar+zstd) $diff"
  else
    gzip -n -c "$tmp.tar" >"$tmp"
    rm -f "$tmp.tar"
    echo "$(_image_put_blob "$dir" "$tmp" application/vnd.oci.image.layer.v1.tar+gzip) $diff"
  fi
}

_image_busybox_tree ()
{
  local r=$1 a
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root"
  chmod 1777 "$r/tmp"
  cp "$BUSYBOX" "$r/bin/busybox"
  chmod 755 "$r/bin/busybox"
  for a in $("$BUSYBOX" --list); do
    [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"
  done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$r/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$r/etc/group"
}

image_build_busybox ()
{
  local dir=$1 layers=1 whiteouts=0 platforms=amd64 tag=latest
  shift
  _IMAGE_ZSTD=0
  while [ $# -gt 0 ]; do
    case $1 in
    --layers) layers=$2; shift 2 ;;
    --whiteouts) whiteouts=1; shift ;;
    --zstd) _IMAGE_ZSTD=1; shift ;;
    --platforms) platforms=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    *) echo "image_build_busybox: unknown option $1" >&2; return 1 ;;
    esac
  done
  case $layers in '' | *[!0-9]* | 0) echo "image_build_busybox: bad --layers '$layers'" >&2; return 1 ;; esac
  [ -x "$BUSYBOX" ] || { echo "image_build_busybox: no busybox at $BUSYBOX" >&2; return 1; }

  local work k out descs=() diffs=()
  mkdir -p "$dir/blobs/sha256"
  work=$(mktemp -d "$dir/.work.XXXXXX")
  (
    umask 022
    _image_busybox_tree "$work/l1"
    for ((k = 2; k <= layers; k++)); do
      mkdir -p "$work/l$k/etc"
      echo "layer $k" >"$work/l$k/etc/tong-layer-$k"
    done
    if [ $whiteouts = 1 ]; then
      k=$((layers + 1))
      mkdir -p "$work/l$k/data/dir/sub"
      echo keep >"$work/l$k/data/keep"
      echo gone >"$work/l$k/data/gone"
      echo old >"$work/l$k/data/dir/old"
      echo x >"$work/l$k/data/dir/sub/x"
      k=$((k + 1))
      mkdir -p "$work/l$k/data/dir"
      : >"$work/l$k/data/.wh.gone"
      : >"$work/l$k/data/dir/.wh..wh..opq"
      echo new >"$work/l$k/data/dir/new"
    fi
  ) || return 1
  [ $whiteouts = 1 ] && layers=$((layers + 2))
  for ((k = 1; k <= layers; k++)); do
    out=$(_image_layer "$dir" "$work/l$k") || return 1
    descs+=("${out% *}")
    diffs+=("${out##* }")
  done
  rm -rf "$work"

  local layers_json diffs_json plat arch variant cfg man mdescs=() f
  layers_json=$(printf '%s\n' "${descs[@]}" | jq -cs .)
  diffs_json=$(printf '%s\n' "${diffs[@]}" | jq -Rcs 'split("\n") | map(select(length > 0))')
  IMAGE_LAYERS=$(printf '%s\n' "${descs[@]}" | jq -r .digest | tr '\n' ' ')
  IMAGE_LAYERS=${IMAGE_LAYERS% }
  IMAGE_CONFIG=
  IFS=, read -ra plat <<<"$platforms"
  for arch in "${plat[@]}"; do
    variant=
    [ "$arch" = arm64 ] && variant=v8
    f=$(mktemp "$dir/.cfg.XXXXXX")
    jq -cn --arg arch "$arch" --arg variant "$variant" --argjson diffs "$diffs_json" '{
        created: "1970-01-01T00:00:00Z", architecture: $arch, os: "linux",
        config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                 Cmd: ["sh"]},
        rootfs: {type: "layers", diff_ids: $diffs},
        history: [$diffs[] | {created: "1970-01-01T00:00:00Z", created_by: "tests/images.sh"}]
      } + (if $variant == "" then {} else {variant: $variant} end)' >"$f"
    cfg=$(_image_put_blob "$dir" "$f" application/vnd.oci.image.config.v1+json)
    [ -n "$IMAGE_CONFIG" ] || IMAGE_CONFIG=$(jq -r .digest <<<"$cfg")
    f=$(mktemp "$dir/.man.XXXXXX")
    jq -cn --argjson cfg "$cfg" --argjson layers "$layers_json" '{
        schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: $cfg, layers: $layers}' >"$f"
    man=$(_image_put_blob "$dir" "$f" application/vnd.oci.image.manifest.v1+json)
    mdescs+=("$(jq -c --arg arch "$arch" --arg variant "$variant" \
      '. + {platform: ({architecture: $arch, os: "linux"}
                       + (if $variant == "" then {} else {variant: $variant} end))}' <<<"$man")")
  done

  local top
  if [ ${#plat[@]} -gt 1 ]; then
    f=$(mktemp "$dir/.idx.XXXXXX")
    printf '%s\n' "${mdescs[@]}" | jq -cs '{schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json", manifests: .}' >"$f"
    top=$(_image_put_blob "$dir" "$f" application/vnd.oci.image.index.v1+json)
  else
    top=$(jq -c 'del(.platform)' <<<"${mdescs[0]}")
  fi
  IMAGE_DIGEST=$(jq -r .digest <<<"$top")
  IMAGE_MEDIA_TYPE=$(jq -r .mediaType <<<"$top")
  echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  jq -cn --argjson top "$top" --arg tag "$tag" '{schemaVersion: 2,
      manifests: [$top + {annotations: {"org.opencontainers.image.ref.name": $tag}}]}' \
    >"$dir/index.json"
}

image_blob ()
{
  echo "$1/blobs/sha256/${2#sha256:}"
}

image_push ()
{
  local dir=$1 ref=$2 tag
  shift 2
  tag=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$dir/index.json")
  skopeo --insecure-policy copy --quiet --all --preserve-digests --dest-tls-verify=false \
    "$@" "oci:$dir:$tag" "docker://$ref"
}
