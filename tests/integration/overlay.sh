# Overlay roots from unpacked layers (src/overlay, through tests/tools/overlay-tool):
# layers made with tar, unpacked in overlay's format, mounted: whiteouts,
# opaque directories, writes to the upper dir, read-only roots, more layers
# than fit in one page of mount options.

OVERLAY_TOOL=${OVERLAY_TOOL:-$BUILD_DIR/tests/tools/overlay-tool}

ovl ()
{
  "$OVERLAY_TOOL" "$@"
}

# ovl_mount ARGS...: mount through the tool; the mount is undone when the test ends.
ovl_mount ()
{
  local a target=
  for a in "$@"; do
    case $a in --*) ;; *) target=$a; break ;; esac
  done
  ovl mount "$@"
  on_exit "umount -l '$target'"
}

# make_layer NAME [FORMAT]: tar $T/src/NAME into $T/NAME.tar[.gz|.zst] and
# unpack it into $T/layers/NAME; prints nothing.
make_layer ()
{
  local name=$1 fmt=${2:-plain} file
  mkdir -p "$T/layers"
  case $fmt in
  plain) file=$T/$name.tar; tar -C "$T/src/$name" --xattrs -cf "$file" . ;;
  gzip) file=$T/$name.tar.gz; tar -C "$T/src/$name" --xattrs -czf "$file" . ;;
  zstd) file=$T/$name.tar.zst; tar -C "$T/src/$name" --xattrs -cf - . | zstd -q -o "$file" ;;
  esac
  ovl unpack "$file" "$T/layers/$name" >"$T/$name.out"
}

# Three layers: base; a middle one that deletes etc/b (whiteout) and
# replaces data/ (opaque); a top one that changes keep.
_three_layers ()
{
  mkdir -p "$T/src/base/etc" "$T/src/base/data" "$T/src/mid/etc" "$T/src/mid/data" "$T/src/top"
  echo a >"$T/src/base/etc/a"
  echo b >"$T/src/base/etc/b"
  echo old >"$T/src/base/data/old"
  echo base >"$T/src/base/keep"
  : >"$T/src/mid/etc/.wh.b"
  : >"$T/src/mid/data/.wh..wh..opq"
  echo new >"$T/src/mid/data/new"
  echo top >"$T/src/top/keep"
  # Deleted and made anew in the same layer (tar order decides which comes first).
  mkdir -p "$T/src/base/renew" "$T/src/mid/renew"
  echo old >"$T/src/base/renew/old"
  : >"$T/src/mid/.wh.renew"
  echo mine >"$T/src/mid/renew/mine"
  make_layer base gzip
  make_layer mid zstd
  make_layer top plain
}

test_overlay_whiteouts_opaque_and_upper ()
{
  _three_layers
  # In the unpacked middle layer: a 0/0 char device and the opaque xattr.
  assert_eq "$(stat -c '%F %t:%T' "$T/layers/mid/etc/b")" "character special file 0:0"
  assert_no_file "$T/layers/mid/etc/.wh.b"
  assert_no_file "$T/layers/mid/data/.wh..wh..opq"
  assert_eq "$(getfattr_value "$T/layers/mid/data" trusted.overlay.opaque)" y

  mkdir "$T/upper" "$T/work" "$T/merged"
  ovl_mount "$T/merged" "$T/upper" "$T/work" "$T/layers/top" "$T/layers/mid" "$T/layers/base"
  assert_eq "$(cat "$T/merged/etc/a")" a
  assert_no_file "$T/merged/etc/b"
  assert_no_file "$T/merged/data/old"
  assert_eq "$(cat "$T/merged/data/new")" new
  assert_eq "$(cat "$T/merged/keep")" top
  assert_eq "$(ls "$T/merged" | tr '\n' ' ')" "data etc keep renew "
  assert_eq "$(ls "$T/merged/renew")" mine

  # Writes land in the upper dir; the layers do not change.
  echo written >"$T/merged/written"
  echo changed >"$T/merged/etc/a"
  rm "$T/merged/keep"
  assert_eq "$(cat "$T/upper/written")" written
  assert_eq "$(cat "$T/upper/etc/a")" changed
  assert_eq "$(cat "$T/layers/base/etc/a")" a
  assert_eq "$(stat -c '%F %t:%T' "$T/upper/keep")" "character special file 0:0"
  assert_eq "$(cat "$T/layers/top/keep")" top

  ovl umount "$T/merged"
  assert_eq "$(awk -v m="$T/merged" '$5 == m' /proc/self/mountinfo)" ""
  assert_fail ovl umount "$T/merged"
  assert_contains "$ERR" "not a mount point"
}

# getfattr_value FILE NAME: an xattr's value, read through python (no attr package needed).
getfattr_value ()
{
  python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).decode())' "$1" "$2"
}

