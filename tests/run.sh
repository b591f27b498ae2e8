#!/bin/bash
# tong's test runner: the project's whole test command.
#
#   tests/run.sh [--build-dir DIR] [--keep] [--cases DIR [--name-prefix P]]
#                [FILTER...]
#
# Runs (1) every unit-test program tests/unit/test-* of the build directory,
# one test per `ok`/`not ok` line it prints, then (2) every test_* function of
# every tests/integration/*.sh file, each in its own bash process with a fresh
# temp dir ($T), its own --root ($ROOT) and a timeout.  After each integration
# test it checks for leftovers (live processes of the test's containers, mounts
# under $T, container state left in $ROOT), fails the test if it finds any and
# cleans them up.  Then (3) the VM suite (tests/vm/run.sh: cgroup v2 tests in
# a Debian kernel under qemu), whose tests are named vm/FILE/TEST, the
# systemd VM (tests/vm/systemd.sh: systemd as PID 1), named vm-systemd/FILE/TEST,
# and the cgroup v1 VM (tests/vm/v1.sh: a pure v1 host), named vm-v1/FILE/TEST.
#
# --cases DIR runs only the test_* functions of DIR/*.sh, the same way as (2),
# named P + FILE/TEST (this is how the VM suite runs inside the VM).
#
# A FILTER selects tests whose name (or file name, e.g. "lifecycle", or unit
# program name, or "vm") contains it; shell globs work too.
#
# Environment: TONG (binary under test; default BUILD_DIR/tong),
# TEST_TIMEOUT (seconds per test, default 60), TONG_TEST_TMPDIR (where temp
# dirs go, default $TMPDIR or /tmp), CONSOLE_RECEIVER, BUSYBOX; the VM
# suite's are described in tests/vm/run.sh.
#
# Output: `PASS name`, `FAIL name` (then the test's output, indented) or
# `SKIP name: reason`, and last `N passed, N failed[, N skipped]`.
# Exit status 0 iff nothing failed.

set -u
export LC_ALL=C

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(dirname "$TESTS_DIR")
BUILD_DIR=$SRC_DIR
KEEP=0
FILTERS=()

usage ()
{
  sed -n '2,30s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

CASES_DIR=
NAME_PREFIX=

while [ $# -gt 0 ]; do
  case $1 in
  --build-dir) BUILD_DIR=$2; shift 2 ;;
  --build-dir=*) BUILD_DIR=${1#*=}; shift ;;
  --keep) KEEP=1; shift ;;
  --cases) CASES_DIR=$2; shift 2 ;;
  --cases=*) CASES_DIR=${1#*=}; shift ;;
  --name-prefix) NAME_PREFIX=$2; shift 2 ;;
  --name-prefix=*) NAME_PREFIX=${1#*=}; shift ;;
  -h | --help) usage; exit 0 ;;
  --) shift; FILTERS+=("$@"); break ;;
  -*) echo "tests/run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  *) FILTERS+=("$1"); shift ;;
  esac
done

BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 2
TONG=${TONG:-$BUILD_DIR/tong}
case $TONG in /*) ;; */*) TONG=$(pwd)/$TONG ;; *) TONG=$(command -v "$TONG" || echo "$TONG") ;; esac
CONSOLE_RECEIVER=${CONSOLE_RECEIVER:-$BUILD_DIR/tests/tools/console-receiver}
TEST_TIMEOUT=${TEST_TIMEOUT:-60}
export TONG TESTS_DIR BUILD_DIR CONSOLE_RECEIVER

PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()

