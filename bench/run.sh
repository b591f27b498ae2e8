#!/bin/bash
# Side-by-side benchmark of tong, crun and runc on one busybox bundle,
# interleaved (A B C, B C A, C A B ...), printing for each the median, the spread and
# the ratio to crun.  Run as root:
#
#   bench/run.sh [--runs N] [--exec-runs N] [--seccomp-runs N] [--v1-runs N]
#                [--parallel N] [--without-runc] [--state-in DIR] [TONG]
#
#   1. `run` of /bin/true, N containers in sequence (default 100), and the
#      split of create, start, wait (until stopped) and delete
#   2. `exec /bin/true` into a running container (default 50 times)
#   3. peak RSS of each kind of invocation (create, start, state, exec, delete,
#      run), binary size and the shared libraries each binary loads
#   4. the floor: unshare with the same namespaces, chroot, /bin/true; and
#      the bundle's static /bin/true started alone
#   5. N containers created in parallel (default 20), started, then deleted:
#      total time
#   6. `run` of /bin/true with a seccomp profile of the size of Docker's
#      default (SCMP_ACT_ERRNO by default, every system call of this host's
#      headers allowed but 45, six rules with argument conditions, three
#      architectures), N containers (default 50; 0 leaves it out)
#   7. `run` of /bin/true with memory, pids and cpu limits in cgroup v1
#      (this host's v1 hierarchies; in the benchmark's mount namespace the
#      host is a pure v1 one), every runtime managing its cgroups, N runs
#      (default 50; 0 leaves it out), ratios to runc
# The cgroup v2 limited comparison runs in the VM suite (bench/vm.sh).
#
# Each runtime keeps its state (--root) where it does by default: on a tmpfs
# (/run/tong, /run/crun, /run/runc; /run is a tmpfs on systemd hosts), here
# a tmpfs mounted for the benchmark alone.  --state-in DIR puts the state
# directories in DIR instead, to measure them on another filesystem: on an
# ext4 disk each container's state costs every runtime ~0.4 ms more.
#
# Times are wall times from bash's EPOCHREALTIME around each command (no
# fork for the clock), medians of the interleaved runs.
#
# crun 1.8 refuses hybrid cgroup hosts, so every runtime runs in a private
# mount namespace in which the cgroup v2 mount of a hybrid host is unmounted
# (the host's own mounts are untouched).  tong and crun run with
# --cgroup-manager disabled.  runc has no such switch: its containers get a
# relative cgroupsPath, which runc places below its own cgroup in every v1
# hierarchy, so that nothing leaves the cgroups the benchmark started in.
set -euo pipefail
[ -n "${BENCH_TRACE:-}" ] && set -x

RUNS=100
EXEC_RUNS=50
SECCOMP_RUNS=50
V1_RUNS=50
PARALLEL=20
WITH_RUNC=yes
STATE_IN=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --exec-runs) EXEC_RUNS=$2; shift 2 ;;
    --seccomp-runs) SECCOMP_RUNS=$2; shift 2 ;;
    --v1-runs) V1_RUNS=$2; shift 2 ;;
    --parallel) PARALLEL=$2; shift 2 ;;
    --without-runc) WITH_RUNC=no; shift ;;
    --state-in) STATE_IN=$2; shift 2 ;;
    -h | --help) sed -n '2,44s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "bench: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
