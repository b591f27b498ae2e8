#!/bin/bash
# The cgroup-limited benchmark: `run` of /bin/true with memory, pids and cpu
# limits, tong against crun, in the VM of the VM test suite (Debian's kernel
# under qemu, a pure cgroup v2 hierarchy with every controller enabled; see
# docs/testing.md), printing medians, spreads and the ratio to crun:
#
#   bench/vm.sh [--runs N] [--build-dir DIR]
#
# The VM is TCG-emulated: its times are many times the host's, and only the
# ratio means much.  Needs what tests/vm/run.sh needs (qemu-system-x86,
# busybox-static, jq, the cached kernel) and crun on the host: the VM gets
# the host's crun with its libraries (TONG_VM_TOOLS).  The case itself is
# bench/vm-cases/cgroups.sh.
set -euo pipefail

RUNS=20
BUILD_DIR=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    -h | --help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench/vm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$here}
command -v crun >/dev/null || { echo "bench/vm.sh: crun not found (apt-get install crun)" >&2; exit 1; }
case $RUNS in '' | *[!0-9]*) echo "bench/vm.sh: --runs wants a number" >&2; exit 2 ;; esac

cases=$(mktemp -d "${TMPDIR:-/tmp}/tong-bench-vm.XXXXXX")
trap 'rm -rf "$cases"' EXIT
{
  echo "BENCH_RUNS=$RUNS"
  cat "$here/bench/vm-cases/cgroups.sh"
} >"$cases/cgroups.sh"

# TCG: a run takes tens of milliseconds there; give the test room.
TONG_VM_TOOLS="crun ${TONG_VM_TOOLS:-}" TONG_VM_TEST_TIMEOUT=$((120 + RUNS * 6)) \
  "$here/tests/vm/run.sh" --build-dir "$BUILD_DIR" --cases "$cases"