selected ()
{
  [ ${#FILTERS[@]} -eq 0 ] && return 0
  local f n
  for f in "${FILTERS[@]}"; do
    for n in "$@"; do
      # shellcheck disable=SC2053
      [[ $n == *$f* ]] && return 0
    done
  done
  return 1
}

indent ()
{
  sed 's/^/    /'
}

record_pass () { PASSED=$((PASSED + 1)); echo "PASS $1"; }
record_skip () { SKIPPED=$((SKIPPED + 1)); echo "SKIP $1: $2"; }
record_fail ()
{
  FAILED=$((FAILED + 1))
  FAILED_NAMES+=("$1")
  echo "FAIL $1"
}

# ------------------------------------------------------------------ unit tests

run_unit_tests ()
{
  local prog name log rc line nlines
  for prog in "$BUILD_DIR"/tests/unit/test-*; do
    if [ ! -f "$prog" ] || [ ! -x "$prog" ]; then continue; fi
    case $prog in *.c | *.o | *.h | *.sh) continue ;; esac
    name=${prog##*/}
    selected "$name" "unit/$name" || continue
    log=$(mktemp)
    rc=0
    (cd "$BUILD_DIR" && timeout -k 5 "$TEST_TIMEOUT" "$prog") >"$log" 2>&1 </dev/null || rc=$?
    nlines=0
    local bad=0
    while IFS= read -r line; do
      case $line in
      "not ok"*)
        nlines=$((nlines + 1)); bad=1
        line=${line#not ok}; line=${line# }; line=${line#[0-9]*[ ]}; line=${line#- }
        record_fail "$name: $line"
        ;;
      "ok"*)
        nlines=$((nlines + 1))
        line=${line#ok}; line=${line# }; line=${line#[0-9]*[ ]}; line=${line#- }
        record_pass "$name: $line"
        ;;
      esac
    done <"$log"
    if [ "$rc" -ne 0 ] && [ $bad -eq 0 ]; then
      if [ "$rc" -eq 124 ]; then
        record_fail "$name (timed out after ${TEST_TIMEOUT}s)"
      else
        record_fail "$name (exit status $rc)"
      fi
      bad=1
    elif [ $nlines -eq 0 ]; then
      record_pass "$name"
    fi
    [ $bad -eq 0 ] || indent <"$log"
    rm -f "$log"
  done
}

# ------------------------------------------------------------------ integration

# Why integration tests cannot run here, or nothing.
integration_blocker ()
{
  if [ "$(id -u)" -ne 0 ]; then
    echo "integration tests need root"
  elif ! command -v jq >/dev/null 2>&1; then
    echo "jq is not installed (apt-get install jq)"
  elif [ ! -x "${BUSYBOX:-/bin/busybox}" ] || ldd "${BUSYBOX:-/bin/busybox}" >/dev/null 2>&1; then
    echo "no static busybox at ${BUSYBOX:-/bin/busybox} (apt-get install busybox-static)"
  elif ! command -v timeout >/dev/null 2>&1; then
    echo "timeout (coreutils) is missing"
  fi
}

# test_functions FILE: the test_* functions a file defines, in file order.
test_functions ()
{
  grep -oE '^[[:space:]]*(function[[:space:]]+)?test_[A-Za-z0-9_]+[[:space:]]*\(\)' "$1" |
    sed -E 's/^[[:space:]]*(function[[:space:]]+)?//; s/[[:space:]]*\(\)$//'
}

# leftover_procs MARK: pids of live processes whose environment has the mark.
leftover_procs ()
{
  local f pid
  grep -lzx "TONG_TEST_MARK=$1" /proc/[0-9]*/environ 2>/dev/null | while read -r f; do
    pid=${f#/proc/}; pid=${pid%/environ}
    [ "$pid" != "$$" ] || continue
    echo "$pid"
  done
}

# mounts_under DIR: mount points at or under DIR in our mount namespace,
# deepest first.
mounts_under ()
{
  awk -v t="$1" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# check_leftovers NAME T ROOT MARK: print problems found; clean them up.
check_leftovers ()
{
  local t=$2 root=$3 mark=$4 d id pids i m
  # 1. container state left in --root: report, then force-delete.
  for d in "$root"/*; do
    [ -d "$d" ] || continue
    id=${d##*/}
    # tong's own records (net:leases, seccomp:cache): no container id has ':'.
    [[ $id != *:* ]] || continue
    echo "leftover: container state '$id' in --root (the test did not delete it)"
    "$TONG" --root "$root" delete --force "$id" >/dev/null 2>&1 ||
      "$TONG" --root "$root" kill "$id" KILL >/dev/null 2>&1
  done
  # 2. processes of the test's containers (and helpers) still alive.
  for ((i = 0; i < 30; i++)); do
    pids=$(leftover_procs "$mark")
    [ -n "$pids" ] || break
    sleep 0.1
  done
  if [ -n "$pids" ]; then
    for i in $pids; do
      echo "leftover: process $i still alive: $(tr '\0' ' ' <"/proc/$i/cmdline" 2>/dev/null)"
      kill -9 "$i" 2>/dev/null
    done
  fi
  # 3. mounts under the temp dir.
  for m in $(mounts_under "$t"); do
    echo "leftover: mount on $m"
    umount -l "$m" 2>/dev/null
  done
  # Container state dirs again (after the forced deletes), remove them.
  for d in "$root"/*; do
    [ -d "$d" ] || continue
    [[ ${d##*/} != *:* ]] || continue
    echo "leftover: could not delete container '${d##*/}' with --force"
    rm -rf "$d"
  done
}