TONG=${1:-$here/tong}
case $TONG in /*) ;; *) TONG=$(pwd)/$TONG ;; esac

if [ -z "${TONG_BENCH_INNER:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
  [ -n "${EPOCHREALTIME:-}" ] || { echo "bench: needs bash 5.0 or newer (EPOCHREALTIME)" >&2; exit 1; }
  need="crun jq busybox"
  [ "$WITH_RUNC" = yes ] && need="$need runc"
  for c in $need; do
    command -v "$c" >/dev/null || { echo "bench: $c not found (apt-get install crun runc jq busybox-static)" >&2; exit 1; }
  done
  [ -x /usr/bin/time ] || { echo "bench: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
  if [ -n "$STATE_IN" ]; then
    [ -d "$STATE_IN" ] || { echo "bench: --state-in $STATE_IN: not a directory" >&2; exit 1; }
    STATE_IN=$(cd "$STATE_IN" && pwd)
  fi
  exec unshare -m --propagation private env TONG_BENCH_INNER=1 "$0" --runs "$RUNS" \
    --exec-runs "$EXEC_RUNS" --seccomp-runs "$SECCOMP_RUNS" --v1-runs "$V1_RUNS" --parallel "$PARALLEL" \
    $([ "$WITH_RUNC" = no ] && echo --without-runc) ${STATE_IN:+--state-in "$STATE_IN"} "$TONG"
fi

if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  umount /sys/fs/cgroup/unified
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tong-bench.XXXXXX")
if [ -n "$STATE_IN" ]; then
  state=$(mktemp -d "$STATE_IN/tong-bench-state.XXXXXX")
else
  # private to this mount namespace: gone with it, whatever happens
  state=$work/state
  mkdir "$state"
  mount -t tmpfs -o mode=0700,size=64m tong-bench-state "$state"
fi
runtimes=(tong crun)
[ "$WITH_RUNC" = yes ] && runtimes+=(runc)

cleanup ()
{
  local r id
  for r in "${runtimes[@]}"; do
    for id in $($(cmd_of "$r") list -q 2>/dev/null); do
      $(cmd_of "$r") delete --force "$id" >/dev/null 2>&1 || true
    done
  done
  if [ -n "$STATE_IN" ]; then
    rm -rf "$state"
  else
    umount "$state" 2>/dev/null || true
  fi
  rm -rf "$work"
  # what runc left of its cgroups (they are empty once its containers are gone)
  find /sys/fs/cgroup -depth -type d -path '*/tong-bench*' -exec rmdir {} + 2>/dev/null || true
}
trap cleanup EXIT

echo "state directories: $state ($(stat -f -c %T "$state"))"
rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$work/template"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for a in sh true sleep; do ln -s busybox "$rootfs/bin/$a"; done
"$TONG" spec --bundle "$work/template"
# crun 1.8 knows runtime-spec versions up to 1.0.x
jq --arg root "$rootfs" '.ociVersion = "1.0.2-dev" | .process.terminal = false
    | .root.path = $root | del(.linux.resources)' \
  "$work/template/config.json" >"$work/spec.json"

# bundle RUNTIME ID ARGS...: a bundle for one container, printed.  Every
# container has a bundle of its own (one config.json, the rootfs shared), so
# that runc's may name a cgroup of its own: a relative cgroupsPath, which
# runc puts below its own cgroup in each v1 hierarchy (tong and crun, with
# cgroups disabled, ignore it).
bundle ()
{
  local b=$work/bundles/$1-$2 args
  shift 2
  args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  mkdir -p "$b"
  jq --arg cg "tong-bench/${b##*/}" --argjson args "$args" \
    '.linux.cgroupsPath = $cg | .process.args = $args' "$work/spec.json" >"$b/config.json"
  echo "$b"
}

# The profile of section 6: the system calls of this host's kernel headers.
seccomp_profile ()
{
  local h deny
  h=/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/asm/unistd_64.h
  deny="kexec_load kexec_file_load open_by_handle_at init_module finit_module delete_module iopl
    ioperm swapon swapoff syslog acct add_key request_key keyctl bpf userfaultfd perf_event_open
    ptrace process_vm_readv process_vm_writev quotactl reboot setns unshare mount umount2
    pivot_root settimeofday clock_settime uselib lookup_dcookie move_pages nfsservctl
    name_to_handle_at fsopen fsmount move_mount open_tree fspick fsconfig create_module
    get_kernel_syms query_module sysfs _sysctl personality clone clone3 socket"
  sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/\1/p' "$h" | grep -vxF -f <(printf '%s\n' $deny) |
    jq -R . | jq -s '{defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
      architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
      syscalls: [{names: ., action: "SCMP_ACT_ALLOW"},
        {names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: 0, op: "SCMP_CMP_EQ"}]},
        {names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: 8, op: "SCMP_CMP_EQ"}]},
        {names: ["personality"], action: "SCMP_ACT_ALLOW",
         args: [{index: 0, value: 4294967295, op: "SCMP_CMP_EQ"}]},
        {names: ["clone"], action: "SCMP_ACT_ALLOW",
         args: [{index: 0, value: 2114060288, op: "SCMP_CMP_MASKED_EQ"}]},
        {names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38},
        {names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: 40, op: "SCMP_CMP_NE"}]}]}'
}

