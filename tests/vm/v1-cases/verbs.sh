# The verbs on a pure cgroup v1 host: processes in every hierarchy, pause
# and resume through the freezer, ps, kill --all, update, events --stats,
# and delete leaving no directory in any hierarchy.

# shellcheck source=tests/vm/v1-cases/helpers.sh
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

# Every hierarchy of the host, misc and the named name=systemd too: a
# process left in the runtime's own cgroup of one of them escapes the
# container there (runc 1.1 knows no misc controller and fails this test).
test_v1_init_and_exec_in_every_hierarchy ()
{
  make_bundle "$T/b" sleep 1000
  tong run -d --bundle "$T/b" every </dev/null
  local pid epid h p
  pid=$(init_pid every)
  tong exec -d --pid-file "$T/exec.pid" every sleep 1000
  epid=$(cat "$T/exec.pid")
  assert_eq "$(v1_lines "$pid" | cut -d' ' -f1)" "$(v1_hierarchies)" "the init's hierarchies"
  assert_contains "$(v1_hierarchies)" name=systemd
  while read -r h p; do
    assert_ne "$p" "$(own_path "$h")" "the init's $h directory is the runtime's own"
    grep -qx "$pid" "$(v1_mountpoint "$h")$p/cgroup.procs" || fail "init $pid is not in $h's $p"
  done < <(v1_lines "$pid")
  assert_eq "$(v1_lines "$epid")" "$(v1_lines "$pid")" "the exec'd process's directories"
  tong delete --force every
  assert_no_containers
}

test_v1_pause_and_resume_through_the_freezer ()
{
  make_bundle "$T/b" sh -c 'while :; do :; done'
  tong run -d --bundle "$T/b" pz </dev/null
  local fr cpu a b
  fr=$(ctr_dir pz freezer)
  cpu=$(ctr_dir pz cpuacct)
  assert_eq "$(cat "$fr/freezer.state")" THAWED
  sleep 0.5
  tong pause pz
  assert_eq "$(cat "$fr/freezer.state")" FROZEN
  assert_eq "$(state_of pz)" paused
  a=$(cat "$cpu/cpuacct.usage")
  sleep 1
  b=$(cat "$cpu/cpuacct.usage")
  assert_eq "$a" "$b" "no CPU used while paused"
  tong resume pz
  assert_eq "$(cat "$fr/freezer.state")" THAWED
  assert_eq "$(state_of pz)" running
  sleep 0.5
  b=$(cat "$cpu/cpuacct.usage")
  [ "$b" -gt "$a" ] || fail "no CPU used after resume"
  tong delete --force pz
  assert_no_file "$fr"
  assert_no_containers
}

test_v1_ps_lists_init_and_exec ()
{
  make_bundle "$T/b" sleep 1000
  tong run -d --bundle "$T/b" ps </dev/null
  local pid epid
  pid=$(init_pid ps)
  tong exec -d --pid-file "$T/exec.pid" ps sleep 999
  epid=$(cat "$T/exec.pid")
  assert_json "$(tong ps --format json ps)" 'sort == ([$a, $b] | sort)' --argjson a "$pid" --argjson b "$epid"
  assert_ok tong ps ps
  assert_eq "$(printf '%s\n' "$OUT" | awk 'NR > 1 { print $2 }' | sort -n | tr '\n' ' ')" \
    "$(printf '%s\n' "$pid" "$epid" | sort -n | tr '\n' ' ')" "the PID column of tong ps"
  tong delete --force ps
  assert_no_containers
}