WORK=
cleanup_work ()
{
  [ -n "$WORK" ] && [ -d "$WORK" ] || return 0
  if [ -z "$(mounts_under "$WORK")" ]; then
    rm -rf "$WORK"
  else
    echo "tests/run.sh: mounts remain under $WORK; not removing it" >&2
  fi
}

run_one_test ()
{
  local file=$1 fn=$2 area=$3 n=$4 name=${5:-$2}
  local t="$WORK/$n-$fn" rc=0 problems status reason
  local mark="tong-test-$$-$n-$RANDOM"
  mkdir -p "$t/state"
  chmod 755 "$t"
  local start=$SECONDS
  (
    cd "$t" || exit 1
    export T="$t" ROOT="$t/state" TONG_TEST_MARK="$mark"
    exec timeout -k 5 "$TEST_TIMEOUT" bash -c '
      source "$TESTS_DIR/lib.sh" || exit 1
      source "$1" || exit 1
      trap _run_on_exit EXIT
      # Log each command of the test function itself (not of the helpers).
      declare -ft "$2"
      _TF=${1##*/}
      trap '\''[[ ${FUNCNAME[0]:-} != test_* || $BASH_COMMAND == "\"\$2\"" || $LINENO == 1 ]] || printf "+ %s:%s: %s\n" "$_TF" "$LINENO" "$BASH_COMMAND" >&2'\'' DEBUG
      set -eE -o pipefail
      "$2"
    ' tong-test "$file" "$fn"
  ) >"$t/.log" 2>&1 </dev/null || rc=$?
  local secs=$((SECONDS - start))
  problems=$(check_leftovers "$fn" "$t" "$t/state" "$mark")
  status=pass
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    status=fail
    echo "test timed out after ${TEST_TIMEOUT}s" >>"$t/.log"
  elif [ $rc -ne 0 ]; then
    status=fail
    echo "test exited with status $rc" >>"$t/.log"
  elif [ -f "$t/.skip" ]; then
    status=skip
    reason=$(head -n1 "$t/.skip")
  fi
  if [ -n "$problems" ]; then
    [ $status = skip ] && status=fail
    if [ $status = pass ]; then
      status=fail
    fi
    printf '%s\n' "$problems" >>"$t/.log"
  fi
  case $status in
  pass) record_pass "$name" ;;
  skip) record_skip "$name" "$reason" ;;
  fail)
    record_fail "$name"
    {
      local lines
      lines=$(wc -l <"$t/.log")
      if [ "$lines" -gt 120 ]; then
        echo "... ($((lines - 120)) earlier lines of output omitted; ${secs}s)"
        tail -n 120 "$t/.log"
      else
        cat "$t/.log"
      fi
    } | indent
    ;;
  esac
  if [ $KEEP -eq 0 ] && [ -z "$(mounts_under "$t")" ]; then
    rm -rf "$t"
  fi
}