cmd_of ()
{
  case $1 in
    tong) echo "$TONG --cgroup-manager disabled --root $state/tong" ;;
    crun) echo "crun --cgroup-manager=disabled --root $state/crun" ;;
    runc) echo "runc --root $state/runc" ;;
  esac
}

# shared_libs BINARY: how many shared libraries its loader maps (libc
# included); musl's loader lists them itself, glibc's ldd does not know it.
shared_libs ()
{
  local interp
  interp=$(readelf -l "$1" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(\/[^]]*\)\]/\1/p')
  case $interp in
    */ld-musl-*) "$interp" --list "$1" 2>/dev/null | grep -c '=>' ;;
    *) ldd "$1" | grep -c '=>' ;;
  esac
}

# now_us: bash's own clock, read without a fork.  $(date +%s%N) timed the
# fork of a subshell and the exec of date as well: ~1 ms on the two-core VM
# of docs/bench.md (0.97 ms around the builtin `:`), added to every figure
# alike, which pulled every ratio towards 1.
now_us () { echo "${EPOCHREALTIME//[.,]/}"; }

# stats FILE: median, min, max in ms
stats ()
{
  sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f %.2f %.2f\n", m/1e6, a[1]/1e6, a[NR]/1e6}'
}

# report TITLE RUNS [BASE]: a line per runtime with median, spread, ratio
# to BASE (crun)
report ()
{
  local title=$1 runs=$2 to=${3:-crun} base r med lo hi
  echo "== $title ($runs runs, interleaved)"
  base=$(stats "$work/$title.$to" | cut -d' ' -f1)
  for r in "${runtimes[@]}"; do
    [ -s "$work/$title.$r" ] || continue
    read -r med lo hi < <(stats "$work/$title.$r")
    printf "  %-6s median %7.2f ms  spread %.2f-%.2f ms  ratio to %s %.2f\n" "$r" "$med" "$lo" "$hi" \
      "$to" "$(awk -v a="$med" -v b="$base" 'BEGIN {print a / b}')"
  done
}

