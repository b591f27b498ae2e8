# The verbs that act on a container's cgroup v2 with every controller
# present: update of live limits (merged across updates), events --stats,
# pause of a busy loop, delete --force leaving no cgroup.

CG=/sys/fs/cgroup

_cg_path ()
{
  tong state "$1" >/dev/null
  jq -r .cgroup "$ROOT/$1/state.json"
}

test_vm_update_changes_live_limits ()
{
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.pids = {limit: 100}'
  tong run -d --bundle "$T/b" upd </dev/null
  local path
  path=$(_cg_path upd)
  assert_eq "$(cat "$path/pids.max")" 100
  tong update --pids-limit 3 upd
  assert_eq "$(cat "$path/pids.max")" 3
  # the live limit holds: the 4th process cannot be made
  run_cmd tong exec upd sh -c 'sleep 100 & sleep 100 & wait'
  assert_ne "$RC" 0
  tong update --memory 64m --memory-swap 128m upd
  assert_eq "$(cat "$path/memory.max")" 67108864
  assert_eq "$(cat "$path/memory.swap.max")" 67108864
  # a partial update keeps the earlier memory limit for the swap arithmetic
  tong update --memory-swap 256m upd
  assert_eq "$(cat "$path/memory.max")" 67108864
  assert_eq "$(cat "$path/memory.swap.max")" 201326592
  assert_eq "$(cat "$path/pids.max")" 3
  run_cmd tong update --memory-swap 32m upd
  assert_ne "$RC" 0
  assert_contains "$ERR" "below memory.limit"
  echo '{"cpu": {"shares": 2048, "quota": 20000, "period": 100000}, "pids": {"limit": -1}}' |
    tong update --resources - upd
  assert_eq "$(cat "$path/cpu.weight")" 174
  assert_eq "$(cat "$path/cpu.max")" "20000 100000"
  assert_eq "$(cat "$path/pids.max")" max
  tong update --cpu-quota 50000 --cpuset-cpus 0 --blkio-weight 300 upd
  assert_eq "$(cat "$path/cpu.max")" "50000 100000"
  assert_eq "$(cat "$path/cpuset.cpus")" 0
  # checkBeforeUpdate: a limit below the current usage is refused
  tong exec -d upd sh -c 'dd if=/dev/zero of=/dev/shm/f bs=1M count=8; sleep 1000'
  sleep 1
  echo '{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' >"$T/r.json"
  run_cmd tong update --resources "$T/r.json" upd
  assert_ne "$RC" 0
  assert_contains "$ERR" "checkBeforeUpdate"
  assert_eq "$(cat "$path/memory.max")" 67108864
  tong delete --force upd
  assert_no_file "$path"
  assert_no_containers
}

# /dev/fuse (10:229) is opened with no capability check: an EPERM comes
# from the device filter alone (without the module the open fails otherwise).
test_vm_update_devices_replaces_the_filter ()
{
  make_bundle "$T/b" sleep 1000
  mknod "$T/b/rootfs/fuse" c 10 229
  tong run -d --bundle "$T/b" updd </dev/null
  run_cmd tong exec updd sh -c ': </fuse'
  assert_contains "$ERR" "Operation not permitted"
  echo '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]}' |
    tong update --resources - updd
  run_cmd tong exec updd sh -c ': </fuse'
  assert_not_contains "$ERR" "Operation not permitted"
  # one filter: the old one was detached
  echo '{"devices": [{"allow": false, "access": "rwm"}]}' | tong update --resources - updd
  run_cmd tong exec updd sh -c ': </fuse'
  assert_contains "$ERR" "Operation not permitted"
  tong delete --force updd
  assert_no_containers
}

test_vm_events_stats_reports_every_controller ()
{
  make_bundle "$T/b" sh -c 'sleep 1000 & sleep 1000'
  cfg_set "$T/b" '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 50}}'
  tong run -d --bundle "$T/b" ev </dev/null
  wait_for 5 sh -c "[ \$(cat '$(_cg_path ev)/pids.current') -eq 2 ]"
  local json
  json=$(tong events --stats ev)
  assert_json "$json" '.type == "stats" and .id == "ev"'
  assert_json "$json" '.data.pids.current == 2 and .data.pids.limit == 50'
  assert_json "$json" '.data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0'
  assert_json "$json" '.data.memory.raw.anon >= 0'
  assert_json "$json" '.data.cpu.usage.total > 0'
  assert_json "$json" '(.data.blkio | type) == "object" and (.data.hugetlb | type) == "object"'
  tong delete --force ev
  assert_no_containers
}

test_vm_pause_freezes_a_limited_busy_loop ()
{
  make_bundle "$T/b" sh -c 'while :; do :; done'
  cfg_set "$T/b" '.linux.resources.cpu = {quota: 50000, period: 100000}'
  tong run -d --bundle "$T/b" pz </dev/null
  local path a b
  path=$(_cg_path pz)
  sleep 0.5
  tong pause pz
  assert_contains "$(cat "$path/cgroup.events")" "frozen 1"
  a=$(awk '$1 == "usage_usec" {print $2}' "$path/cpu.stat")
  sleep 1
  b=$(awk '$1 == "usage_usec" {print $2}' "$path/cpu.stat")
  assert_eq "$a" "$b" "no CPU used while paused"
  tong resume pz
  sleep 0.5
  b=$(awk '$1 == "usage_usec" {print $2}' "$path/cpu.stat")
  [ "$b" -gt "$a" ] || fail "no CPU used after resume"
  tong delete --force pz
  assert_no_file "$path"
  assert_no_containers
}

test_vm_limits_need_no_host_controller_error ()
{
  # every controller is here: a spec with all of them is created, none refused
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.resources = {memory: {limit: 67108864}, cpu: {shares: 512, cpus: "0"},
    pids: {limit: 10}, blockIO: {weight: 100}}'
  run_cmd tong run --bundle "$T/b" all
  assert_eq "$RC" 0
  assert_no_file "$CG/tong/all"
  assert_no_containers
}
