# linux.resources on a pure cgroup v1 host: each value lands in the v1 file
# of the container's directory in its controller's hierarchy, and the limits
# that can be shown to hold are shown to hold.  Container ids are the test's
# own: the VM runs one test at a time.

# shellcheck source=tests/vm/v1-cases/helpers.sh
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

test_v1_memory_cpu_pids_files ()
{
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.memory = {limit: 67108864, swap: 134217728}
    | .linux.resources.cpu = {shares: 512, quota: 20000, period: 50000, cpus: "0"}
    | .linux.resources.pids = {limit: 42}'
  tong create --bundle "$T/b" lim </dev/null
  local mem cpu
  mem=$(ctr_dir lim memory)
  cpu=$(ctr_dir lim cpu)
  assert_eq "$(cat "$mem/memory.limit_in_bytes")" 67108864
  # v1's memsw is memory plus swap, which is what the spec's swap means
  if [ -e "$mem/memory.memsw.limit_in_bytes" ]; then
    assert_eq "$(cat "$mem/memory.memsw.limit_in_bytes")" 134217728
  fi
  assert_eq "$(cat "$cpu/cpu.shares")" 512
  assert_eq "$(cat "$cpu/cpu.cfs_quota_us")" 20000
  assert_eq "$(cat "$cpu/cpu.cfs_period_us")" 50000
  assert_eq "$(cat "$(ctr_dir lim cpuset)/cpuset.cpus")" 0
  assert_eq "$(cat "$(ctr_dir lim pids)/pids.max")" 42
  # cpu and cpuacct are one hierarchy: the same directory
  assert_eq "$(ctr_dir lim cpuacct)" "$cpu"
  tong delete --force lim
  assert_no_file "$mem"
  assert_no_file "$cpu"
  assert_no_containers
}

test_v1_blkio_weight ()
{
  # The weight files exist below the root only: ask a cgroup of our own.
  local probe=$V1/blkio/probe-$$ file=
  mkdir "$probe"
  if [ -e "$probe/blkio.bfq.weight" ]; then
    file=blkio.bfq.weight
  elif [ -e "$probe/blkio.weight" ]; then
    file=blkio.weight
  fi
  rmdir "$probe"
  [ -n "$file" ] || skip "the kernel has no blkio.weight nor blkio.bfq.weight (no BFQ)"
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.blockIO = {weight: 500}'
  tong create --bundle "$T/b" io </dev/null
  # bfq's v1 file prints the bare weight; its v2 twin says "default 500"
  assert_match "$(head -n1 "$(ctr_dir io blkio)/$file")" '^(default )?500$'
  tong delete --force io
  assert_no_containers
}