test_overlay_read_only ()
{
  _three_layers
  mkdir "$T/merged" "$T/single"
  ovl_mount --ro "$T/merged" - - "$T/layers/top" "$T/layers/mid" "$T/layers/base"
  assert_eq "$(cat "$T/merged/keep")" top
  assert_no_file "$T/merged/etc/b"
  assert_fail touch "$T/merged/new"
  assert_contains "$ERR" "Read-only file system"
  assert_fail sh -c "echo x >'$T/merged/keep'"

  # One layer, read-only: a read-only bind mount.
  ovl_mount --ro "$T/single" - - "$T/layers/base"
  assert_eq "$(cat "$T/single/keep")" base
  assert_fail touch "$T/single/new"
  assert_contains "$ERR" "Read-only file system"
  ovl umount "$T/single"
  ovl umount "$T/merged"

  # Errors name what is wrong, and nothing is mounted.
  assert_fail ovl mount "$T/merged" - - "$T/layers/top" "$T/missing"
  assert_contains "$ERR" "layer 1 '$T/missing'"
  assert_fail ovl mount "$T/merged" "$T/upper" - "$T/layers/top"
  assert_contains "$ERR" "an upper dir needs a work dir"
  assert_eq "$(awk -v m="$T/merged" '$5 == m' /proc/self/mountinfo)" ""
}

# Layers in the user-xattr format (rootless) under a userxattr mount.
test_overlay_userxattr_format ()
{
  mkdir -p "$T/src/base/data" "$T/src/mid/data"
  echo old >"$T/src/base/data/old"
  echo gone >"$T/src/base/gone"
  : >"$T/src/mid/data/.wh..wh..opq"
  : >"$T/src/mid/.wh.gone"
  echo new >"$T/src/mid/data/new"
  mkdir -p "$T/layers"
  for l in base mid; do
    tar -C "$T/src/$l" -cf "$T/$l.tar" .
    ovl unpack --rootless "$T/$l.tar" "$T/layers/$l" >/dev/null
  done
  assert_eq "$(getfattr_value "$T/layers/mid/data" user.overlay.opaque)" y
  mkdir "$T/upper" "$T/work" "$T/merged"
  ovl_mount --userxattr "$T/merged" "$T/upper" "$T/work" "$T/layers/mid" "$T/layers/base"
  assert_no_file "$T/merged/data/old"
  assert_no_file "$T/merged/gone"
  assert_eq "$(cat "$T/merged/data/new")" new
  ovl umount "$T/merged"
}

