# cgroup v2 on the host: every container tracked in its own cgroup,
# pause/resume, ps, kill --all, update, events, the eBPF device filter, and
# nothing left on delete.  On a hybrid host the controllers v1 holds are
# tested in cgroups-v1.sh; here a limit whose controller neither half has
# fails naming it.  Real v2 limits are tested in the VM
# (tests/vm/cases/resources.sh, verbs.sh).
#
# Container ids carry the test's pid: the default cgroup tong/<id> lives
# below the runtime's own cgroup, which other runs on the host may share.
C1=cg$$a
C2=cg$$b

_cg_mount ()
{
  local m
  for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
    if [ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ]; then
      echo "$m"
      return 0
    fi
  done
  return 1
}

_cg_need ()
{
  CG=$(_cg_mount) || skip "this host has no cgroup v2 hierarchy"
  CG_OWN=$(sed -n 's/^0:://p' /proc/self/cgroup)
  [ "$CG_OWN" = / ] && CG_OWN=
}

# _cg_v1_bound CONTROLLER: is it bound to a cgroup v1 hierarchy here (v2's
# io is v1's blkio)?
_cg_v1_bound ()
{
  local c=$1
  [ "$c" = io ] && c=blkio
  awk -F: -v c="$c" '$1 != 0 { n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) f = 1 } END { exit !f }' /proc/self/cgroup
}

_cg_path ()
{
  tong state "$1" >/dev/null
  jq -r .cgroup "$ROOT/$1/state.json"
}

test_cgroups_default_path_holds_the_init_and_goes_on_delete ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  tong create --bundle "$T/b" "$C1"
  local pid path
  pid=$(tong state "$C1" | jq -r .pid)
  path=$(_cg_path "$C1")
  assert_eq "$path" "$CG$CG_OWN/tong/$C1"
  # spawned straight into it (CLONE_INTO_CGROUP): there before start
  assert_eq "$(cat "$path/cgroup.procs")" "$pid"
  assert_eq "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "$CG_OWN/tong/$C1"
  tong start "$C1"
  tong delete --force "$C1"
  assert_no_file "$path"
  # tong/ goes with its last container (other runs on the host may have theirs there)
  if [ -d "$CG$CG_OWN/tong" ] && ! compgen -G "$CG$CG_OWN/tong/*/" >/dev/null; then
    fail "$CG$CG_OWN/tong left behind, empty"
  fi
  assert_no_containers
}

test_cgroups_path_absolute_and_relative ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "/tong-test-abs-\($id)/\($id)"' --arg id "$C1"
  tong run -d --bundle "$T/b" "$C1" </dev/null
  assert_eq "$(_cg_path "$C1")" "$CG/tong-test-abs-$C1/$C1"
  tong delete --force "$C1"
  rmdir "$CG/tong-test-abs-$C1"
  make_bundle "$T/r" sleep 1000
  cfg_set "$T/r" '.linux.cgroupsPath = "tong-test-rel-\($id)/\($id)"' --arg id "$C2"
  tong run -d --bundle "$T/r" "$C2" </dev/null
  assert_eq "$(_cg_path "$C2")" "$CG$CG_OWN/tong-test-rel-$C2/$C2"
  tong delete --force "$C2"
  assert_no_file "$CG$CG_OWN/tong-test-rel-$C2/$C2"
  rmdir "$CG$CG_OWN/tong-test-rel-$C2"
  assert_no_containers
}

test_cgroups_bad_paths_refused ()
{
  _cg_need
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.cgroupsPath = "/a/../../etc"'
  run_cmd tong run --bundle "$T/b" "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" 'linux.cgroupsPath'
  cfg_set "$T/b" '.linux.cgroupsPath = "system.slice:tong:c1"'
  run_cmd tong run --bundle "$T/b" "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" 'systemd'
  assert_no_containers
}

test_cgroups_in_use_refused ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "/tong-test-busy-\($id)"' --arg id "$C1"
  tong run -d --bundle "$T/b" "$C1" </dev/null
  run_cmd tong run -d --bundle "$T/b" "$C2"
  assert_ne "$RC" 0
  assert_contains "$ERR" "already holds processes"
  assert_eq "$(state_of "$C1")" running
  tong delete --force "$C1"
  assert_no_file "$CG/tong-test-busy-$C1"
  assert_no_containers
}

