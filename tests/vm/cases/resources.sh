# linux.resources on a real cgroup v2 hierarchy (the VM's, every controller
# enabled): each limit is proven by its effect, not only by the file written.
# Container ids are the test's own: the VM runs one test at a time.

CG=/sys/fs/cgroup

_cg_path ()
{
  tong state "$1" >/dev/null
  jq -r .cgroup "$ROOT/$1/state.json"
}

# _cg_key CGROUP FILE KEY: the value of KEY in a "key value" file.
_cg_key ()
{
  awk -v k="$3" '$1 == k { print $2 }' "$1/$2"
}

test_vm_memory_oom_kill_and_event ()
{
  make_bundle "$T/b" sh -c 'sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; echo dd-rc=$?; sleep 1000'
  cfg_set "$T/b" '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
  tong create --bundle "$T/b" mem </dev/null
  local path
  path=$(_cg_path mem)
  assert_eq "$(cat "$path/memory.max")" 33554432
  assert_eq "$(cat "$path/memory.swap.max")" 0
  "$TONG" --root "$ROOT" events --interval 200ms mem >"$T/events" 2>&1 &
  local ev=$!
  on_exit "kill $ev 2>/dev/null || true"
  tong start mem
  wait_for 30 sh -c "[ \"\$(awk '\$1 == \"oom_kill\" {print \$2}' '$path/memory.events')\" -ge 1 ]" ||
    fail "no OOM kill: $(cat "$path/memory.events")"
  wait_for 10 grep -q '"type":"oom"' "$T/events" || fail "events reported no oom: $(cat "$T/events")"
  assert_contains "$(grep '"type":"oom"' "$T/events" | head -1)" '{"type":"oom","id":"mem"}'
  # the container's shell lives on: only dd was over the limit
  assert_eq "$(state_of mem)" running
  tong delete --force mem
  wait_for 10 sh -c "! kill -0 $ev 2>/dev/null" || fail "events did not end with the container"
  assert_no_file "$path"
  assert_no_containers
}

test_vm_pids_limit_stops_a_fork_bomb ()
{
  make_bundle "$T/b" sh -c 'i=0; while [ $i -lt 100 ]; do sleep 1000 & i=$((i+1)); done; sleep 1000'
  cfg_set "$T/b" '.linux.resources.pids = {limit: 20}'
  tong run -d --bundle "$T/b" pids </dev/null >"$T/out" 2>&1
  local path
  path=$(_cg_path pids)
  assert_eq "$(cat "$path/pids.max")" 20
  wait_for 20 sh -c "[ \"\$(awk '\$1 == \"max\" {print \$2}' '$path/pids.events')\" -ge 1 ]" ||
    fail "pids.max never refused a fork: $(cat "$path/pids.events")"
  local n
  n=$(cat "$path/pids.current")
  [ "$n" -le 20 ] || fail "pids.current $n above the limit"
  tong delete --force pids
  assert_no_file "$path"
  assert_no_containers
}

test_vm_cpu_max_throttles ()
{
  make_bundle "$T/b" sh -c 'while :; do :; done'
  cfg_set "$T/b" '.linux.resources.cpu = {quota: 10000, period: 100000, shares: 512}'
  tong run -d --bundle "$T/b" cpu </dev/null
  local path a b
  path=$(_cg_path cpu)
  assert_eq "$(cat "$path/cpu.max")" "10000 100000"
  assert_eq "$(cat "$path/cpu.weight")" 59
  a=$(_cg_key "$path" cpu.stat usage_usec)
  sleep 2
  b=$(_cg_key "$path" cpu.stat usage_usec)
  [ "$(_cg_key "$path" cpu.stat nr_throttled)" -gt 0 ] || fail "never throttled: $(cat "$path/cpu.stat")"
  # 10% of one CPU over 2 s is 200 ms; allow for the clock of an emulated machine
  [ $((b - a)) -lt 600000 ] || fail "used $((b - a)) us of CPU in 2 s at a 10% quota"
  assert_json "$(tong events --stats cpu)" '.data.cpu.throttling.throttledPeriods > 0'
  tong delete --force cpu
  assert_no_containers
}

test_vm_cpuset_pins_the_container ()
{
  make_bundle "$T/b" sh -c 'grep Cpus_allowed_list /proc/self/status'
  cfg_set "$T/b" '.linux.resources.cpu = {cpus: "0", mems: "0"}'
  run_cmd tong run --bundle "$T/b" pin
  assert_eq "$RC" 0
  assert_match "$OUT" 'Cpus_allowed_list:[[:space:]]*0$'
  assert_no_containers
}

