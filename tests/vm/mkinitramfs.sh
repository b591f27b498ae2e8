#!/bin/bash
# tests/vm/mkinitramfs.sh OUT BUILD_DIR CASES_DIR KERNEL_DIR [CONF_DIR]
#
# Writes OUT, an uncompressed cpio (newc) initramfs for the test VM:
#   /init                      tests/vm/init
#   /bin                       busybox-static (the init links its applets)
#   /usr/bin                   bash, jq and a few host tools whose exact
#                              behaviour tests rely on (GNU stat, timeout, procps),
#                              with every shared library ldd lists and the loader
#   /tong-tests/tong           BUILD_DIR's tong (and its test tools; a musl build's
#                              tong-full and libseccomp.so.2 beside it)
#   /tong-tests/tests          tests/run.sh and tests/lib.sh
#   /tong-tests/cases          CASES_DIR/*.sh
#   /tong-tests/*              CONF_DIR's files (vm.conf, filters)
#   /modules                   the modules of KERNEL_DIR named in TONG_VM_MODULES
#
# Environment: BUSYBOX (default /bin/busybox), TONG (default BUILD_DIR/tong),
# TONG_VM_MODULES (default "overlay veth"), TONG_VM_TOOLS (host programs to
# add to the default list).

set -euo pipefail
export LC_ALL=C

out=$1 build=$2 cases=$3 kernel=$4 conf=${5:-}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTS_DIR=$(dirname "$VM_DIR")
BUSYBOX=${BUSYBOX:-/bin/busybox}
TONG=${TONG:-$build/tong}
MODULES=${TONG_VM_MODULES:-overlay veth}
TOOLS="bash jq stat timeout ps pgrep pkill ${TONG_VM_TOOLS:-}"
# Optional: the VM's kernel has AppArmor, the tests load a profile with it.
if command -v apparmor_parser >/dev/null 2>&1; then
  TOOLS="$TOOLS apparmor_parser"
fi

die () { echo "tests/vm/mkinitramfs.sh: $*" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/tong-vm-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# add_libs BINARY: copy the shared libraries (and loader) BINARY needs.
add_libs ()
{
  local lib interp
  # glibc's ldd knows nothing of musl's loader, which is musl's libc.so too.
  interp=$(readelf -l "$1" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(\/[^]]*\)\]/\1/p')
  # ldd fails on a static binary: nothing to copy then.
  for lib in $interp $(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
    [ -e "$stage$lib" ] && continue
    mkdir -p "$stage$(dirname "$lib")"
    cp -L "$lib" "$stage$lib"
  done
}

# add_program SRC DEST: copy a program and its libraries.
add_program ()
{
  mkdir -p "$stage$(dirname "$2")"
  cp -L "$1" "$stage$2"
  add_libs "$1"
}

mkdir -p "$stage"/{bin,usr/bin,proc,sys,dev,tmp,run,root,etc,modules}
mkdir -p "$stage"/tong-tests/{tests/tools,cases} "$stage"/sys/fs/cgroup
chmod 1777 "$stage/tmp"

[ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX (apt-get install busybox-static)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then die "$BUSYBOX is not static (apt-get install busybox-static)"; fi
cp "$BUSYBOX" "$stage/bin/busybox"
# The init makes the applet links (one process there, ~400 here).
ln -s bin "$stage/sbin"
for t in $TOOLS; do
  p=$(command -v "$t") || die "$t is not installed on this host"
  add_program "$p" "/usr/bin/$t"
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
  >"$stage/etc/passwd"
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$stage/etc/group"

[ -x "$TONG" ] || die "no tong binary at $TONG (build it with make)"
add_program "$TONG" /tong-tests/tong
# The musl build's private files (src/self/twin.h), found beside it.
tong_dir=$(dirname "$TONG")
[ ! -x "$tong_dir/tong-full" ] || add_program "$tong_dir/tong-full" /tong-tests/tong-full
[ ! -f "$tong_dir/libseccomp.so.2" ] || cp "$tong_dir/libseccomp.so.2" "$stage/tong-tests/"
for t in console-receiver seccomp-listener exe-probe no-clone3 swap-names; do
  [ -x "$build/tests/tools/$t" ] && add_program "$build/tests/tools/$t" "/tong-tests/tests/tools/$t"
done
cp "$TESTS_DIR/run.sh" "$TESTS_DIR/lib.sh" "$stage/tong-tests/tests/"
cp "$cases"/*.sh "$stage/tong-tests/cases/" 2>/dev/null || die "no case files in $cases"
[ -z "$conf" ] || cp "$conf"/* "$stage/tong-tests/"

for m in $MODULES; do
  ko=$(find "$kernel/lib/modules" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" 2>/dev/null | head -n1)
  case $ko in
  "") echo "tests/vm/mkinitramfs.sh: kernel module $m not found (built in?)" >&2 ;;
  *.ko) cp "$ko" "$stage/modules/" ;;
  *.xz) xz -dc "$ko" >"$stage/modules/$m.ko" ;;
  *.zst) zstd -qdc "$ko" >"$stage/modules/$m.ko" ;;
  esac
done

cp "$VM_DIR/init" "$stage/init"
chmod 755 "$stage/init"
# The kernel opens /dev/console for init before anything is mounted.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true

(cd "$stage" && find . -mindepth 1 | sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
mv "$out.tmp" "$out"