test_cgroups_disabled_manager ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  tong --cgroup-manager disabled run -d --bundle "$T/b" "$C1" </dev/null
  assert_eq "$(_cg_path "$C1")" null
  assert_no_file "$CG$CG_OWN/tong/$C1"
  run_cmd tong pause "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" "no cgroup"
  tong delete --force "$C1"
  assert_no_containers
}

# utime + stime of a process, in clock ticks
_cpu_ticks ()
{
  sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

test_cgroups_pause_resume_freezes_a_busy_loop ()
{
  _cg_need
  make_bundle "$T/b" sh -c 'while :; do :; done'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local pid path a b
  pid=$(tong state "$C1" | jq -r .pid)
  sleep 0.2
  tong pause "$C1"
  assert_eq "$(state_of "$C1")" paused
  path=$(_cg_path "$C1")
  # a v1 or hybrid host with a freezer hierarchy freezes through it
  if _cg_v1_bound freezer; then
    assert_eq "$(cat "$(jq -r '.cgroup_paths.freezer' "$ROOT/$C1/state.json")/freezer.state")" FROZEN
  else
    assert_contains "$(cat "$path/cgroup.events")" "frozen 1"
  fi
  a=$(_cpu_ticks "$pid")
  sleep 0.5
  b=$(_cpu_ticks "$pid")
  assert_eq "$a" "$b" "no CPU time used while paused"
  run_cmd tong pause "$C1"
  assert_ne "$RC" 0
  # a paused container is not stopped: delete needs --force
  run_cmd tong delete "$C1"
  assert_ne "$RC" 0
  tong resume "$C1"
  assert_eq "$(state_of "$C1")" running
  sleep 0.3
  b=$(_cpu_ticks "$pid")
  [ "$b" -gt "$a" ] || fail "no CPU time used after resume ($a -> $b)"
  run_cmd tong resume "$C1"
  assert_contains "$ERR" "not paused"
  tong pause "$C1"
  tong delete --force "$C1"
  assert_no_file "$path"
  assert_no_containers
}

test_cgroups_ps_json_and_table ()
{
  _cg_need
  make_bundle "$T/b" sh -c 'sleep 1001 & sleep 1002'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local pid json
  pid=$(tong state "$C1" | jq -r .pid)
  wait_for 5 sh -c "[ \$(wc -l < '$(_cg_path "$C1")/cgroup.procs') -eq 2 ]"
  json=$(tong ps --format json "$C1")
  assert_json "$json" 'length == 2'
  assert_json "$json" "index($pid) != null"
  run_cmd tong ps "$C1"
  assert_contains "$OUT" "sleep 1001"
  assert_contains "$OUT" "sleep 1002"
  assert_contains "$(head -n1 <<<"$OUT")" PID
  run_cmd tong ps "$C1" -- -o pid,comm
  assert_eq "$(wc -l <<<"$OUT")" 3
  tong delete --force "$C1"
  assert_fail tong ps "$C1"
  assert_no_containers
}

test_cgroups_kill_all_without_pid_namespace ()
{
  _cg_need
  make_bundle "$T/b" sh -c 'sleep 1003 & exec sleep 1004'
  cfg_no_ns "$T/b" pid
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local path
  path=$(_cg_path "$C1")
  wait_for 5 sh -c "[ \$(wc -l < '$path/cgroup.procs') -eq 2 ]"
  tong kill --all "$C1" KILL
  wait_for 5 sh -c "[ ! -s '$path/cgroup.procs' ]" || fail "processes left in $path"
  tong delete "$C1"
  assert_no_file "$path"
  assert_no_containers
}

test_cgroups_delete_force_leaves_no_orphans ()
{
  _cg_need
  # without a pid namespace, killing the init would leave its children: the
  # cgroup takes them all
  make_bundle "$T/b" sh -c 'sleep 1005 & sleep 1006 & exec sleep 1007'
  cfg_no_ns "$T/b" pid
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local path
  path=$(_cg_path "$C1")
  wait_for 5 sh -c "[ \$(wc -l < '$path/cgroup.procs') -eq 3 ]"
  tong delete --force "$C1"
  assert_no_file "$path"
  if pgrep -f 'sleep 100[567]' >/dev/null; then fail "orphans left: $(pgrep -af 'sleep 100[567]')"; fi
  assert_no_containers
}

test_cgroups_exec_joins_the_cgroup ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  tong run -d --bundle "$T/b" "$C1" </dev/null
  assert_eq "$(tong exec "$C1" cat /proc/self/cgroup | sed -n 's/^0:://p')" "/"
  assert_eq "$(tong exec "$C1" sh -c 'cat /proc/$$/cgroup' | wc -l)" "$(wc -l </proc/self/cgroup)"
  local n
  n=$(tong exec "$C1" sh -c "wc -l < /proc/1/cgroup")
  [ -n "$n" ] || fail "no cgroup file"
  tong exec -d "$C1" sleep 1008
  wait_for 5 sh -c "[ \$(wc -l < '$(_cg_path "$C1")/cgroup.procs') -eq 2 ]"
  tong delete --force "$C1"
  assert_no_containers
}