test_v1_hugetlb_limit ()
{
  local f size
  f=$(ls "$V1"/hugetlb/hugetlb.*.limit_in_bytes 2>/dev/null | head -n1)
  [ -n "$f" ] || skip "the kernel offers no huge page size"
  size=${f##*/hugetlb.}
  size=${size%%.*}
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.hugepageLimits = [{pageSize: $s, limit: 8388608}]' --arg s "$size"
  tong create --bundle "$T/b" huge </dev/null
  assert_eq "$(cat "$(ctr_dir huge hugetlb)/hugetlb.$size.limit_in_bytes")" 8388608
  tong delete --force huge
  assert_no_containers
}

test_v1_network_classid_and_priorities ()
{
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.network = {classID: 1048577, priorities: [{name: "lo", priority: 5}]}'
  tong create --bundle "$T/b" net </dev/null
  local d
  d=$(ctr_dir net net_cls)
  assert_eq "$(cat "$d/net_cls.classid")" 1048577
  # the interface's name is resolved in the reader's network namespace: lo
  # is in every one
  assert_contains "$(cat "$d/net_prio.ifpriomap")" "lo 5"
  assert_eq "$(ctr_dir net net_prio)" "$d"
  tong delete --force net
  assert_no_containers
}

test_v1_pids_limit_stops_a_fork_bomb ()
{
  # The bomb is exec'd: a shell whose fork fails exits, and an init that
  # exits would end the container before its directory could be read.
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.pids = {limit: 20}'
  tong run -d --bundle "$T/b" pids </dev/null
  local d n
  d=$(ctr_dir pids pids)
  assert_eq "$(cat "$d/pids.max")" 20
  tong exec -d pids sh -c 'i=0; while [ $i -lt 100 ]; do sleep 1000 & i=$((i+1)); done; sleep 1000'
  wait_for 30 sh -c "[ \"\$(awk '\$1 == \"max\" {print \$2}' '$d/pids.events')\" -ge 1 ]" ||
    fail "pids.max never refused a fork: $(cat "$d/pids.events")"
  n=$(cat "$d/pids.current")
  [ "$n" -le 20 ] || fail "pids.current $n above the limit"
  # the bomb got as far as the limit: it is the limit that stopped it
  n=$(wc -l <"$d/cgroup.procs")
  if [ "$n" -gt 20 ] || [ "$n" -lt 15 ]; then
    fail "$n processes in the container, for a limit of 20"
  fi
  tong delete --force pids
  assert_no_file "$d"
  assert_no_containers
}

test_v1_memory_oom_kill_and_event ()
{
  make_bundle "$T/b" sh -c 'sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; echo dd-rc=$?; sleep 1000'
  cfg_set "$T/b" '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
  tong create --bundle "$T/b" mem </dev/null >"$T/out" 2>&1
  local d
  d=$(ctr_dir mem memory)
  assert_eq "$(cat "$d/memory.limit_in_bytes")" 33554432
  "$TONG" --root "$ROOT" events --interval 200ms mem >"$T/events" 2>&1 &
  local ev=$!
  on_exit "kill $ev 2>/dev/null || true"
  # events must be listening before the OOM
  sleep 0.5
  tong start mem
  wait_for 30 sh -c "[ \"\$(awk '\$1 == \"oom_kill\" {print \$2}' '$d/memory.oom_control')\" -ge 1 ]" ||
    fail "no OOM kill: $(cat "$d/memory.oom_control")"
  wait_for 10 grep -q dd-rc= "$T/out" || fail "dd did not end: $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" dd-rc=137
  wait_for 10 grep -q '"type":"oom"' "$T/events" || fail "events reported no oom: $(cat "$T/events")"
  assert_contains "$(grep '"type":"oom"' "$T/events" | head -1)" '{"type":"oom","id":"mem"'
  # only dd was over the limit: the container's shell lives on
  assert_eq "$(state_of mem)" running
  tong delete --force mem
  assert_no_file "$d"
  assert_no_containers
}

test_v1_cpu_quota_throttles ()
{
  make_bundle "$T/b" sh -c 'while :; do :; done'
  cfg_set "$T/b" '.linux.resources.cpu = {quota: 10000, period: 100000}'
  tong run -d --bundle "$T/b" cpu </dev/null
  local d a b
  d=$(ctr_dir cpu cpu)
  a=$(cat "$d/cpuacct.usage")
  sleep 2
  b=$(cat "$d/cpuacct.usage")
  [ "$(awk '$1 == "nr_throttled" {print $2}' "$d/cpu.stat")" -gt 0 ] || fail "never throttled: $(cat "$d/cpu.stat")"
  # 10% of one CPU over 2 s is 200 ms; allow for the clock of an emulated machine
  [ $((b - a)) -lt 600000000 ] || fail "used $((b - a)) ns of CPU in 2 s at a 10% quota"
  tong delete --force cpu
  assert_no_containers
}

# /fuse (10:229, made in the rootfs) is opened with no capability check: an
# EPERM comes from the device rules alone (an allowed open without the fuse
# module fails otherwise: ENODEV).
test_v1_device_rules ()
{
  make_bundle "$T/b" sleep 1000
  mknod "$T/b/rootfs/fuse" c 10 229
  cfg_set "$T/b" '.linux.resources.devices = [{allow: false, access: "rwm"},
    {allow: true, type: "c", major: 1, minor: 3, access: "rw"}]'
  tong run -d --bundle "$T/b" dev </dev/null
  local list
  list=$(cat "$(ctr_dir dev devices)/devices.list")
  assert_not_contains "$list" "a *:* rwm"
  assert_contains "$list" "c 1:3 rw"
  assert_not_contains "$list" "c 10:229"
  run_cmd tong exec dev sh -c ': <>/fuse'
  assert_contains "$ERR" "Operation not permitted"
  run_cmd tong exec dev sh -c 'echo x >/dev/null && echo null-ok'
  assert_contains "$OUT" null-ok
  tong delete --force dev
  cfg_set "$T/b" '.linux.resources.devices = [{allow: false, access: "rwm"},
    {allow: true, type: "c", major: 10, minor: 229, access: "rw"}]'
  tong run -d --bundle "$T/b" dev </dev/null
  assert_contains "$(cat "$(ctr_dir dev devices)/devices.list")" "c 10:229 rw"
  run_cmd tong exec dev sh -c ': <>/fuse'
  assert_not_contains "$ERR" "Operation not permitted"
  tong delete --force dev
  assert_no_containers
}

test_v1_failed_create_leaves_no_directory ()
{
  make_bundle "$T/b" sleep 1000
  # a first container, so that a parent the runtime keeps exists before
  tong create --bundle "$T/b" ok </dev/null
  tong delete --force ok
  local before
  before=$(v1_dirs)
  cfg_set "$T/b" '.linux.resources.cpu = {cpus: "999"} | .linux.resources.memory = {limit: 67108864}'
  run_cmd tong create --bundle "$T/b" bad
  assert_ne "$RC" 0
  assert_eq "$(v1_dirs)" "$before" "the cgroup directories after the failed create"
  assert_no_containers
}