# timed FILE CMD...: run CMD, append its wall time in ns to FILE
timed ()
{
  local file=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  "$@" >/dev/null
  t1=$EPOCHREALTIME
  echo $(((${t1//[.,]/} - ${t0//[.,]/}) * 1000)) >>"$file"
}

# wait_stopped RUNTIME ID: poll `state` until the container has stopped
wait_stopped ()
{
  local c
  c=$(cmd_of "$1")
  while [ "$($c state "$2" 2>/dev/null | jq -r .status)" != stopped ]; do :; done
}

# in_turn I: the runtimes, rotated by I (tong crun runc, crun runc tong, runc
# tong crun, ...), so that each runs after each other as often and whatever
# one leaves the CPUs doing afterwards (runc's Go threads, say) falls on all
# alike.
in_turn ()
{
  local n=${#runtimes[@]} k
  for ((k = 0; k < n; k++)); do
    echo "${runtimes[($1 + k) % n]}"
  done
}

# 1. run /bin/true in sequence, then the same split into its steps
for i in $(seq "$RUNS"); do
  for r in $(in_turn "$i"); do
    b=$(bundle "$r" "r$i" /bin/true)
    timed "$work/run.$r" $(cmd_of "$r") run --bundle "$b" "r$i"
  done
done
report run "$RUNS"

for i in $(seq "$RUNS"); do
  for r in $(in_turn "$i"); do
    c=$(cmd_of "$r")
    b=$(bundle "$r" "s$i" /bin/true)
    timed "$work/create.$r" $c create --bundle "$b" "s$i" </dev/null
    timed "$work/start.$r" $c start "s$i"
    timed "$work/wait.$r" wait_stopped "$r" "s$i"
    timed "$work/delete.$r" $c delete "s$i"
  done
done
for step in create start wait delete; do
  report "$step" "$RUNS"
done

# 4. the floor: the same namespaces, chroot, /bin/true, no runtime
for i in $(seq "$RUNS"); do
  timed "$work/floor" unshare -m -p -u -i -n -C -f chroot "$rootfs" /bin/true
done
for i in $(seq "$RUNS"); do
  timed "$work/exec" "$rootfs/bin/true"
done
read -r med lo hi < <(stats "$work/exec")
printf "== floor (%d runs)\n  exec   median %7.2f ms  spread %.2f-%.2f ms  (the static /bin/true alone: fork, exec, wait)\n" \
  "$RUNS" "$med" "$lo" "$hi"
read -r med lo hi < <(stats "$work/floor")
printf "  floor  median %7.2f ms  spread %.2f-%.2f ms\n" "$med" "$lo" "$hi"
printf "  tong's run over the floor: %.2f\n" \
  "$(awk -v a="$(stats "$work/run.tong" | cut -d' ' -f1)" -v b="$med" 'BEGIN {print a / b}')"

# 2. exec /bin/true into a running container
for r in "${runtimes[@]}"; do
  $(cmd_of "$r") run -d --bundle "$(bundle "$r" e sleep 1000)" "e-$r" </dev/null >/dev/null
done
for i in $(seq "$EXEC_RUNS"); do
  for r in $(in_turn "$i"); do
    timed "$work/exec.$r" $(cmd_of "$r") exec "e-$r" /bin/true
  done
done
report exec "$EXEC_RUNS"

# 3. peak RSS of each kind of invocation, binary size, shared libraries
rss ()
{
  /usr/bin/time -o "$work/rss" -f %M "$@" >/dev/null 2>&1 </dev/null
  tail -n1 "$work/rss"
}
echo "== peak RSS (KB) of each invocation, binary size, shared libraries"
printf "  %-6s %7s %7s %7s %7s %7s %7s %9s %5s\n" "" create start state exec delete run "bytes" libs
for r in "${runtimes[@]}"; do
  c=$(cmd_of "$r")
  m_create=$(rss $c create --bundle "$(bundle "$r" m /bin/true)" "m-$r")
  m_state=$(rss $c state "m-$r")
  m_start=$(rss $c start "m-$r")
  wait_stopped "$r" "m-$r"
  m_delete=$(rss $c delete "m-$r")
  m_exec=$(rss $c exec "e-$r" /bin/true)
  m_run=$(rss $c run --bundle "$(bundle "$r" n /bin/true)" "n-$r")
  bin=$(command -v "${c%% *}")
  printf "  %-6s %7s %7s %7s %7s %7s %7s %9d %5d\n" "$r" "$m_create" "$m_start" "$m_state" "$m_exec" \
    "$m_delete" "$m_run" "$(stat -c %s "$bin")" "$(shared_libs "$bin")"
done
for r in "${runtimes[@]}"; do
  $(cmd_of "$r") delete --force "e-$r" >/dev/null 2>&1 || true
done
strip -o "$work/tong.stripped" "$TONG"
echo "  tong stripped: $(stat -c %s "$work/tong.stripped") bytes"
if readelf -l "$TONG" 2>/dev/null | grep -q 'interpreter: .*ld-musl'; then
  echo "  tong is built with musl (configure --with-musl)"
else
  echo "  tong is built with glibc"
fi

# 6. run with a seccomp profile of Docker's size
if [ "$SECCOMP_RUNS" -gt 0 ]; then
  seccomp_profile >"$work/seccomp.json"
  for i in $(seq "$SECCOMP_RUNS"); do
    for r in $(in_turn "$i"); do
      b=$(bundle "$r" "sc$i" /bin/true)
      jq --slurpfile p "$work/seccomp.json" '.linux.seccomp = $p[0]' "$b/config.json" >"$b/c.json"
      mv "$b/c.json" "$b/config.json"
      timed "$work/seccomp.$r" $(cmd_of "$r") run --bundle "$b" "sc$i"
    done
  done
  report seccomp "$SECCOMP_RUNS"
  echo "  ($(jq '[.syscalls[].names | length] | add' "$work/seccomp.json") system call names in" \
    "$(jq '.syscalls | length' "$work/seccomp.json") rules; tong compiles the program once" \
    "and keeps it in its state root)"
fi

# 7. run with cgroup v1 limits: every runtime manages its cgroups (a
#    relative cgroupsPath below the cgroups the benchmark started in)
cmd_v1_of ()
{
  case $1 in
    tong) echo "$TONG --root $state/tong" ;;
    crun) echo "crun --root $state/crun" ;;
    runc) echo "runc --root $state/runc" ;;
  esac
}
v1_bundle ()
{
  local b
  b=$(bundle "$1" "$2" /bin/true)
  jq '.linux.resources = {memory: {limit: 268435456}, pids: {limit: 1024},
      cpu: {shares: 512, quota: 100000, period: 100000}}' "$b/config.json" >"$b/c.json"
  mv "$b/c.json" "$b/config.json"
  echo "$b"
}
if [ "$V1_RUNS" -gt 0 ] && [ "$WITH_RUNC" = yes ] && [ "$(stat -f -c %T /sys/fs/cgroup/memory 2>/dev/null)" = cgroupfs ]; then
  # a runtime that cannot manage these cgroups is left out, saying why
  v1_runtimes=()
  for r in "${runtimes[@]}"; do
    if out=$($(cmd_v1_of "$r") run --bundle "$(v1_bundle "$r" v0)" v0 2>&1 </dev/null); then
      v1_runtimes+=("$r")
    else
      echo "  v1-limits: $r left out: $(tail -n1 <<<"$out")"
    fi
  done
  for i in $(seq "$V1_RUNS"); do
    for r in $(in_turn "$i"); do
      case " ${v1_runtimes[*]} " in *" $r "*) ;; *) continue ;; esac
      timed "$work/v1-limits.$r" $(cmd_v1_of "$r") run --bundle "$(v1_bundle "$r" "v$i")" "v$i"
    done
  done
  report v1-limits "$V1_RUNS" runc