# A limit whose controller this host's v2 hierarchy lacks: create fails
# naming the field and the controller, leaving no cgroup and no state.
test_cgroups_limits_refused_with_the_field ()
{
  _cg_need
  local offered tried=0 field ctl patch
  offered=$(cat "$CG/cgroup.controllers")
  make_bundle "$T/b" true
  while read -r field ctl patch; do
    if grep -qw "$ctl" <<<"$offered"; then continue; fi
    # a section whose controller v1 holds goes there (cgroups-v1.sh);
    # unified is always v2's
    if [ "${field#unified}" = "$field" ] && _cg_v1_bound "$ctl"; then continue; fi
    tried=$((tried + 1))
    cfg_set "$T/b" ".linux.resources = $patch"
    run_cmd tong run --bundle "$T/b" "$C1"
    assert_ne "$RC" 0
    assert_contains "$ERR" "linux.resources.$field needs the cgroup v2 controller \`$ctl\`"
    assert_no_file "$CG$CG_OWN/tong/$C1"
    assert_no_file "$ROOT/$C1"
  done <<'CASES'
memory.limit memory {"memory":{"limit":100000000}}
cpu.shares cpu {"cpu":{"shares":512}}
cpu.quota cpu {"cpu":{"quota":50000,"period":100000}}
cpu.cpus cpuset {"cpu":{"cpus":"0"}}
pids.limit pids {"pids":{"limit":10}}
blockIO.weight io {"blockIO":{"weight":500}}
unified["memory.high"] memory {"unified":{"memory.high":"100000000"}}
CASES
  [ "$tried" -gt 0 ] || skip "this host's cgroup v2 offers every controller (the VM tests cover them)"
  assert_no_containers
}

# What cgroup v2 cannot honour, and values out of range, are refused by
# name before anything is made.
test_cgroups_resources_bad_values_refused ()
{
  _cg_need
  make_bundle "$T/b" true
  local patch want v1ctl
  while IFS='|' read -r patch want v1ctl; do
    # what only cgroup v2 refuses, where v1 holds the controller (cgroups-v1.sh)
    if [ -n "$v1ctl" ] && _cg_v1_bound "$v1ctl"; then continue; fi
    cfg_set "$T/b" ".linux.resources = $patch"
    run_cmd tong run --bundle "$T/b" "$C1"
    assert_ne "$RC" 0
    assert_contains "$ERR" "$want"
    assert_no_file "$CG$CG_OWN/tong/$C1"
    assert_no_file "$ROOT/$C1"
  done <<'CASES'
{"memory":{"swap":1000000}}|memory.swap: a swap limit needs memory.limit|memory
{"memory":{"limit":2000000,"swap":1000000}}|is below memory.limit|memory
{"memory":{"kernel":1000000}}|memory.kernel|memory
{"cpu":{"realtimeRuntime":1000}}|cpu.realtimeRuntime|cpu
{"network":{"classID":1}}|linux.resources.network|net_cls
{"unified":{"../memory.max":"1"}}|not the name of a cgroup v2 file
{"unified":{"cgroup.procs":"1"}}|tong manages this file itself
{"hugepageLimits":[{"pageSize":"3XB","limit":1}]}|hugepageLimits[0].pageSize
{"devices":[{"allow":false,"access":"rwx"}]}|devices[0].access
CASES
  assert_no_containers
}

