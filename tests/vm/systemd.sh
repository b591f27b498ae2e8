#!/bin/bash
# tong's systemd cgroup driver tests, against a real systemd as PID 1.
#
#   tests/vm/systemd.sh [--build-dir DIR] [--cases DIR] [FILTER...]
#
# Boots the VM of tests/vm/run.sh (Debian's cloud kernel from
# tests/vm/kernel.sh under qemu TCG, the initramfs of tests/vm/mkinitramfs.sh)
# with the host's systemd 252 and dbus-daemon added to the initramfs: the
# cloud kernel has no 9p (CONFIG_9P_FS is off), so the host's root cannot be
# shared; the few files systemd needs are copied instead (see
# docs/systemd.md).  tests/vm/systemd-init replaces the initramfs' /init: it
# copies the root to a tmpfs and switch_roots to /lib/systemd/systemd, which
# boots tong-tests.target only: dbus.socket, dbus.service and
# tong-tests.service (tests/vm/systemd-root/), which runs the case files of
# DIR (default tests/vm/systemd-cases) with tests/run.sh and powers off.
#
# Output as tests/vm/run.sh: `vm: ...` facts and timings, `PASS
# vm-systemd/FILE/TEST`, `FAIL ...` with indented output, `SKIP ...: reason`,
# last `N passed, N failed[, N skipped]`; exit status 0 iff nothing failed.
# Environment as tests/vm/run.sh (TONG, TONG_VM_CACHE, TONG_VM_TIMEOUT,
# TONG_VM_TEST_TIMEOUT, TONG_VM_MEMORY, TONG_VM_SMP, TONG_VM_ACCEL,
# TONG_VM_KEEP, BUSYBOX).

set -u
export LC_ALL=C

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=$(dirname "$(dirname "$VM_DIR")")
CASES_DIR=$VM_DIR/systemd-cases
FILTERS=()

while [ $# -gt 0 ]; do
  case $1 in
  --build-dir) BUILD_DIR=$2; shift 2 ;;
  --cases) CASES_DIR=$2; shift 2 ;;
  -h | --help) sed -n '2,23s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
  -*) echo "tests/vm/systemd.sh: unknown option $1" >&2; exit 2 ;;
  *) FILTERS+=("$1"); shift ;;
  esac
done
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 2
CASES_DIR=$(cd "$CASES_DIR" && pwd) || exit 2
TONG=${TONG:-$BUILD_DIR/tong}
TIMEOUT=${TONG_VM_TIMEOUT:-840}
PASSED=0 FAILED=0 SKIPPED=0 START=$SECONDS

finish ()
{
  if [ $SKIPPED -gt 0 ]; then
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
  else
    echo "$PASSED passed, $FAILED failed"
  fi
  [ $FAILED -eq 0 ]
  exit
}

skip_all () { echo "SKIP vm-systemd: $*"; SKIPPED=$((SKIPPED + 1)); finish; }
fail_all () { echo "FAIL vm-systemd: $*"; FAILED=$((FAILED + 1)); finish; }

# No VM when the filters select no test.
if [ ${#FILTERS[@]} -gt 0 ]; then
  any=
  for f in "$CASES_DIR"/*.sh; do
    area=${f##*/}
    for fn in $(sed -n 's/^\(test_[A-Za-z0-9_]*\) *().*/\1/p' "$f"); do
      for flt in "${FILTERS[@]}"; do
        [[ vm-systemd/${area%.sh}/$fn == *$flt* ]] && any=1
      done
    done
  done
  [ -n "$any" ] || finish
fi

for p in qemu-system-x86_64:qemu-system-x86 cpio:cpio dpkg-deb:dpkg jq:jq dbus-daemon:dbus \
  systemctl:systemd busctl:systemd; do
  command -v "${p%%:*}" >/dev/null 2>&1 || skip_all "${p%%:*} is not installed (apt-get install ${p#*:})"
done
[ -x /lib/systemd/systemd ] || skip_all "no /lib/systemd/systemd (apt-get install systemd)"
LIBSYSTEMD=$(ldconfig -p | awk '$1 == "libsystemd.so.0" && /x86-64/ { print $NF; exit }')
[ -n "$LIBSYSTEMD" ] || skip_all "no libsystemd.so.0 (apt-get install libsystemd0)"
[ -x "$TONG" ] || fail_all "the binary under test $TONG does not exist (build it with make, or set TONG)"

# shellcheck source=tests/vm/boot.sh
. "$VM_DIR/boot.sh"
vm_kernel || skip_all "no kernel: $VM_NO_KERNEL"
vm_workdir tong-vm-systemd

mkdir "$WORK/conf"
echo "TEST_TIMEOUT=${TONG_VM_TEST_TIMEOUT:-120}" >"$WORK/conf/vm.conf"
[ ${#FILTERS[@]} -eq 0 ] || printf '%s\n' "${FILTERS[@]}" >"$WORK/conf/filters"
if ! TONG=$TONG TONG_VM_MODULES="overlay" TONG_VM_TOOLS="systemctl busctl" \
  "$VM_DIR/mkinitramfs.sh" "$WORK/base.cpio" "$BUILD_DIR" "$CASES_DIR" "$KERNEL_DIR" \
  "$WORK/conf" >"$WORK/mkinitramfs.log" 2>&1; then
  sed 's/^/    /' "$WORK/mkinitramfs.log"
  fail_all "cannot build the initramfs"
fi

# The second archive, unpacked over the first by the kernel: systemd,
# dbus-daemon, libsystemd.so.0 (tong dlopens it), the units and the init.
stage=$WORK/systemd-stage
mkdir -p "$stage"
add_file ()
{
  mkdir -p "$stage$(dirname "$2")"
  cp -L "$1" "$stage$2"
  local lib
  for lib in $(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
    [ -e "$stage$lib" ] && continue
    mkdir -p "$stage$(dirname "$lib")"
    cp -L "$lib" "$stage$lib"
  done
}
add_file /lib/systemd/systemd /lib/systemd/systemd
add_file "$(command -v dbus-daemon)" /usr/bin/dbus-daemon
add_file "$LIBSYSTEMD" "$LIBSYSTEMD"
cp -a "$VM_DIR/systemd-root/." "$stage/"
cp "$VM_DIR/systemd-init" "$stage/init"
chmod 755 "$stage/init"
mkdir -p "$stage/etc" "$stage/run/dbus"
: >"$stage/etc/machine-id"
printf '%s\n' 'NAME="tong test VM"' 'ID=tong-vm' >"$stage/etc/os-release"
(cd "$stage" && find . -mindepth 1 | sort | cpio -o -H newc --quiet -R 0:0) >"$WORK/systemd.cpio" ||
  fail_all "cannot archive the systemd files"
cat "$WORK/base.cpio" "$WORK/systemd.cpio" >"$WORK/initramfs.cpio"
echo "vm: initramfs $(du -m "$WORK/initramfs.cpio" | cut -f1) MiB (systemd part $(du -m "$WORK/systemd.cpio" | cut -f1) MiB)"

vm_boot vm-systemd systemd systemd.unit=tong-tests.target systemd.unified_cgroup_hierarchy=1 \
  systemd.show_status=0 systemd.log_target=console
finish
