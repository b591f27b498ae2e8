# The systemd cgroup driver against systemd as PID 1 (tests/vm/systemd.sh):
# a container's cgroup is a transient scope that systemd starts with
# Delegate=yes, its init born in it, its limits both unit properties and
# cgroup files, and delete stops the scope and leaves nothing.

CG=/sys/fs/cgroup

_sd_need ()
{
  [ -d /run/systemd/system ] || skip "systemd is not the init system here (run tests/vm/systemd.sh)"
  [ -S /run/dbus/system_bus_socket ] || skip "no D-Bus system bus at /run/dbus/system_bus_socket"
}

_sd_prop ()
{
  systemctl show -p "$2" --value "$1"
}

_sd_cg ()
{
  jq -r .cgroup "$ROOT/$1/state.json"
}

# _sd_gone UNIT: systemd has no such unit any more (or it is inactive).
_sd_gone ()
{
  local state
  state=$(_sd_prop "$1" ActiveState)
  [ "$state" = inactive ] || fail "$1 is still $state"
  state=$(_sd_prop "$1" LoadState)
  [ "$state" = not-found ] || fail "$1 is still loaded ($state)"
}

test_systemd_scope_holds_the_init_and_stops_on_delete ()
{
  _sd_need
  local id=sd1 pid unit=tong-sd1.scope
  make_bundle "$T/b" sleep 1000
  tong --systemd-cgroup create --bundle "$T/b" $id
  pid=$(tong state $id | jq -r .pid)
  assert_eq "$(_sd_prop $unit ActiveState)" active
  assert_eq "$(_sd_prop $unit Delegate)" yes
  assert_eq "$(_sd_prop $unit Slice)" system.slice
  assert_eq "$(_sd_prop $unit Description)" "tong container $id"
  assert_eq "$(jq -r .systemd_unit "$ROOT/$id/state.json")" $unit
  assert_eq "$(_sd_cg $id)" "$CG/system.slice/$unit"
  # born in the scope before start; the helper that opened it is gone
  assert_eq "$(sed -n 's/^0:://p' /proc/$pid/cgroup)" "/system.slice/$unit"
  assert_eq "$(cat "$CG/system.slice/$unit/cgroup.procs")" "$pid"
  tong start $id
  tong ps $id >"$T/ps"
  assert_contains "$(cat "$T/ps")" "$pid"
  tong delete --force $id
  _sd_gone $unit
  assert_no_file "$CG/system.slice/$unit"
  assert_pid_gone "$pid"
  assert_no_containers
}

test_systemd_cgroup_manager_flag_and_run ()
{
  _sd_need
  make_bundle "$T/b" sh -c 'sed -n "s/^0:://p" /proc/self/cgroup'
  # the host's view of the path: no cgroup namespace
  cfg_no_ns "$T/b" cgroup
  tong --cgroup-manager systemd run --bundle "$T/b" sd2 >"$T/out"
  assert_eq "$(cat "$T/out")" /system.slice/tong-sd2.scope
  _sd_gone tong-sd2.scope
  assert_no_containers
}

test_systemd_nested_slice_and_own_prefix ()
{
  _sd_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "machine-foo.slice:mine:sd3"'
  tong --systemd-cgroup run -d --bundle "$T/b" sd3 </dev/null
  local pid
  pid=$(tong state sd3 | jq -r .pid)
  assert_eq "$(_sd_prop mine-sd3.scope Slice)" machine-foo.slice
  assert_eq "$(_sd_prop machine-foo.slice Slice)" machine.slice
  assert_eq "$(_sd_cg sd3)" "$CG/machine.slice/machine-foo.slice/mine-sd3.scope"
  assert_eq "$(sed -n 's/^0:://p' /proc/$pid/cgroup)" /machine.slice/machine-foo.slice/mine-sd3.scope
  tong delete --force sd3
  _sd_gone mine-sd3.scope
  assert_no_file "$CG/machine.slice/machine-foo.slice/mine-sd3.scope"
  systemctl stop machine-foo.slice
}

test_systemd_resources_are_unit_properties_and_cgroup_files ()
{
  _sd_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources = {
      "memory": {"limit": 67108864, "reservation": 33554432},
      "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
      "pids": {"limit": 42},
      "blockIO": {"weight": 500}}'
  tong --systemd-cgroup create --bundle "$T/b" sd4
  local unit=tong-sd4.scope cg
  cg=$(_sd_cg sd4)
  assert_eq "$(_sd_prop $unit MemoryMax)" 67108864
  assert_eq "$(cat "$cg/memory.max")" 67108864
  assert_eq "$(_sd_prop $unit MemoryLow)" 33554432
  assert_eq "$(cat "$cg/memory.low")" 33554432
  assert_eq "$(_sd_prop $unit TasksMax)" 42
  assert_eq "$(cat "$cg/pids.max")" 42
  assert_eq "$(_sd_prop $unit CPUQuotaPerSecUSec)" 500ms
  assert_eq "$(_sd_prop $unit CPUQuotaPeriodUSec)" 100ms
  assert_eq "$(cat "$cg/cpu.max")" "50000 100000"
  assert_eq "$(_sd_prop $unit CPUWeight)" 100
  assert_eq "$(cat "$cg/cpu.weight")" 100
  assert_eq "$(_sd_prop $unit AllowedCPUs)" 0
  assert_eq "$(cat "$cg/cpuset.cpus")" 0
  assert_eq "$(_sd_prop $unit AllowedMemoryNodes)" 0
  assert_eq "$(_sd_prop $unit IOWeight)" 4950
  tong delete --force sd4
  _sd_gone $unit
}

