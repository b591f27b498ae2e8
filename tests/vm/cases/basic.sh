# The VM's cgroup v2 hierarchy itself, and what tong does with it when a spec
# asks for no limits: a cgroup per container that holds the init from its
# first instruction, pause/resume through cgroup.freeze, kill --all and
# delete --force that leave no process and no cgroup.
#
# The VM's init runs the tests in the root cgroup, so a container's default
# cgroup is /sys/fs/cgroup/tong/ID.

CG=/sys/fs/cgroup

_cg_path ()
{
  tong state "$1" >/dev/null
  jq -r .cgroup "$ROOT/$1/state.json"
}

# usage_usec of a cgroup's cpu.stat: CPU time of all its processes.
_cg_usage ()
{
  awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"
}

_cg_empty ()
{
  [ ! -s "$1/cgroup.procs" ]
}

# _cg_usage_above DIR US: the cgroup's usage_usec exceeds US.  Tests wait for
# CPU time rather than sleep a fixed time: under TCG on a loaded host a vCPU
# gets what the host leaves it.
_cg_usage_above ()
{
  [ "$(_cg_usage "$1")" -gt "$2" ]
}

test_vm_cgroup2_root_offers_the_controllers ()
{
  assert_eq "$(stat -f -c %T "$CG")" cgroup2fs
  assert_eq "$(cat /proc/self/cgroup)" "0::/"
  local c
  for c in cpuset cpu io memory hugetlb pids; do
    assert_contains " $(cat "$CG/cgroup.controllers") " " $c "
    # the VM's init enables them all for the containers' cgroups
    assert_contains " $(cat "$CG/cgroup.subtree_control") " " $c "
  done
}

test_vm_modules_are_loaded ()
{
  # not built into the cloud kernel: the init loads them
  assert_contains "$(cat /proc/filesystems)" overlay
  assert_file /sys/module/veth
}

test_vm_init_is_born_in_its_cgroup ()
{
  make_bundle "$T/b" sleep 1000
  tong create --bundle "$T/b" c1
  local pid path
  pid=$(tong state c1 | jq -r .pid)
  path=$(_cg_path c1)
  assert_eq "$path" "$CG/tong/c1"
  # CLONE_INTO_CGROUP: the init is there before start, and nowhere else
  assert_eq "$(cat "$path/cgroup.procs")" "$pid"
  assert_eq "$(cat "/proc/$pid/cgroup")" "0::/tong/c1"
  assert_contains "$(cat "$path/cgroup.events")" "populated 1"
  tong start c1
  assert_eq "$(cat "$path/cgroup.procs")" "$pid"
  tong delete --force c1
  assert_no_file "$path"
  assert_no_file "$CG/tong"
  assert_no_containers
}

# Where clone3 is refused (ENOSYS: an old kernel, a container engine's
# seccomp profile) tong clones with clone(2) and moves the process into its
# cgroup itself, before it is released: the init and an exec'd process end
# up where CLONE_INTO_CGROUP puts them.
test_vm_without_clone3_init_and_exec_join_the_cgroup ()
{
  local nc="$BUILD_DIR/tests/tools/no-clone3" pid path out
  [ -x "$nc" ] || skip "tests/tools/no-clone3 is not built (make check TESTS=)"
  make_bundle "$T/b" sleep 1000
  "$nc" "$TONG" --root "$ROOT" create --bundle "$T/b" c1 </dev/null
  pid=$(tong state c1 | jq -r .pid)
  path=$(_cg_path c1)
  assert_eq "$path" "$CG/tong/c1"
  assert_eq "$(cat "$path/cgroup.procs")" "$pid"
  assert_eq "$(cat "/proc/$pid/cgroup")" "0::/tong/c1"
  "$nc" "$TONG" --root "$ROOT" start c1
  # in the container's cgroup namespace its own cgroup is the root
  out=$("$nc" "$TONG" --root "$ROOT" exec c1 cat /proc/self/cgroup </dev/null)
  assert_eq "$out" "0::/"
  tong delete --force c1
  assert_no_file "$path"
  assert_no_file "$CG/tong"
  assert_no_containers
}

