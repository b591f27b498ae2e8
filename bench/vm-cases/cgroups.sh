# bench/vm.sh's case, run by tests/vm/run.sh in the VM (Debian's kernel under
# qemu, every cgroup2 controller enabled): `run` of /bin/true with memory,
# pids and cpu limits, tong against crun, interleaved.  Results go to the
# VM's second serial port as TONG-VM-INFO lines, which the host prints as
# `vm: bench: ...`.  BENCH_RUNS is set by bench/vm.sh at the top of the copy
# it hands the VM.

BENCH_RUNS=${BENCH_RUNS:-20}
CG=/sys/fs/cgroup

_bench_say ()
{
  local out=/dev/ttyS1
  [ -c "$out" ] || out=/dev/stderr
  echo "TONG-VM-INFO bench: $*" >"$out"
}

# _bench_cmd RUNTIME: the command line of one runtime (its own state root).
_bench_cmd ()
{
  case $1 in
  tong) echo "$TONG --root $ROOT" ;;
  crun) echo "crun --root $T/state-crun" ;;
  esac
}

# _bench_bundle RUNTIME ID: a bundle of its own, its cgroup named after it.
_bench_bundle ()
{
  local b=$T/bundles/$1-$2
  mkdir -p "$b"
  jq --arg cg "/tong-bench/$1-$2" '.linux.cgroupsPath = $cg' "$T/spec.json" >"$b/config.json"
  echo "$b"
}

_bench_median ()
{
  sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f %.2f %.2f\n", m/1e3, a[1]/1e3, a[NR]/1e3}'
}

test_bench_cgroup_limited_run ()
{
  command -v crun >/dev/null || skip "crun is not in the VM (bench/vm.sh copies the host's)"
  make_bundle "$T/template" /bin/true
  # crun 1.8 knows runtime-spec versions up to 1.0.x
  jq --arg root "$T/template/rootfs" '.ociVersion = "1.0.2-dev" | .root.path = $root
    | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 64},
                          cpu: {quota: 50000, period: 100000}}' \
    "$T/template/config.json" >"$T/spec.json"

  # The limits hold for both: checked on a created container of each.
  local r c b path
  for r in tong crun; do
    c=$(_bench_cmd "$r")
    b=$(_bench_bundle "$r" check)
    $c create --bundle "$b" "check-$r" </dev/null || fail "$r create failed"
    path=$CG/tong-bench/$r-check
    assert_eq "$(cat "$path/memory.max")" 67108864 "$r memory.max"
    assert_eq "$(cat "$path/pids.max")" 64 "$r pids.max"
    assert_eq "$(cat "$path/cpu.max")" "50000 100000" "$r cpu.max"
    $c delete --force "check-$r" || fail "$r delete failed"
    assert_no_file "$path"
  done

  local i t0 t1
  for i in $(seq "$BENCH_RUNS"); do
    for r in tong crun; do
      c=$(_bench_cmd "$r")
      b=$(_bench_bundle "$r" "$i")
      t0=$EPOCHREALTIME
      $c run --bundle "$b" "r$i-$r" </dev/null >/dev/null || fail "$r run $i failed"
      t1=$EPOCHREALTIME
      echo $((${t1//[.,]/} - ${t0//[.,]/})) >>"$T/times.$r"
    done
  done
  rmdir "$CG/tong-bench" 2>/dev/null || true

  local med lo hi base
  _bench_say "cgroup-limited run of /bin/true (memory 64 MiB, pids 64, cpu 50000/100000), $BENCH_RUNS runs, interleaved"
  read -r base lo hi < <(_bench_median "$T/times.crun")
  for r in tong crun; do
    read -r med lo hi < <(_bench_median "$T/times.$r")
    _bench_say "$(printf '%-6s median %8.2f ms  spread %.2f-%.2f ms  ratio to crun %.2f' "$r" "$med" "$lo" "$hi" \
      "$(awk -v a="$med" -v b="$base" 'BEGIN {print a / b}')")"
  done
}
