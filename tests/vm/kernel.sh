#!/bin/bash
# tests/vm/kernel.sh: print the directory of an unpacked Debian cloud kernel
# (DIR/boot/vmlinuz-*, DIR/lib/modules/*), fetching it first if needed.
#
# The kernel is the one Debian's linux-image-cloud-amd64 metapackage depends
# on today (resolved with apt-cache, fetched with apt-get download, unpacked
# with dpkg-deb -x), so nothing here names a version that Debian retires.
# Cache: $TONG_VM_CACHE, or ${XDG_CACHE_HOME:-$HOME/.cache}/tong-vm; one
# directory per kernel package, filled under a lock and renamed into place, so
# concurrent runs share it safely.  When apt cannot resolve or fetch the
# package (no package lists, no network) the newest cached kernel is used.
#
# On failure: the reason on stderr, exit status 1.

set -u
export LC_ALL=C

CACHE=${TONG_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/tong-vm}
META=${TONG_VM_KERNEL_PACKAGE:-linux-image-cloud-amd64}

mkdir -p "$CACHE" || exit 1
exec 9>"$CACHE/.lock"
flock 9

# cached_kernel: the newest complete kernel directory in the cache.
cached_kernel ()
{
  local d
  for d in $(ls -d "$CACHE"/linux-image-* 2>/dev/null | sort -V -r); do
    if [ -f "$d/.complete" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# The versioned package the metapackage depends on (linux-image-6.1.0-N-cloud-amd64).
pkg=$(apt-cache depends "$META" 2>/dev/null |
  sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
if [ -z "$pkg" ]; then
  if d=$(cached_kernel); then
    echo "tests/vm/kernel.sh: apt-cache cannot resolve $META; using the cached ${d##*/}" >&2
    echo "$d"
    exit 0
  fi
  echo "apt-cache cannot resolve $META (run apt-get update?) and no kernel is cached in $CACHE" >&2
  exit 1
fi

dir=$CACHE/$pkg
if [ -f "$dir/.complete" ]; then
  echo "$dir"
  exit 0
fi

tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# apt-get download writes as the _apt user when it can, so let it.
chmod 755 "$tmp"
chown _apt "$tmp" 2>/dev/null || true
echo "tests/vm/kernel.sh: fetching $pkg into $CACHE" >&2
if ! (cd "$tmp" && apt-get download -q "$pkg" >download.log 2>&1); then
  cat "$tmp/download.log" >&2
  if d=$(cached_kernel); then
    echo "tests/vm/kernel.sh: cannot fetch $pkg; using the cached ${d##*/}" >&2
    echo "$d"
    exit 0
  fi
  echo "apt-get download $pkg failed and no kernel is cached in $CACHE" >&2
  exit 1
fi
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n1)
mkdir "$tmp/x"
if [ -z "$deb" ] || ! dpkg-deb -x "$deb" "$tmp/x"; then
  echo "cannot unpack $pkg (${deb:-no .deb downloaded})" >&2
  exit 1
fi
if ! ls "$tmp"/x/boot/vmlinuz-* >/dev/null 2>&1; then
  echo "$pkg holds no boot/vmlinuz-*" >&2
  exit 1
fi
touch "$tmp/x/.complete"
rm -rf "$dir"
mv "$tmp/x" "$dir" || exit 1
# Older kernels are not needed any more.
for d in "$CACHE"/linux-image-*; do
  [ "$d" = "$dir" ] || rm -rf "$d"
done
echo "$dir"