test_systemd_what_systemd_does_not_know_is_written_to_the_cgroup ()
{
  _sd_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources = {
      "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
      "unified": {"memory.oom.group": "1", "memory.high": "50331648"}}'
  tong --systemd-cgroup create --bundle "$T/b" sd5
  local cg
  cg=$(_sd_cg sd5)
  assert_eq "$(cat "$cg/hugetlb.2MB.max")" 4194304
  assert_eq "$(cat "$cg/memory.oom.group")" 1
  assert_eq "$(cat "$cg/memory.high")" 50331648
  tong delete --force sd5
  _sd_gone tong-sd5.scope
}

test_systemd_pause_resume_and_kill_all_through_the_scope ()
{
  _sd_need
  make_bundle "$T/b" sh -c 'sleep 1000 & sleep 1000'
  tong --systemd-cgroup run -d --bundle "$T/b" sd6 </dev/null
  local cg
  cg=$(_sd_cg sd6)
  wait_for 30 sh -c "[ \$(wc -l <'$cg/cgroup.procs') -eq 2 ]"
  tong pause sd6
  assert_eq "$(state_of sd6)" paused
  assert_contains "$(cat "$cg/cgroup.events")" "frozen 1"
  assert_eq "$(_sd_prop tong-sd6.scope ActiveState)" active
  tong resume sd6
  assert_eq "$(state_of sd6)" running
  tong kill --all sd6 KILL
  wait_for 30 sh -c '[ "$(systemctl show -p LoadState --value tong-sd6.scope)" = not-found ]'
  tong delete sd6
  assert_no_containers
}

# The scope's cgroup holds the first container: the second create refuses it
# before it records it or asks systemd (delete of a create killed early
# empties what it recorded), naming the cgroup.
test_systemd_scope_in_use_is_refused_and_leaves_nothing ()
{
  _sd_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "system.slice:tong:shared"'
  tong --systemd-cgroup create --bundle "$T/b" sd7
  assert_fail tong --systemd-cgroup create --bundle "$T/b" sd8
  assert_contains "$ERR" "already holds processes"
  assert_contains "$ERR" tong-shared.scope
  [ ! -d "$ROOT/sd8" ] || fail "state of the failed create left"
  # the first is untouched
  assert_eq "$(_sd_prop tong-shared.scope ActiveState)" active
  assert_eq "$(cat "$(_sd_cg sd7)/cgroup.procs")" "$(tong state sd7 | jq -r .pid)"
  tong delete --force sd7
  _sd_gone tong-shared.scope
  assert_no_containers
}

test_systemd_failed_create_stops_the_scope ()
{
  _sd_need
  make_bundle "$T/b" /does-not-exist
  assert_fail tong --systemd-cgroup run --bundle "$T/b" sd9
  _sd_gone tong-sd9.scope
  assert_no_containers
}

test_systemd_limits_survive_daemon_reload_and_update_sets_properties ()
{
  _sd_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50},
      "unified": {"memory.high": "50331648"}}'
  tong --systemd-cgroup create --bundle "$T/b" sd10
  local unit=tong-sd10.scope cg
  cg=$(_sd_cg sd10)
  assert_eq "$(_sd_prop $unit MemoryHigh)" 50331648
  # systemd realizes the unit's cgroup again on reload: its values must be ours
  systemctl daemon-reload
  assert_eq "$(cat "$cg/memory.max")" 67108864
  assert_eq "$(cat "$cg/memory.high")" 50331648
  assert_eq "$(cat "$cg/pids.max")" 50
  tong update --memory 100663296 --pids-limit 60 sd10
  assert_eq "$(_sd_prop $unit MemoryMax)" 100663296
  assert_eq "$(_sd_prop $unit TasksMax)" 60
  assert_eq "$(cat "$cg/memory.max")" 100663296
  systemctl daemon-reload
  assert_eq "$(cat "$cg/memory.max")" 100663296
  assert_eq "$(cat "$cg/pids.max")" 60
  tong delete --force sd10
  _sd_gone $unit
}

test_systemd_exec_joins_the_scope_and_events_read_it ()
{
  _sd_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources = {"pids": {"limit": 30}}'
  tong --systemd-cgroup run -d --bundle "$T/b" sd11 </dev/null
  local cg
  cg=$(_sd_cg sd11)
  tong exec sd11 sleep 1001 &
  wait_for 30 sh -c "[ \$(wc -l <'$cg/cgroup.procs') -eq 2 ]"
  assert_json "$(tong events --stats sd11)" '.data.pids.limit == 30 and .data.pids.current == 2'
  tong delete --force sd11
  wait
  _sd_gone tong-sd11.scope
}

test_systemd_device_filter_holds_in_the_scope ()
{
  _sd_need
  # fuse (10:229) denied, tun (10:200) allowed for reading only; neither
  # driver is loaded here, so an allowed open fails differently (ENODEV)
  make_bundle "$T/b" sh -c '
    (: </fuse) 2>&1
    (: </tun) 2>&1
    (: >/tun) 2>&1
    echo x >/dev/null && echo null-ok'
  mknod "$T/b/rootfs/fuse" c 10 229
  mknod "$T/b/rootfs/tun" c 10 200
  cfg_set "$T/b" '.linux.resources.devices = [{allow: false, access: "rwm"},
    {allow: true, type: "c", major: 10, minor: 200, access: "r"}]'
  run_cmd tong --systemd-cgroup run --bundle "$T/b" sd12
  assert_eq "$RC" 0
  assert_contains "$OUT" "can't open /fuse: Operation not permitted"
  assert_contains "$OUT" "can't create /tun: Operation not permitted"
  assert_not_contains "$OUT" "can't open /tun: Operation not permitted"
  assert_contains "$OUT" null-ok
  _sd_gone tong-sd12.scope
  assert_no_containers
}