else
  echo "== v1-limits: left out (no cgroup v1 memory hierarchy, runc left out, or --v1-runs 0)"
fi

# 5. PARALLEL containers created at once (runc: each its own cgroup), then
#    deleted; one round per runtime, in turn
echo "== $PARALLEL containers created in parallel, then deleted (total)"
for r in "${runtimes[@]}"; do
  c=$(cmd_of "$r")
  for i in $(seq "$PARALLEL"); do
    bundle "$r" "p$i" sleep 1000 >/dev/null
  done
  t0=$(now_us)
  for i in $(seq "$PARALLEL"); do
    $c create --bundle "$work/bundles/$r-p$i" "p$i" </dev/null >/dev/null &
  done
  wait
  t1=$(now_us)
  for i in $(seq "$PARALLEL"); do
    $c delete --force "p$i" >/dev/null &
  done
  wait
  t2=$(now_us)
  printf "  %-6s create %7.1f ms  delete %7.1f ms  total %7.1f ms\n" "$r" \
    "$(awk -v a=$((t1 - t0)) 'BEGIN {print a / 1e3}')" "$(awk -v a=$((t2 - t1)) 'BEGIN {print a / 1e3}')" \
    "$(awk -v a=$((t2 - t0)) 'BEGIN {print a / 1e3}')"
done
