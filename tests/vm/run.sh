#!/bin/bash
# tong's VM suite: cgroup tests in a real Debian kernel under qemu.
#
#   tests/vm/run.sh [--build-dir DIR] [--cgroup v2|v1] [--cases DIR]
#                   [--name NAME] [FILTER...]
#
# Boots Debian's current cloud kernel (tests/vm/kernel.sh fetches and caches
# it) under qemu-system-x86_64 with TCG and an initramfs
# (tests/vm/mkinitramfs.sh) holding busybox, bash, jq, DIR's tong and the case
# files; its init (tests/vm/init) mounts cgroup2 at /sys/fs/cgroup, enables
# every controller and runs the cases with tests/run.sh --cases.  With
# --cgroup v1 the same kernel boots as a pure cgroup v1 host instead (no
# cgroup2 anywhere; tests/vm/v1.sh is that run).  Case files
# are written exactly like tests/integration/*.sh (test_* functions, the
# helpers of tests/lib.sh, each test in its own bash process).
#
# --build-dir DIR  where tong was built (default: the source tree)
# --cgroup MODE    v2 (default): cgroup2 at /sys/fs/cgroup; v1: a tmpfs there
#                  with one v1 hierarchy per controller of /proc/cgroups
#                  (cpu,cpuacct and net_cls,net_prio co-mounted, with
#                  symlinks) and name=systemd at /sys/fs/cgroup/systemd
# --cases DIR      the case files (default: tests/vm/cases; v1:
#                  tests/vm/v1-cases)
# --name NAME      the results' prefix (default: vm; v1: vm-v1)
# FILTER           run only the tests whose name NAME/FILE/TEST contains it
#
# Output: the VM's facts and timings as `vm: ...` lines, each test as
# `PASS NAME/FILE/TEST`, `FAIL NAME/FILE/TEST` (with its output indented) or
# `SKIP NAME/FILE/TEST: reason`, last `N passed, N failed[, N skipped]`.  A VM
# that cannot run here (no qemu, no kernel package) is one `SKIP NAME: reason`;
# a VM that panics or does not finish in time is a `FAIL NAME ...`.  Exit
# status 0 iff nothing failed.
#
# Environment: TONG (default DIR/tong), TONG_VM_CACHE (kernel cache, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/tong-vm), TONG_VM_TIMEOUT (seconds for the
# whole VM run, default 840), TONG_VM_TEST_TIMEOUT (seconds per test inside,
# default 120), TONG_VM_BOOT_TIMEOUT (seconds for the VM to reach init,
# default 120; a boot that stalls before is tried once more),
# TONG_VM_MEMORY (default 1G), TONG_VM_SMP (default 2),
# TONG_VM_ACCEL (default tcg), TONG_VM_MODULES (modules to load, default
# "overlay veth"; v1 adds bfq, whose blkio.bfq.weight is v1's only weight
# file on this kernel), TONG_VM_TOOLS (more host programs to copy in),
# TONG_VM_KEEP=1 (keep the work directory with the logs), BUSYBOX.

set -u
export LC_ALL=C

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTS_DIR=$(dirname "$VM_DIR")
BUILD_DIR=$(dirname "$TESTS_DIR")
CASES_DIR=
CGROUP=v2
NAME=
FILTERS=()

usage ()
{
  sed -n '2,43s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
  case $1 in
  --build-dir) BUILD_DIR=$2; shift 2 ;;
  --build-dir=*) BUILD_DIR=${1#*=}; shift ;;
  --cases) CASES_DIR=$2; shift 2 ;;
  --cases=*) CASES_DIR=${1#*=}; shift ;;
  --cgroup) CGROUP=$2; shift 2 ;;
  --cgroup=*) CGROUP=${1#*=}; shift ;;
  --name) NAME=$2; shift 2 ;;
  --name=*) NAME=${1#*=}; shift ;;
  -h | --help) usage; exit 0 ;;
  --) shift; FILTERS+=("$@"); break ;;
  -*) echo "tests/vm/run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  *) FILTERS+=("$1"); shift ;;
  esac
done