test_vm_nested_cgroups_path ()
{
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "/tong-vm-a/b/c1"'
  tong run -d --bundle "$T/b" c1 </dev/null
  local pid
  pid=$(tong state c1 | jq -r .pid)
  assert_eq "$(_cg_path c1)" "$CG/tong-vm-a/b/c1"
  assert_eq "$(cat "$CG/tong-vm-a/b/c1/cgroup.procs")" "$pid"
  tong delete --force c1
  assert_no_file "$CG/tong-vm-a/b/c1"
  rmdir "$CG/tong-vm-a/b" "$CG/tong-vm-a"
  assert_no_containers
}

test_vm_spec_without_limits_runs ()
{
  # tong spec's default: only the deny-all device rule
  make_bundle "$T/b" sh -c 'echo hello; exit 3'
  run_cmd tong run --bundle "$T/b" c1
  assert_eq "$RC" 3
  assert_eq "$OUT" hello
  # no linux.resources at all
  cfg_set "$T/b" 'del(.linux.resources)'
  run_cmd tong run --bundle "$T/b" c2
  assert_eq "$RC" 3
  assert_eq "$OUT" hello
  assert_no_file "$CG/tong"
  assert_no_containers
}

test_vm_pause_freezes_a_busy_loop ()
{
  make_bundle "$T/b" sh -c 'while :; do :; done'
  tong run -d --bundle "$T/b" c1 </dev/null
  local path a b c
  path=$(_cg_path c1)
  # the loop runs: its cgroup's CPU time advances
  a=$(_cg_usage "$path")
  wait_for 30 _cg_usage_above "$path" $((a + 200000)) || fail "the busy loop used no CPU time"

  tong pause c1
  assert_eq "$(state_of c1)" paused
  assert_contains "$(cat "$path/cgroup.events")" "frozen 1"
  assert_eq "$(cat "$path/cgroup.freeze")" 1
  a=$(_cg_usage "$path")
  sleep 1.5
  b=$(_cg_usage "$path")
  assert_eq "$b" "$a" "usage_usec while frozen"

  tong resume c1
  assert_eq "$(state_of c1)" running
  assert_contains "$(cat "$path/cgroup.events")" "frozen 0"
  wait_for 30 _cg_usage_above "$path" $((b + 200000)) || fail "no CPU time used after resume"

  # a frozen container is killed and removed by delete --force
  tong pause c1
  tong delete --force c1
  assert_no_file "$path"
  assert_no_containers
}

test_vm_kill_all_reaches_every_process ()
{
  # without a pid namespace, only the cgroup knows all the processes
  make_bundle "$T/b" sh -c 'sleep 2001 & sleep 2002 & exec sleep 2003'
  cfg_no_ns "$T/b" pid
  tong run -d --bundle "$T/b" c1 </dev/null
  local path pids p
  path=$(_cg_path c1)
  wait_for 10 sh -c "[ \$(wc -l < '$path/cgroup.procs') -eq 3 ]"
  pids=$(cat "$path/cgroup.procs")
  tong kill --all c1 TERM
  wait_for 10 _cg_empty "$path" || fail "processes left after kill --all TERM: $(cat "$path/cgroup.procs")"
  for p in $pids; do
    assert_pid_gone "$p"
  done
  wait_status c1 stopped
  tong delete c1
  assert_no_file "$path"

  make_bundle "$T/k" sh -c 'sleep 2004 & sleep 2005 & exec sleep 2006'
  cfg_no_ns "$T/k" pid
  tong run -d --bundle "$T/k" c2 </dev/null
  path=$(_cg_path c2)
  wait_for 10 sh -c "[ \$(wc -l < '$path/cgroup.procs') -eq 3 ]"
  tong kill --all c2 KILL
  wait_for 10 _cg_empty "$path" || fail "processes left after kill --all KILL: $(cat "$path/cgroup.procs")"
  # cgroup.events says so once the last task is released, just after cgroup.procs empties
  wait_for 10 grep -q "populated 0" "$path/cgroup.events" ||
    fail "cgroup.events after kill --all KILL: $(cat "$path/cgroup.events")"
  wait_status c2 stopped
  tong delete c2
  assert_no_file "$path"
  assert_no_containers
}