# A core file through linux.resources.unified needs no controller: it is
# written for real on any v2 hierarchy.
test_cgroups_unified_core_file_written ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.unified = {"cgroup.max.depth": "3"}'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  assert_eq "$(cat "$(_cg_path "$C1")/cgroup.max.depth")" 3
  tong delete --force "$C1"
  cfg_set "$T/b" '.linux.resources.unified = {"cgroup.nosuchfile": "3"}'
  run_cmd tong run -d --bundle "$T/b" "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" "has no file \`cgroup.nosuchfile\`"
  assert_no_file "$CG$CG_OWN/tong/$C1"
  assert_no_containers
}

# hugetlb is the controller this kind of hybrid host leaves to v2: a limit
# is enabled down the tree and written.
test_cgroups_hugetlb_limit_applied ()
{
  _cg_need
  grep -qw hugetlb "$CG/cgroup.controllers" || skip "no hugetlb controller in $CG"
  [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages on this host"
  if ! grep -qw hugetlb "$CG/cgroup.subtree_control"; then
    on_exit "echo -hugetlb > '$CG/cgroup.subtree_control' 2>/dev/null || true"
  fi
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local path
  path=$(_cg_path "$C1")
  assert_eq "$(cat "$path/hugetlb.2MB.max")" 4194304
  if [ -e "$path/hugetlb.2MB.rsvd.max" ]; then assert_eq "$(cat "$path/hugetlb.2MB.rsvd.max")" 4194304; fi
  assert_json "$(tong events --stats "$C1")" '.data.hugetlb["2MB"].max == 4194304'
  tong delete --force "$C1"
  assert_no_file "$path"
  assert_no_containers
}

# The device filter: an eBPF program attached to the container's v2 cgroup
# (it works on a hybrid host's v2 hierarchy too).
test_cgroups_devices_filter_denies_and_allows ()
{
  _cg_need
  make_bundle "$T/b" sh -c '
    : </tun && echo tun-read-ok
    (: >/tun) 2>/dev/null || echo tun-write-denied
    (: </fuse) 2>&1 || echo fuse-denied
    echo x >/dev/null && echo null-ok
    head -c1 /dev/zero >/dev/null && echo zero-ok'
  mknod "$T/b/rootfs/tun" c 10 200
  mknod "$T/b/rootfs/fuse" c 10 229
  cfg_set "$T/b" '.linux.resources.devices = [{allow: false, access: "rwm"},
    {allow: true, type: "c", major: 10, minor: 200, access: "r"}]'
  run_cmd tong run --bundle "$T/b" "$C1"
  assert_eq "$RC" 0
  assert_contains "$OUT" tun-read-ok
  assert_contains "$OUT" tun-write-denied
  assert_contains "$OUT" "Operation not permitted"
  assert_contains "$OUT" fuse-denied
  assert_contains "$OUT" null-ok
  assert_contains "$OUT" zero-ok
  # without a deny rule nothing is filtered: the same opens succeed
  cfg_set "$T/b" '.linux.resources.devices = []'
  run_cmd tong run --bundle "$T/b" "$C1"
  assert_not_contains "$OUT" fuse-denied
  assert_not_contains "$OUT" tun-write-denied
  assert_contains "$OUT" tun-read-ok
  assert_no_containers
}