case $CGROUP in
v2) : "${CASES_DIR:=$VM_DIR/cases}" "${NAME:=vm}" ;;
v1)
  : "${CASES_DIR:=$VM_DIR/v1-cases}" "${NAME:=vm-v1}"
  : "${TONG_VM_MODULES:=overlay veth bfq}"
  export TONG_VM_MODULES
  ;;
*) echo "tests/vm/run.sh: --cgroup is v2 or v1, not $CGROUP" >&2; exit 2 ;;
esac
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 2
CASES_DIR=$(cd "$CASES_DIR" && pwd) || exit 2
TONG=${TONG:-$BUILD_DIR/tong}
TIMEOUT=${TONG_VM_TIMEOUT:-840}

PASSED=0
FAILED=0
SKIPPED=0
START=$SECONDS

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

selected ()
{
  [ ${#FILTERS[@]} -eq 0 ] && return 0
  local f
  for f in "${FILTERS[@]}"; do
    # shellcheck disable=SC2053
    [[ $1 == *$f* ]] && return 0
  done
  return 1
}

# Which tests the filters select: no VM at all when there are none.
nsel=0
for f in "$CASES_DIR"/*.sh; do
  [ -f "$f" ] || continue
  area=${f##*/}
  area=${area%.sh}
  for fn in $(grep -oE '^[[:space:]]*(function[[:space:]]+)?test_[A-Za-z0-9_]+[[:space:]]*\(\)' "$f" |
    sed -E 's/^[[:space:]]*(function[[:space:]]+)?//; s/[[:space:]]*\(\)$//'); do
    selected "$NAME/$area/$fn" && nsel=$((nsel + 1))
  done
done
[ $nsel -gt 0 ] || finish

# Why the VM cannot run here, or nothing.
vm_blocker ()
{
  local p
  for p in qemu-system-x86_64:qemu-system-x86 cpio:cpio apt-get:apt dpkg-deb:dpkg; do
    if ! command -v "${p%%:*}" >/dev/null 2>&1; then
      echo "${p%%:*} is not installed (apt-get install ${p#*:})"
      return
    fi
  done
  if [ ! -x "${BUSYBOX:-/bin/busybox}" ] || ldd "${BUSYBOX:-/bin/busybox}" >/dev/null 2>&1; then
    echo "no static busybox at ${BUSYBOX:-/bin/busybox} (apt-get install busybox-static)"
  elif ! command -v jq >/dev/null 2>&1; then
    echo "jq is not installed (apt-get install jq)"
  fi
}

blocker=$(vm_blocker)
if [ -n "$blocker" ]; then
  echo "SKIP $NAME: $blocker"
  SKIPPED=$((SKIPPED + 1))
  finish
fi
if [ ! -x "$TONG" ]; then
  echo "FAIL $NAME: the binary under test $TONG does not exist (build it with make, or set TONG)"
  FAILED=$((FAILED + 1))
  finish
fi

# shellcheck source=tests/vm/boot.sh
. "$VM_DIR/boot.sh"
if ! vm_kernel; then
  echo "SKIP $NAME: no kernel: $VM_NO_KERNEL"
  SKIPPED=$((SKIPPED + 1))
  finish
fi
vm_workdir "tong-$NAME"

mkdir "$WORK/conf"
printf '%s\n' "TEST_TIMEOUT=${TONG_VM_TEST_TIMEOUT:-120}" "CGROUP=$CGROUP" "NAME_PREFIX=$NAME/" \
  >"$WORK/conf/vm.conf"
if [ ${#FILTERS[@]} -gt 0 ]; then
  printf '%s\n' "${FILTERS[@]}" >"$WORK/conf/filters"
fi
if ! TONG=$TONG "$VM_DIR/mkinitramfs.sh" "$WORK/initramfs.cpio" "$BUILD_DIR" "$CASES_DIR" \
  "$KERNEL_DIR" "$WORK/conf" >"$WORK/mkinitramfs.log" 2>&1; then
  echo "FAIL $NAME: cannot build the initramfs"
  sed 's/^/    /' "$WORK/mkinitramfs.log"
  FAILED=$((FAILED + 1))
  finish
fi
sed 's/^/vm: /' "$WORK/mkinitramfs.log"

vm_boot "$NAME" init
finish