test_vm_swap_is_memory_plus_swap ()
{
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.memory = {limit: 67108864, swap: 100663296, reservation: 16777216}'
  tong run -d --bundle "$T/b" swap </dev/null
  local path
  path=$(_cg_path swap)
  assert_eq "$(cat "$path/memory.max")" 67108864
  assert_eq "$(cat "$path/memory.swap.max")" 33554432
  assert_eq "$(cat "$path/memory.low")" 16777216
  tong delete --force swap
  cfg_set "$T/b" '.linux.resources.memory = {limit: -1}'
  tong run -d --bundle "$T/b" swap </dev/null
  path=$(_cg_path swap)
  assert_eq "$(cat "$path/memory.max")" max
  assert_eq "$(cat "$path/memory.swap.max")" max
  tong delete --force swap
  assert_no_containers
}

test_vm_io_weight_and_throttle ()
{
  make_bundle "$T/b" sleep 1000
  local dev
  dev=$(awk '$4 ~ /^(vd|sd)[a-z]$/ || $4 ~ /^ram0$/ { print $1 ":" $2; exit }' /proc/partitions)
  if [ -n "$dev" ]; then
    cfg_set "$T/b" '.linux.resources.blockIO = {weight: 500,
      throttleReadBpsDevice: [{major: ($d | split(":")[0] | tonumber),
                               minor: ($d | split(":")[1] | tonumber), rate: 1048576}]}' --arg d "$dev"
  else
    cfg_set "$T/b" '.linux.resources.blockIO = {weight: 500}'
  fi
  tong run -d --bundle "$T/b" io </dev/null
  local path
  path=$(_cg_path io)
  if [ -e "$path/io.bfq.weight" ]; then
    assert_contains "$(cat "$path/io.bfq.weight")" "default 500"
  else
    assert_contains "$(cat "$path/io.weight")" "default 4950"
  fi
  if [ -n "$dev" ]; then assert_contains "$(cat "$path/io.max")" "$dev rbps=1048576"; fi
  tong delete --force io
  assert_no_containers
}

test_vm_unified_and_hugetlb ()
{
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.unified = {"memory.high": "50000000", "pids.max": "33"}'
  tong run -d --bundle "$T/b" uni </dev/null
  local path
  path=$(_cg_path uni)
  assert_eq "$(cat "$path/memory.high")" 49999872
  assert_eq "$(cat "$path/pids.max")" 33
  tong delete --force uni
  cfg_set "$T/b" '.linux.resources.unified = {"memory.nosuch": "1"}'
  run_cmd tong run -d --bundle "$T/b" uni
  assert_ne "$RC" 0
  assert_contains "$ERR" 'memory.nosuch'
  assert_no_file "$CG/tong/uni"
  if ls "$CG"/hugetlb.*.max >/dev/null 2>&1 || [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
    cfg_set "$T/b" 'del(.linux.resources.unified) | .linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 2097152}]'
    tong run -d --bundle "$T/b" uni </dev/null
    assert_eq "$(cat "$(_cg_path uni)/hugetlb.2MB.max")" 2097152
    tong delete --force uni
  fi
  assert_no_containers
}

# /dev/fuse (10:229) is opened with no capability check: an EPERM comes
# from the device filter alone.
test_vm_devices_filter ()
{
  make_bundle "$T/b" sh -c '(: </fuse) 2>&1; echo x >/dev/null && echo null-ok'
  mknod "$T/b/rootfs/fuse" c 10 229
  cfg_set "$T/b" '.linux.resources.devices = [{allow: false, access: "rwm"}]'
  run_cmd tong run --bundle "$T/b" dev
  assert_contains "$OUT" "Operation not permitted"
  assert_contains "$OUT" null-ok
  cfg_set "$T/b" '.linux.resources.devices = [{allow: false, access: "rwm"},
    {allow: true, type: "c", major: 10, minor: 229, access: "rw"}]'
  run_cmd tong run --bundle "$T/b" dev
  assert_not_contains "$OUT" "Operation not permitted"
  assert_contains "$OUT" null-ok
  assert_no_containers
}

# cpu.shares 1024 (what containerd sends) is cpu.weight 100, the default.
test_vm_cpu_shares_default_weight ()
{
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.cpu = {shares: 1024}'
  tong run -d --bundle "$T/b" w </dev/null
  assert_eq "$(cat "$(_cg_path w)/cpu.weight")" 100
  tong delete --force w
  assert_no_containers
}
