#!/bin/bash
# Side-by-side benchmark of tong against crun (and runc with --with-runc) on
# one busybox bundle, interleaved (A B A B ...), printing median, spread and
# the ratio to crun.  Run as root:  bench/run.sh [--runs N] [--with-runc] [TONG]
#
# crun 1.8 refuses hybrid cgroup hosts, so every runtime runs in a private
# mount namespace in which the cgroup v2 mount of a hybrid host is unmounted
# (the host's own mounts are untouched), and without cgroups: crun and tong
# with --cgroup-manager disabled.  runc has no such switch and would create
# cgroup v1 groups on a hybrid host, moving the container's processes out of
# the host's v1 cgroups; it only runs when asked with --with-runc.
set -euo pipefail
[ -n "${BENCH_TRACE:-}" ] && set -x

RUNS=30
WITH_RUNC=no
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --with-runc) WITH_RUNC=yes; shift ;;
    *) break ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
TONG=${1:-$here/tong}

if [ -z "${TONG_BENCH_INNER:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
  for c in crun jq busybox; do
    command -v "$c" >/dev/null || { echo "bench: $c not found (apt-get install crun jq busybox-static)" >&2; exit 1; }
  done
  exec unshare -m --propagation private env TONG_BENCH_INNER=1 "$0" --runs "$RUNS" \
    $([ "$WITH_RUNC" = yes ] && echo --with-runc) "$TONG"
fi

if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  umount /sys/fs/cgroup/unified
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tong-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin"
cp "$(command -v busybox)" "$bundle/rootfs/bin/busybox"
for a in sh true sleep; do ln -s busybox "$bundle/rootfs/bin/$a"; done
"$TONG" spec --bundle "$bundle"
# crun 1.8 knows runtime-spec versions up to 1.0.x
jq '.ociVersion = "1.0.2-dev" | .process.terminal = false | .process.args = ["/bin/true"]
    | del(.linux.resources)' "$bundle/config.json" > "$work/c" && mv "$work/c" "$bundle/config.json"

runtimes=(tong crun)
[ "$WITH_RUNC" = yes ] && runtimes+=(runc)
cmd_of ()
{
  case $1 in
    tong) echo "$TONG --cgroup-manager disabled --root $work/state-tong" ;;
    crun) echo "crun --cgroup-manager=disabled --root $work/state-crun" ;;
    runc) echo "runc --root $work/state-runc" ;;
  esac
}

now_ns () { date +%s%N; }

# stats FILE: median, min-max spread, in ms
stats ()
{
  sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f %.2f %.2f\n", m/1e6, a[1]/1e6, a[NR]/1e6}'
}

report ()
{
  local title=$1 base
  shift
  echo "== $title ($RUNS runs, interleaved)"
  base=$(stats "$work/$title.crun" | cut -d' ' -f1)
  for r in "$@"; do
    read -r med lo hi < <(stats "$work/$title.$r")
    printf "  %-6s median %7.2f ms  spread %.2f-%.2f ms  ratio to crun %.2f\n" "$r" "$med" "$lo" "$hi" \
      "$(awk -v a="$med" -v b="$base" 'BEGIN {print a / b}')"
  done
}

# 1. run /bin/true in sequence
for i in $(seq "$RUNS"); do
  for r in "${runtimes[@]}"; do
    t0=$(now_ns)
    $(cmd_of "$r") run --bundle "$bundle" "b$i" >/dev/null
    echo $(( $(now_ns) - t0 )) >> "$work/run.$r"
  done
done
report run "${runtimes[@]}"

# the floor: the same namespaces, chroot, /bin/true, no runtime
for i in $(seq "$RUNS"); do
  t0=$(now_ns)
  unshare -m -p -u -i -n -C -f chroot "$bundle/rootfs" /bin/true
  echo $(( $(now_ns) - t0 )) >> "$work/run.floor"
done
read -r med lo hi < <(stats "$work/run.floor")
printf "  %-6s median %7.2f ms  spread %.2f-%.2f ms\n" floor "$med" "$lo" "$hi"

# 2. exec /bin/true into a running container
jq '.process.args = ["sleep", "1000"]' "$bundle/config.json" > "$work/c" && mv "$work/c" "$bundle/config.json"
for r in "${runtimes[@]}"; do
  $(cmd_of "$r") run -d --bundle "$bundle" "e-$r" </dev/null >/dev/null
done
for i in $(seq "$RUNS"); do
  for r in "${runtimes[@]}"; do
    t0=$(now_ns)
    $(cmd_of "$r") exec "e-$r" /bin/true
    echo $(( $(now_ns) - t0 )) >> "$work/exec.$r"
  done
done
report exec "${runtimes[@]}"

# 3. peak RSS of one run, binary size, shared libraries
jq '.process.args = ["/bin/true"]' "$bundle/config.json" > "$work/c" && mv "$work/c" "$bundle/config.json"
echo "== memory and size"
for r in "${runtimes[@]}"; do
  rss=$(/usr/bin/time -f %M $(cmd_of "$r") run --bundle "$bundle" "m-$r" 2>&1 >/dev/null | tail -n1)
  bin=$(command -v "$(cmd_of "$r" | cut -d' ' -f1)")
  printf "  %-6s peak RSS %6d KB  binary %7d bytes  shared libraries %d\n" "$r" "$rss" \
    "$(stat -c %s "$bin")" "$(ldd "$bin" | grep -c '=>')"
done

for r in "${runtimes[@]}"; do
  $(cmd_of "$r") delete --force "e-$r" >/dev/null 2>&1 || true
done