test_cgroups_update ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local path
  path=$(_cg_path "$C1")
  if ! grep -qw pids "$CG/cgroup.controllers" && ! _cg_v1_bound pids; then
    run_cmd tong update --pids-limit 10 "$C1"
    assert_ne "$RC" 0
    assert_contains "$ERR" "linux.resources.pids.limit needs the cgroup v2 controller \`pids\`"
  fi
  run_cmd tong update --memory 1x "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" "--memory"
  echo '{}' | tong update --resources - "$C1"
  echo '{"unified": {"cgroup.max.depth": "4"}}' >"$T/r.json"
  tong update --resources "$T/r.json" "$C1"
  assert_eq "$(cat "$path/cgroup.max.depth")" 4
  # a later partial update keeps what an earlier one set
  echo 2 >"$path/cgroup.max.depth"
  echo '{"unified": {"cgroup.max.descendants": "50"}}' | tong update --resources - "$C1"
  assert_eq "$(cat "$path/cgroup.max.depth")" 4
  assert_eq "$(cat "$path/cgroup.max.descendants")" 50
  run_cmd tong update --resources "$T/nonexistent" "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" "--resources"
  echo '{"memory": 5}' >"$T/bad.json"
  run_cmd tong update --resources "$T/bad.json" "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" "--resources: memory"
  echo '[1]' >"$T/bad.json"
  run_cmd tong update --resources "$T/bad.json" "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" "--resources"
  tong kill "$C1" KILL
  wait_status "$C1" stopped
  run_cmd tong update --resources "$T/r.json" "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" "not running"
  tong delete "$C1"
  assert_no_file "$path"
  run_cmd tong update --resources "$T/r.json" "$C1"
  assert_contains "$ERR" "does not exist"
  assert_no_containers
}

test_cgroups_events_stats_and_end ()
{
  _cg_need
  make_bundle "$T/b" sh -c 'sleep 2'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local json
  json=$(tong events --stats "$C1")
  assert_eq "$(wc -l <<<"$json")" 1
  assert_json "$json" ".type == \"stats\" and .id == \"$C1\""
  assert_json "$json" '.data.cpu.usage.total >= 0 and (.data.cpu.throttling | type) == "object"'
  if [ -e "$(_cg_path "$C1")/pids.current" ] || _cg_v1_bound pids; then
    assert_json "$json" '.data.pids.current >= 1'
  else
    assert_json "$json" '.data.pids == null'
  fi
  # without --stats: a line per interval until the container stops
  timeout 20 "$TONG" --root "$ROOT" events --interval 300ms "$C1" >"$T/events" ||
    fail "events did not end when the container stopped (rc $?)"
  [ "$(grep -c '"type":"stats"' "$T/events")" -ge 2 ] || fail "too few stats lines: $(cat "$T/events")"
  run_cmd tong events --interval 5 "$C1"
  assert_ne "$RC" 0
  run_cmd tong events --stats "$C1"
  assert_contains "$ERR" "not running"
  tong delete "$C1"
  assert_no_containers
}

# A user who may not create a cgroup runs a container without one, but a
# spec that asks for a limit fails, saying why (delegation).
test_cgroups_rootless_limits_need_delegation ()
{
  _cg_need
  # the test user's helpers (_rl_setup, as_user, _rl_bundle)
  source "$TESTS_DIR/integration/rootless.sh"
  _rl_setup
  if as_user "test -w $CG$CG_OWN"; then skip "the test user may write to $CG$CG_OWN"; fi
  _rl_bundle true
  as_user "tong run --bundle b rl-$$"
  # a core file needs no controller: the only thing missing is the cgroup
  cfg_set "$RL_HOME/b" '.linux.resources.unified = {"cgroup.max.depth": "2"}'
  run_cmd as_user "tong run --bundle b rl-$$"
  assert_ne "$RC" 0
  assert_contains "$ERR" 'linux.resources.unified["cgroup.max.depth"]'
  assert_contains "$ERR" "delegat"
  _rl_no_state
}

# containerd sends cpu.shares 1024 for every container: weight 100, the
# kernel's default, which a hierarchy without the cpu controller gives the
# container anyway; any other value needs the controller.
test_cgroups_default_cpu_weight_needs_no_controller ()
{
  _cg_need
  grep -qw cpu "$CG/cgroup.controllers" && skip "this host's cgroup v2 has the cpu controller (the VM tests cover it)"
  _cg_v1_bound cpu && skip "cpu is bound to cgroup v1 here (cgroups-v1.sh covers cpu.shares)"
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.resources.cpu = {shares: 1024}'
  tong run --bundle "$T/b" "$C1"
  cfg_set "$T/b" '.linux.resources.cpu = {shares: 1000}'
  run_cmd tong run --bundle "$T/b" "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" "cpu.shares needs the cgroup v2 controller \`cpu\`"
  assert_no_containers
}
