# cgroup v2: every container tracked in its own cgroup (no limits applied by
# this version), pause/resume, ps, kill --all, and nothing left on delete.

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

_cg_path ()
{
  tong state "$1" >/dev/null
  jq -r .cgroup "$ROOT/$1/state.json"
}

test_cgroups_default_path_holds_the_init_and_goes_on_delete ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  tong create --bundle "$T/b" c1
  local pid path
  pid=$(tong state c1 | jq -r .pid)
  path=$(_cg_path c1)
  assert_eq "$path" "$CG$CG_OWN/tong/c1"
  # spawned straight into it (CLONE_INTO_CGROUP): there before start
  assert_eq "$(cat "$path/cgroup.procs")" "$pid"
  assert_eq "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "$CG_OWN/tong/c1"
  tong start c1
  tong delete --force c1
  assert_no_file "$path"
  assert_no_file "$CG$CG_OWN/tong"
  assert_no_containers
}

test_cgroups_path_absolute_and_relative ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "/tong-test-abs/c1"'
  tong run -d --bundle "$T/b" c1 </dev/null
  assert_eq "$(_cg_path c1)" "$CG/tong-test-abs/c1"
  tong delete --force c1
  rmdir "$CG/tong-test-abs"
  make_bundle "$T/r" sleep 1000
  cfg_set "$T/r" '.linux.cgroupsPath = "tong-test-rel/c2"'
  tong run -d --bundle "$T/r" c2 </dev/null
  assert_eq "$(_cg_path c2)" "$CG$CG_OWN/tong-test-rel/c2"
  tong delete --force c2
  assert_no_file "$CG$CG_OWN/tong-test-rel/c2"
  rmdir "$CG$CG_OWN/tong-test-rel"
  assert_no_containers
}

test_cgroups_bad_paths_refused ()
{
  _cg_need
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.cgroupsPath = "/a/../../etc"'
  run_cmd tong run --bundle "$T/b" c1
  assert_ne "$RC" 0
  assert_contains "$ERR" 'linux.cgroupsPath'
  cfg_set "$T/b" '.linux.cgroupsPath = "system.slice:tong:c1"'
  run_cmd tong run --bundle "$T/b" c1
  assert_ne "$RC" 0
  assert_contains "$ERR" 'systemd'
  assert_no_containers
}

test_cgroups_in_use_refused ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "/tong-test-busy"'
  tong run -d --bundle "$T/b" c1 </dev/null
  run_cmd tong run -d --bundle "$T/b" c2
  assert_ne "$RC" 0
  assert_contains "$ERR" "already holds processes"
  assert_eq "$(state_of c1)" running
  tong delete --force c1
  assert_no_file "$CG/tong-test-busy"
  assert_no_containers
}

test_cgroups_disabled_manager ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  tong --cgroup-manager disabled run -d --bundle "$T/b" c1 </dev/null
  assert_eq "$(_cg_path c1)" null
  assert_no_file "$CG$CG_OWN/tong/c1"
  run_cmd tong pause c1
  assert_ne "$RC" 0
  assert_contains "$ERR" "no cgroup"
  tong delete --force c1
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
  tong run -d --bundle "$T/b" c1 </dev/null
  local pid path a b
  pid=$(tong state c1 | jq -r .pid)
  sleep 0.2
  tong pause c1
  assert_eq "$(state_of c1)" paused
  path=$(_cg_path c1)
  assert_contains "$(cat "$path/cgroup.events")" "frozen 1"
  a=$(_cpu_ticks "$pid")
  sleep 0.5
  b=$(_cpu_ticks "$pid")
  assert_eq "$a" "$b" "no CPU time used while paused"
  run_cmd tong pause c1
  assert_ne "$RC" 0
  # a paused container is not stopped: delete needs --force
  run_cmd tong delete c1
  assert_ne "$RC" 0
  tong resume c1
  assert_eq "$(state_of c1)" running
  sleep 0.3
  b=$(_cpu_ticks "$pid")
  [ "$b" -gt "$a" ] || fail "no CPU time used after resume ($a -> $b)"
  run_cmd tong resume c1
  assert_contains "$ERR" "not paused"
  tong pause c1
  tong delete --force c1
  assert_no_file "$path"
  assert_no_containers
}

test_cgroups_ps_json_and_table ()
{
  _cg_need
  make_bundle "$T/b" sh -c 'sleep 1001 & sleep 1002'
  tong run -d --bundle "$T/b" c1 </dev/null
  local pid json
  pid=$(tong state c1 | jq -r .pid)
  wait_for 5 sh -c "[ \$(wc -l < '$(_cg_path c1)/cgroup.procs') -eq 2 ]"
  json=$(tong ps --format json c1)
  assert_json "$json" 'length == 2'
  assert_json "$json" "index($pid) != null"
  run_cmd tong ps c1
  assert_contains "$OUT" "sleep 1001"
  assert_contains "$OUT" "sleep 1002"
  assert_contains "$(head -n1 <<<"$OUT")" PID
  run_cmd tong ps c1 -- -o pid,comm
  assert_eq "$(wc -l <<<"$OUT")" 3
  tong delete --force c1
  assert_fail tong ps c1
  assert_no_containers
}

test_cgroups_kill_all_without_pid_namespace ()
{
  _cg_need
  make_bundle "$T/b" sh -c 'sleep 1003 & exec sleep 1004'
  cfg_no_ns "$T/b" pid
  tong run -d --bundle "$T/b" c1 </dev/null
  local path
  path=$(_cg_path c1)
  wait_for 5 sh -c "[ \$(wc -l < '$path/cgroup.procs') -eq 2 ]"
  tong kill --all c1 KILL
  wait_for 5 sh -c "[ ! -s '$path/cgroup.procs' ]" || fail "processes left in $path"
  tong delete c1
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
  tong run -d --bundle "$T/b" c1 </dev/null
  local path
  path=$(_cg_path c1)
  wait_for 5 sh -c "[ \$(wc -l < '$path/cgroup.procs') -eq 3 ]"
  tong delete --force c1
  assert_no_file "$path"
  if pgrep -f 'sleep 100[567]' >/dev/null; then fail "orphans left: $(pgrep -af 'sleep 100[567]')"; fi
  assert_no_containers
}

test_cgroups_exec_joins_the_cgroup ()
{
  _cg_need
  make_bundle "$T/b" sleep 1000
  tong run -d --bundle "$T/b" c1 </dev/null
  assert_eq "$(tong exec c1 cat /proc/self/cgroup | sed -n 's/^0:://p')" "/"
  assert_eq "$(tong exec c1 sh -c 'cat /proc/$$/cgroup' | wc -l)" "$(wc -l </proc/self/cgroup)"
  local n
  n=$(tong exec c1 sh -c "wc -l < /proc/1/cgroup")
  [ -n "$n" ] || fail "no cgroup file"
  tong exec -d c1 sleep 1008
  wait_for 5 sh -c "[ \$(wc -l < '$(_cg_path c1)/cgroup.procs') -eq 2 ]"
  tong delete --force c1
  assert_no_containers
}

test_cgroups_limits_refused_with_the_field ()
{
  _cg_need
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.resources.memory = {limit: 100000000}'
  run_cmd tong run --bundle "$T/b" c1
  assert_ne "$RC" 0
  assert_contains "$ERR" "linux.resources"
  assert_no_file "$CG$CG_OWN/tong/c1"
  assert_no_containers
}