# In the host's pid namespace killing the init leaves the others alive:
# only --all reaches every process of the container's cgroup.
test_v1_kill_all ()
{
  make_bundle "$T/b" sh -c 'sleep 1000 & exec sleep 1000'
  cfg_no_ns "$T/b" pid
  tong run -d --bundle "$T/b" ka </dev/null
  tong exec -d ka sleep 1000
  local d pids p
  d=$(ctr_dir ka freezer)
  wait_for 10 sh -c "[ \$(wc -l <'$d/cgroup.procs') -eq 3 ]" || fail "not 3 processes: $(cat "$d/cgroup.procs")"
  pids=$(cat "$d/cgroup.procs")
  tong kill --all ka KILL
  for p in $pids; do
    assert_pid_gone "$p" 10
  done
  wait_status ka stopped
  assert_eq "$(cat "$d/cgroup.procs")" ""
  tong delete ka
  assert_no_file "$d"
  assert_no_containers
}

test_v1_update_rewrites_the_files ()
{
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources = {memory: {limit: 134217728, swap: 268435456}, pids: {limit: 100},
    cpu: {shares: 1024, quota: 50000, period: 100000}}'
  tong run -d --bundle "$T/b" upd </dev/null
  local mem cpu pids
  mem=$(ctr_dir upd memory)
  cpu=$(ctr_dir upd cpu)
  pids=$(ctr_dir upd pids)
  # --cpu-share: runc's spelling, which tong takes as well as --cpu-shares
  tong update --memory 64m --memory-swap 96m --pids-limit 3 --cpu-share 512 \
    --cpu-quota 20000 --cpu-period 50000 upd
  assert_eq "$(cat "$mem/memory.limit_in_bytes")" 67108864
  assert_eq "$(cat "$mem/memory.memsw.limit_in_bytes")" 100663296
  assert_eq "$(cat "$pids/pids.max")" 3
  assert_eq "$(cat "$cpu/cpu.shares")" 512
  assert_eq "$(cat "$cpu/cpu.cfs_quota_us")" 20000
  assert_eq "$(cat "$cpu/cpu.cfs_period_us")" 50000
  # the live limit holds: the 4th process cannot be made
  run_cmd tong exec upd sh -c 'sleep 100 & sleep 100 & wait'
  assert_ne "$RC" 0
  # raising both needs memsw first (v1 refuses memory above memsw)
  echo '{"memory": {"limit": 536870912, "swap": 1073741824}, "pids": {"limit": -1}}' |
    tong update --resources - upd
  assert_eq "$(cat "$mem/memory.limit_in_bytes")" 536870912
  assert_eq "$(cat "$mem/memory.memsw.limit_in_bytes")" 1073741824
  assert_eq "$(cat "$pids/pids.max")" max
  tong delete --force upd
  assert_no_file "$mem"
  assert_no_containers
}

test_v1_events_stats ()
{
  make_bundle "$T/b" sh -c 'sleep 1000 & i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 1000'
  cfg_set "$T/b" '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 50}}'
  tong run -d --bundle "$T/b" ev </dev/null
  wait_for 20 sh -c "[ \$(cat '$(ctr_dir ev pids)/pids.current') -eq 2 ]"
  local json
  json=$(tong events --stats ev)
  assert_json "$json" '.type == "stats" and .id == "ev"'
  assert_json "$json" '.data.pids.current == 2 and .data.pids.limit == 50'
  assert_json "$json" '.data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0'
  assert_json "$json" '.data.cpu.usage.total > 0'
  tong delete --force ev
  assert_no_containers
}

test_v1_delete_removes_every_directory ()
{
  make_bundle "$T/b" sleep 1000
  # a first container, so that a parent the runtime keeps exists before
  tong run -d --bundle "$T/b" del </dev/null
  tong delete --force del
  local before pid h p dirs=()
  before=$(v1_dirs)
  tong run -d --bundle "$T/b" del </dev/null
  pid=$(init_pid del)
  while read -r h p; do
    [ "$p" = "$(own_path "$h")" ] || dirs+=("$(v1_mountpoint "$h")$p")
  done < <(v1_lines "$pid")
  [ ${#dirs[@]} -ge 2 ] || fail "the container has ${#dirs[@]} directories"
  tong delete --force del
  for p in "${dirs[@]}"; do
    assert_no_file "$p"
  done
  assert_eq "$(v1_dirs)" "$before" "the cgroup directories after delete"
  assert_no_containers
}