# 200 layers whose paths together are far beyond one page of mount options.
test_overlay_many_layers ()
{
  local long i lowers=() total=0 d
  long=$(printf 'a-long-directory-name-%.0s' 1 2 3 4 5)
  for ((i = 0; i < 200; i++)); do
    d=$T/$long/$long-$i
    mkdir -p "$d/files"
    echo "$i" >"$d/files/layer-$i"
    lowers+=("$d")
    total=$((total + ${#d} + 1))
  done
  echo bottom >"$T/$long/$long-199/bottom"
  echo "option bytes for the lowers: $total" >&2
  [ "$total" -gt 8192 ] || fail "the layer paths are too short for this test ($total bytes)"
  mkdir "$T/upper" "$T/work" "$T/merged"
  ovl_mount "$T/merged" "$T/upper" "$T/work" "${lowers[@]}"
  assert_eq "$(cat "$T/merged/bottom")" bottom
  assert_eq "$(ls "$T/merged/files" | wc -l)" 200
  assert_eq "$(cat "$T/merged/files/layer-0")" 0
  echo up >"$T/merged/up"
  assert_eq "$(cat "$T/upper/up")" up
  # The short link names are gone once mounted.
  assert_eq "$(find "$T" -maxdepth 1 -name '.merged.lowers.*' | wc -l)" 0
  ovl umount "$T/merged"

  # Read-only, no upper: the same.
  ovl_mount --ro "$T/merged" - - "${lowers[@]}"
  assert_eq "$(cat "$T/merged/bottom")" bottom
  ovl umount "$T/merged"

  # A mount that fails (the bottom "layer" is a file) says so and leaves
  # no directory of short names behind.
  echo file >"$T/not-a-dir"
  assert_fail ovl mount "$T/merged" "$T/upper" "$T/work" "${lowers[@]:0:199}" "$T/not-a-dir"
  assert_contains "$ERR" "overlay of 200 layers on '$T/merged'"
  assert_eq "$(find "$T" -maxdepth 1 -name '.merged.lowers.*' | wc -l)" 0
  assert_eq "$(awk -v m="$T/merged" '$5 == m' /proc/self/mountinfo)" ""

  # Beyond overlay's stack limit: refused before mounting.
  for ((i = 200; i < 501; i++)); do lowers+=("${lowers[0]}"); done
  assert_fail ovl mount "$T/merged" "$T/upper" "$T/work" "${lowers[@]}"
  assert_contains "$ERR" "at most 500"
}

# Layers made by GNU tar itself: a symlink, then an entry through it
# (appended), and a hardlink out of the layer: refused, nothing written outside.
test_overlay_unpack_refuses_escapes ()
{
  mkdir -p "$T/outside" "$T/a/sub/evil" "$T/b/evil"
  ln -s "$T/outside" "$T/a/sub/evil/link"
  tar -C "$T/a/sub" -cf "$T/evil.tar" evil/link
  mkdir -p "$T/b/evil/link"
  echo pwned >"$T/b/evil/link/passwd"
  tar -C "$T/b" -rf "$T/evil.tar" evil/link/passwd
  assert_fail ovl unpack "$T/evil.tar" "$T/layer"
  assert_contains "$ERR" "evil/link/passwd"
  assert_contains "$ERR" "symlink"
  assert_eq "$(ls -A "$T/outside")" ""

  # GNU tar cannot write a hardlink to "../secret": python's tarfile can.
  echo secret >"$T/secret"
  python3 - "$T/hard.tar" <<'EOF'
import sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    link = tarfile.TarInfo("h")
    link.type = tarfile.LNKTYPE
    link.linkname = "../secret"
    t.addfile(link)
EOF
  assert_fail ovl unpack "$T/hard.tar" "$T/layer2"
  assert_contains "$ERR" "'h'"
  assert_contains "$ERR" ".."
  assert_eq "$(stat -c %h "$T/secret")" 1
}

# diff_id is the sha256 of the uncompressed tar, whatever the compression.
test_overlay_unpack_diff_id ()
{
  mkdir -p "$T/src/l/d"
  head -c 300000 /dev/urandom >"$T/src/l/d/blob"
  ln -s d/blob "$T/src/l/link"
  tar -C "$T/src/l" -cf "$T/l.tar" .
  gzip -k "$T/l.tar"
  zstd -q "$T/l.tar"
  local want out f
  want=sha256:$(sha256sum <"$T/l.tar" | cut -d' ' -f1)
  for f in l.tar l.tar.gz l.tar.zst; do
    out=$(ovl unpack "$T/$f" "$T/out-$f")
    assert_contains "$out" "diff-id $want"
    assert_contains "$out" "bytes $(stat -c %s "$T/l.tar") "
    cmp "$T/src/l/d/blob" "$T/out-$f/d/blob"
  done
}

# Rootless: an unprivileged user in its own user and mount namespaces
# unpacks layers in the userxattr format (whiteouts as 0/0 devices, which
# Linux >= 5.8 lets anyone create) and mounts them with userxattr.
test_overlay_rootless_in_user_namespace ()
{
  command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
  mkdir -p "$T/src/base/data" "$T/src/top/data"
  echo old >"$T/src/base/data/old"
  echo gone >"$T/src/base/gone"
  mknod "$T/src/base/null" c 1 3
  : >"$T/src/top/data/.wh..wh..opq"
  : >"$T/src/top/.wh.gone"
  echo new >"$T/src/top/data/new"
  mkdir "$T/rl"
  for l in base top; do
    tar -C "$T/src/$l" --owner=0 --group=0 --numeric-owner -cf "$T/rl/$l.tar" .
  done
  chown -R 65534:65534 "$T/rl"
  [ -x "$OVERLAY_TOOL" ] && setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$OVERLAY_TOOL" ||
    skip "the unprivileged user cannot run $OVERLAY_TOOL"
  setpriv --reuid 65534 --regid 65534 --clear-groups unshare -Urm true 2>/dev/null ||
    skip "unprivileged user namespaces are not allowed on this host"
  local out
  out=$(setpriv --reuid 65534 --regid 65534 --clear-groups unshare -Urm sh -c '
    set -e
    cd "$1"
    "$2" unpack --rootless base.tar base
    "$2" unpack --rootless top.tar top
    mkdir upper work merged
    "$2" mount --userxattr merged upper work top base
    ls merged merged/data
    echo written >merged/w
    cat upper/w
  ' sh "$T/rl" "$OVERLAY_TOOL")
  echo "$out" >&2
  assert_contains "$(sed -n 1p <<<"$out")" "skipped 1" # the device node
  assert_eq "$(sed -n '3,$p' <<<"$out" | tr '\n' ' ')" "merged: data  merged/data: new written "
  assert_eq "$(stat -c '%F %t:%T %u' "$T/rl/top/gone")" "character special file 0:0 65534"
  assert_eq "$(getfattr_value "$T/rl/top/data" user.overlay.opaque)" y
  assert_no_file "$T/rl/base/null"
}

# Layer paths with overlay's separators (':' between layers, ',' between
# options) and its escape character in them.
test_overlay_paths_with_separators ()
{
  mkdir -p "$T/a:b,c" "$T/d\\e" "$T/u,1" "$T/w:1" "$T/merged"
  echo 1 >"$T/a:b,c/f1"
  echo 2 >"$T/d\\e/f2"
  ovl_mount "$T/merged" "$T/u,1" "$T/w:1" "$T/a:b,c" "$T/d\\e"
  assert_eq "$(cat "$T/merged/f1") $(cat "$T/merged/f2")" "1 2"
  echo up >"$T/merged/up"
  assert_eq "$(cat "$T/u,1/up")" up
  ovl umount "$T/merged"
}