test_vm_delete_force_leaves_no_cgroup_and_no_process ()
{
  make_bundle "$T/b" sh -c 'sleep 2007 & (sleep 2008 & wait) & exec sleep 2009'
  cfg_no_ns "$T/b" pid
  tong run -d --bundle "$T/b" c1 </dev/null
  local path pids p
  path=$(_cg_path c1)
  wait_for 10 sh -c "[ \$(wc -l < '$path/cgroup.procs') -eq 4 ]"
  pids=$(cat "$path/cgroup.procs")
  tong delete --force c1
  assert_no_file "$path"
  assert_no_file "$CG/tong"
  for p in $pids; do
    assert_pid_gone "$p" 1
  done
  if pgrep -f 'sleep 200[789]' >/dev/null; then fail "processes left: $(pgrep -af 'sleep 200[789]')"; fi
  assert_no_containers
}

# The kernel enforces the limits the resource tests rely on, checked on a raw
# cgroup without tong: when those tests fail, these say whether the VM or
# tong is at fault.

# _raw_cgroup NAME: create $CG/NAME and set CGD; when the test ends, its
# processes are killed and it is removed.
_raw_cgroup ()
{
  CGD=$CG/$1
  mkdir "$CGD"
  on_exit "echo 1 >'$CGD/cgroup.kill'; wait_for 5 _cg_empty '$CGD'; rmdir '$CGD'"
}

# _in_cgroup DIR CMD: run `sh -c CMD` inside the cgroup DIR.
_in_cgroup ()
{
  sh -c "echo \$\$ > '$1/cgroup.procs' && exec sh -c \"\$0\"" "$2"
}

test_vm_kernel_cpu_max_throttles ()
{
  _raw_cgroup tong-vm-raw-cpu
  echo "10000 100000" >"$CGD/cpu.max"
  local pid a b
  bg_start pid _in_cgroup "$CGD" 'while :; do :; done'
  wait_for 30 grep -q '^nr_throttled [1-9]' "$CGD/cpu.stat" ||
    fail "never throttled: $(cat "$CGD/cpu.stat")"
  a=$(_cg_usage "$CGD")
  sleep 2
  b=$(_cg_usage "$CGD")
  # 10% of one CPU for 2 s, with room for TCG's coarse clock
  [ $((b - a)) -lt 400000 ] || fail "a loop limited to 10% of a CPU used $((b - a)) us in 2 s"
}

test_vm_kernel_memory_max_oom_kills ()
{
  _raw_cgroup tong-vm-raw-mem
  echo 32M >"$CGD/memory.max"
  [ ! -e "$CGD/memory.swap.max" ] || echo 0 >"$CGD/memory.swap.max"
  run_cmd _in_cgroup "$CGD" 'dd if=/dev/zero of=/dev/null bs=96M count=1'
  assert_eq "$RC" 137 "dd killed by SIGKILL"
  assert_match "$(cat "$CGD/memory.events")" '^oom_kill [1-9]'
  # the same program fits without the limit
  echo max >"$CGD/memory.max"
  assert_ok _in_cgroup "$CGD" 'dd if=/dev/zero of=/dev/null bs=96M count=1'
}

test_vm_kernel_pids_max_stops_forks ()
{
  _raw_cgroup tong-vm-raw-pids
  echo 5 >"$CGD/pids.max"
  # a fork bomb in slow motion: ten sleepers, one after the other
  run_cmd _in_cgroup "$CGD" 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 30 & done; wait'
  assert_ne "$RC" 0
  assert_contains "$ERR" "fork"
  assert_match "$(cat "$CGD/pids.events")" '^max [1-9]'
  [ "$(cat "$CGD/pids.current")" -le 5 ] || fail "pids.current $(cat "$CGD/pids.current") > pids.max 5"
}