run_integration_tests ()
{
  local files=() f fn area blocker n=0 tests name
  for f in "${CASES_DIR:-$TESTS_DIR/integration}"/*.sh; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  blocker=$(integration_blocker)
  if [ -z "$blocker" ] && [ ! -x "$TONG" ]; then
    # Count it once: without the binary nothing else means anything.
    record_fail "integration: the binary under test $TONG does not exist (build it with make, or set TONG)"
    return 0
  fi
  if [ -z "$blocker" ]; then
    WORK=$(mktemp -d "${TONG_TEST_TMPDIR:-${TMPDIR:-/tmp}}/tong-tests.XXXXXX") || exit 2
    chmod 755 "$WORK"
    trap 'cleanup_work' EXIT
    trap 'exit 130' INT TERM
    # One busybox rootfs for the whole run; make_bundle copies it.
    TONG_TEST_ROOTFS=$WORK/rootfs
    (source "$TESTS_DIR/lib.sh" && _make_rootfs "$TONG_TEST_ROOTFS") ||
      { echo "tests/run.sh: cannot build the test rootfs" >&2; exit 2; }
    export TONG_TEST_ROOTFS
  fi
  for f in "${files[@]}"; do
    area=${f##*/}
    area=${area%.sh}
    tests=$(test_functions "$f")
    for fn in $tests; do
      if [ -n "$CASES_DIR" ]; then
        name=$NAME_PREFIX$area/$fn
        selected "$name" || continue
      else
        name=$fn
        selected "$fn" "$area/$fn" "integration" || continue
      fi
      if [ -n "$blocker" ]; then
        record_skip "$name" "$blocker"
        continue
      fi
      n=$((n + 1))
      run_one_test "$f" "$fn" "$area" "$n" "$name"
    done
  done
}

# ------------------------------------------------------------------ VM suite

# The VM suite (tests/vm/run.sh) runs when no FILTER is given or one of them
# selects one of its tests (vm/FILE/TEST); its result lines join ours.  The
# same for the systemd VM (tests/vm/systemd.sh, vm-systemd/FILE/TEST) and the
# cgroup v1 VM (tests/vm/v1.sh, vm-v1/FILE/TEST): run_vm_tests SCRIPT CASES
# PREFIX.
run_vm_tests ()
{
  local script=${1:-run.sh} cases=${2:-cases} prefix=${3:-vm}
  local f fn area want=0 line rc=0 failed_before=$FAILED
  [ -f "$TESTS_DIR/vm/$script" ] || return 0
  if [ ${#FILTERS[@]} -eq 0 ]; then
    want=1
  else
    for f in "$TESTS_DIR/vm/$cases"/*.sh; do
      [ -f "$f" ] || continue
      area=${f##*/}
      area=${area%.sh}
      for fn in $(test_functions "$f"); do
        selected "$prefix/$area/$fn" && want=1
      done
    done
  fi
  [ $want -eq 1 ] || return 0
  [ $KEEP -eq 0 ] || export TONG_VM_KEEP=1
  # tests/vm/run.sh prints our format and reports a VM that cannot run as
  # one SKIP or FAIL, so its lines are counted as they come.
  while IFS= read -r line; do
    case $line in
    "PASS "*) record_pass "${line#PASS }" ;;
    "SKIP "*) line=${line#SKIP }; record_skip "${line%%: *}" "${line#*: }" ;;
    "FAIL "*) record_fail "${line#FAIL }" ;;
    "tong-vm-exit "*) rc=${line#tong-vm-exit } ;;
    [0-9]*" passed, "*" failed"*) ;;
    *) printf '%s\n' "$line" ;;
    esac
  done < <(bash "$TESTS_DIR/vm/$script" --build-dir "$BUILD_DIR" "${FILTERS[@]}" 2>&1; echo "tong-vm-exit $?")
  if [ "$rc" -ne 0 ] && [ $FAILED -eq "$failed_before" ]; then
    record_fail "$prefix (tests/vm/$script exited with status $rc)"
  fi
}

if [ -n "$CASES_DIR" ]; then
  [ -d "$CASES_DIR" ] || { echo "tests/run.sh: no directory $CASES_DIR" >&2; exit 2; }
  CASES_DIR=$(cd "$CASES_DIR" && pwd)
  run_integration_tests
else
  run_unit_tests
  run_integration_tests
  run_vm_tests
  run_vm_tests systemd.sh systemd-cases vm-systemd
  run_vm_tests v1.sh v1-cases vm-v1
fi

if [ $FAILED -gt 0 ]; then
  echo
  echo "failed:"
  printf '  %s\n' "${FAILED_NAMES[@]}"
fi
total=$((PASSED + FAILED + SKIPPED))
if [ $SKIPPED -gt 0 ]; then
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
  echo "$PASSED passed, $FAILED failed"
fi
[ $FAILED -eq 0 ] && [ $total -gt 0 ]
