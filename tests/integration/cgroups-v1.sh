# cgroup v1 on the host (a hybrid host like this suite's, or a pure v1 one):
# a directory of the container's in every v1 hierarchy and, on a hybrid
# host, in the v2 one; the limits in the v1 files (what containerd's CRI and
# podman send by default among them); exec, pause/resume through the
# freezer, ps, kill --all, update, events, device rules as devices.allow /
# devices.deny; nothing left on delete or on a failed create.  A pure v1
# host is also booted in the VM (tests/vm/v1-cases).
#
# Container ids carry the test's pid: the default cgroup tong/<id> lives
# below the runtime's own cgroup, which other runs on the host may share.
C1=v1$$a

_v1_need ()
{
  [ -d /sys/fs/cgroup/memory ] && [ "$(stat -f -c %T /sys/fs/cgroup/memory 2>/dev/null)" = cgroupfs ] ||
    skip "this host has no cgroup v1 memory hierarchy"
}

# _v1_mount CONTROLLER: where its v1 hierarchy is mounted ("" if nowhere).
_v1_mount ()
{
  awk -v c="$1" '$9 == "cgroup" { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo
}

# _v1_dir ID CONTROLLER: the container's directory of CONTROLLER, as the
# state records it (runc's cgroup_paths).
_v1_dir ()
{
  tong state "$1" >/dev/null
  jq -r --arg c "$2" '.cgroup_paths[$c] // empty' "$ROOT/$1/state.json"
}

# _v1_proc_dir PID CONTROLLER: the directory the process is in.
_v1_proc_dir ()
{
  local path
  path=$(awk -F: -v c="$2" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' "/proc/$1/cgroup")
  echo "$(_v1_mount "$2")${path%/}"
}

# Every v1 hierarchy the runtime places containers in, by one controller.
_v1_controllers ()
{
  awk -F: '$1 != 0 && $2 != "" { n = split($2, o, ","); print o[1] }' /proc/self/cgroup |
    grep -v '^name=' ; grep -q ':name=systemd:' /proc/self/cgroup && echo name=systemd
}

test_cgroups_v1_every_hierarchy_holds_init_and_exec ()
{
  _v1_need
  make_bundle "$T/b" sleep 1000
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local pid c dir own
  pid=$(tong state "$C1" | jq .pid)
  tong exec -d "$C1" sleep 999
  local epid
  epid=$(tong ps --format json "$C1" | jq -r --argjson p "$pid" '.[] | select(. != $p)')
  [ -n "$epid" ] || fail "no exec'd process in ps: $(tong ps --format json "$C1")"
  for c in $(_v1_controllers); do
    dir=$(_v1_dir "$C1" "$c")
    own=$(_v1_proc_dir $$ "$c")
    assert_eq "$dir" "$own/tong/$C1"
    assert_eq "$(_v1_proc_dir "$pid" "$c")" "$dir"
    assert_eq "$(_v1_proc_dir "$epid" "$c")" "$dir"
  done
  # a hybrid host: the v2 directory too, where the init was born
  if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    local v2
    v2=$(jq -r .cgroup "$ROOT/$C1/state.json")
    grep -qx "$pid" "$v2/cgroup.procs" || fail "init not in $v2"
    grep -qx "$epid" "$v2/cgroup.procs" || fail "exec'd process not in $v2"
  fi
  local dirs
  dirs=$(jq -r '.cgroup_paths[]' "$ROOT/$C1/state.json" | sort -u)
  tong delete --force "$C1"
  for dir in $dirs; do assert_no_file "$dir"; done
  assert_no_containers
}

# The limits of every v1 controller this host mounts, in its files.
test_cgroups_v1_limits_in_the_files ()
{
  _v1_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources = {
      memory: {limit: 67108864, reservation: 33554432},
      cpu: {shares: 512, quota: 50000, period: 100000, cpus: "0"},
      pids: {limit: 2048}}'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local mem cpu cpuset pids
  mem=$(_v1_dir "$C1" memory)
  assert_eq "$(cat "$mem/memory.limit_in_bytes")" 67108864
  assert_eq "$(cat "$mem/memory.soft_limit_in_bytes")" 33554432
  cpu=$(_v1_dir "$C1" cpu)
  if [ -n "$cpu" ]; then
    assert_eq "$(cat "$cpu/cpu.shares")" 512
    assert_eq "$(cat "$cpu/cpu.cfs_quota_us")" 50000
    assert_eq "$(cat "$cpu/cpu.cfs_period_us")" 100000
  fi
  cpuset=$(_v1_dir "$C1" cpuset)
  [ -z "$cpuset" ] || assert_eq "$(cat "$cpuset/cpuset.cpus")" 0
  pids=$(_v1_dir "$C1" pids)
  [ -z "$pids" ] || assert_eq "$(cat "$pids/pids.max")" 2048
  tong delete --force "$C1"
  assert_no_file "$mem"
  assert_no_containers
}

# The pod sandbox containerd's CRI makes (cpu.shares 2, a cgroupsPath of
# its own), and podman's default pids limit: they run.
test_cgroups_v1_cri_sandbox_and_podman_defaults ()
{
  _v1_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "k8s.io/" + $id
    | .linux.resources = {cpu: {shares: 2}, pids: {limit: 2048},
        devices: [{allow: false, access: "rwm"}]}' --arg id "$C1"
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local cpu own
  cpu=$(_v1_dir "$C1" cpu)
  own=$(_v1_proc_dir $$ cpu)
  assert_eq "$cpu" "$own/k8s.io/$C1"
  assert_eq "$(cat "$cpu/cpu.shares")" 2
  tong delete --force "$C1"
  assert_no_file "$cpu"
  rmdir "$own/k8s.io" 2>/dev/null || true
  assert_no_containers
}

test_cgroups_v1_pids_limit_stops_forks ()
{
  _v1_need
  [ -n "$(_v1_mount pids)" ] || skip "no pids hierarchy"
  make_bundle "$T/b" sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 100 & done; echo all-forked'
  cfg_set "$T/b" '.linux.resources.pids = {limit: 4}'
  run_cmd tong run --bundle "$T/b" "$C1"
  assert_ne "$RC" 0
  assert_contains "$OUT$ERR" "Resource temporarily unavailable"
  assert_not_contains "$OUT" all-forked
  # the same with room for them all
  cfg_set "$T/b" '.linux.resources.pids = {limit: 20}'
  run_cmd tong run --bundle "$T/b" "$C1"
  assert_eq "$RC" 0
  assert_contains "$OUT" all-forked
  assert_no_containers
}

test_cgroups_v1_memory_oom_kill_is_an_event ()
{
  _v1_need
  make_bundle "$T/b" sh -c 'sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; echo dd-rc=$?; sleep 1000'
  cfg_set "$T/b" '.linux.resources.memory = {limit: 33554432}'
  tong create --bundle "$T/b" "$C1" </dev/null
  local mem
  mem=$(_v1_dir "$C1" memory)
  grep -q '^oom_kill ' "$mem/memory.oom_control" || skip "this kernel's memory.oom_control counts no oom_kill"
  "$TONG" --root "$ROOT" events --interval 200ms "$C1" >"$T/events" 2>&1 &
  local ev=$!
  on_exit "kill $ev 2>/dev/null || true"
  tong start "$C1"
  wait_for 20 grep -q '"type":"oom"' "$T/events"
  assert_ne "$(awk '$1 == "oom_kill" { print $2 }' "$mem/memory.oom_control")" 0
  tong delete --force "$C1"
  assert_no_containers
}

test_cgroups_v1_pause_resume_through_the_freezer ()
{
  _v1_need
  [ -n "$(_v1_mount freezer)" ] || skip "no freezer hierarchy"
  make_bundle "$T/b" sh -c 'while :; do echo x >/dev/null; done'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local fz
  fz=$(_v1_dir "$C1" freezer)
  tong pause "$C1"
  assert_eq "$(cat "$fz/freezer.state")" FROZEN
  assert_eq "$(state_of "$C1")" paused
  tong resume "$C1"
  assert_eq "$(cat "$fz/freezer.state")" THAWED
  assert_eq "$(state_of "$C1")" running
  # a paused container is killed and removed whole
  tong pause "$C1"
  tong delete --force "$C1"
  assert_no_file "$fz"
  assert_no_containers
}

test_cgroups_v1_ps_and_kill_all ()
{
  _v1_need
  make_bundle "$T/b" sh -c 'sleep 1000 & sleep 1000'
  cfg_no_ns "$T/b" pid
  tong run -d --bundle "$T/b" "$C1" </dev/null
  # the shell and its two sleeps (the last one exec'd by the shell)
  wait_for 5 eval '[ "$(tong ps --format json "$C1" | jq length)" -eq 2 ]'
  tong kill --all "$C1" KILL
  wait_status "$C1" stopped
  local mem
  mem=$(_v1_dir "$C1" memory)
  wait_for 5 test ! -s "$mem/cgroup.procs"
  tong delete "$C1"
  assert_no_file "$mem"
  assert_no_containers
}

test_cgroups_v1_update_rewrites_the_files ()
{
  _v1_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 100}, cpu: {shares: 512}}'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local mem pids cpu
  mem=$(_v1_dir "$C1" memory)
  pids=$(_v1_dir "$C1" pids)
  cpu=$(_v1_dir "$C1" cpu)
  tong update --memory 134217728 --pids-limit 50 --cpu-share 256 "$C1"
  assert_eq "$(cat "$mem/memory.limit_in_bytes")" 134217728
  [ -z "$pids" ] || assert_eq "$(cat "$pids/pids.max")" 50
  [ -z "$cpu" ] || assert_eq "$(cat "$cpu/cpu.shares")" 256
  # a later partial update keeps what an earlier one set
  echo '{"pids": {"limit": 60}}' | tong update --resources - "$C1"
  assert_eq "$(cat "$mem/memory.limit_in_bytes")" 134217728
  [ -z "$pids" ] || assert_eq "$(cat "$pids/pids.max")" 60
  tong delete --force "$C1"
  assert_no_containers
}

test_cgroups_v1_events_stats ()
{
  _v1_need
  make_bundle "$T/b" sh -c 'head -c 8000000 /dev/zero | tail -c 1 >/dev/null; sleep 1000'
  cfg_set "$T/b" '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 100}}'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  sleep 0.5
  local json
  json=$(tong events --stats "$C1")
  assert_json "$json" ".type == \"stats\" and .id == \"$C1\""
  assert_json "$json" '.data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0'
  assert_json "$json" '.data.cpu.usage.total > 0'
  if [ -n "$(_v1_mount pids)" ]; then
    assert_json "$json" '.data.pids.current >= 1 and .data.pids.limit == 100'
  fi
  tong delete --force "$C1"
  assert_no_containers
}

# Device rules as cgroup v1's devices controller holds them, with the eBPF
# filter's meaning: the same opens succeed and fail.
test_cgroups_v1_device_rules ()
{
  _v1_need
  [ -n "$(_v1_mount devices)" ] || skip "no devices hierarchy"
  make_bundle "$T/b" sh -c '
    : </tun && echo tun-read-ok
    (: >/tun) 2>/dev/null || echo tun-write-denied
    (: </fuse) 2>&1 || echo fuse-denied
    echo x >/dev/null && echo null-ok
    sleep 1000'
  mknod "$T/b/rootfs/tun" c 10 200
  mknod "$T/b/rootfs/fuse" c 10 229
  cfg_set "$T/b" '.linux.resources.devices = [{allow: false, access: "rwm"},
    {allow: true, type: "c", major: 10, minor: 200, access: "r"}]'
  tong run -d --bundle "$T/b" "$C1" </dev/null
  local dev
  dev=$(_v1_dir "$C1" devices)
  grep -qx 'c 10:200 r' "$dev/devices.list" || fail "no tun rule in devices.list: $(cat "$dev/devices.list")"
  grep -qx 'c 1:3 rwm' "$dev/devices.list" || fail "no /dev/null rule: $(cat "$dev/devices.list")"
  grep -q '^a ' "$dev/devices.list" && fail "everything allowed: $(cat "$dev/devices.list")"
  tong delete --force "$C1"
  # the opens themselves, in the foreground
  make_bundle "$T/b2" sh -c '
    : </tun && echo tun-read-ok
    (: >/tun) 2>/dev/null || echo tun-write-denied
    (: </fuse) 2>&1 || echo fuse-denied
    echo x >/dev/null && echo null-ok'
  mknod "$T/b2/rootfs/tun" c 10 200
  mknod "$T/b2/rootfs/fuse" c 10 229
  cp "$T/b/config.json" "$T/b2/config.json"
  cfg_set "$T/b2" '.process.args = ["sh", "-c", ": </tun && echo tun-read-ok; (: >/tun) 2>/dev/null || echo tun-write-denied; (: </fuse) 2>&1 || echo fuse-denied; echo x >/dev/null && echo null-ok"]'
  run_cmd tong run --bundle "$T/b2" "$C1"
  assert_eq "$RC" 0
  assert_contains "$OUT" tun-read-ok
  assert_contains "$OUT" tun-write-denied
  assert_contains "$OUT" "Operation not permitted"
  assert_contains "$OUT" fuse-denied
  assert_contains "$OUT" null-ok
  assert_no_containers
}

# A create that fails on a limit leaves no directory in any hierarchy.
test_cgroups_v1_failed_create_leaves_nothing ()
{
  _v1_need
  [ -n "$(_v1_mount cpuset)" ] || skip "no cpuset hierarchy"
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.resources = {memory: {limit: 67108864}, cpu: {cpus: "999"}}'
  run_cmd tong run --bundle "$T/b" "$C1"
  assert_ne "$RC" 0
  assert_contains "$ERR" "linux.resources.cpu.cpus"
  local c
  for c in $(_v1_controllers); do
    assert_no_file "$(_v1_proc_dir $$ "$c")/tong/$C1"
  done
  assert_no_file "$ROOT/$C1"
  assert_no_containers
}

# cgroupsPath absolute (below each hierarchy's root) and relative.
test_cgroups_v1_paths_absolute_and_relative ()
{
  _v1_need
  local own_mem abs
  own_mem=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
  own_mem=${own_mem%/}
  # absolute, but below this test's own memory cgroup (the machine's limit)
  abs="$own_mem/tongabs$$"
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = $p' --arg p "$abs"
  tong run -d --bundle "$T/b" "$C1" </dev/null
  assert_eq "$(_v1_dir "$C1" memory)" "$(_v1_mount memory)$abs"
  local cpu
  cpu=$(_v1_dir "$C1" cpu)
  [ -z "$cpu" ] || assert_eq "$cpu" "$(_v1_mount cpu)$abs"
  tong delete --force "$C1"
  assert_no_file "$(_v1_mount memory)$abs"
  [ -z "$cpu" ] || assert_no_file "$cpu"
  # the levels above it that other hierarchies had to make (never the
  # caller's own: rmdir fails on a cgroup with processes)
  for c in $(_v1_controllers); do
    rmdir "$(_v1_mount "$c")$own_mem" "$(_v1_mount "$c")${own_mem%/*}" 2>/dev/null || true
  done
  cfg_set "$T/b" '.linux.cgroupsPath = "rel" + $n + "/x"' --arg n "$$"
  tong run -d --bundle "$T/b" "$C1" </dev/null
  assert_eq "$(_v1_dir "$C1" memory)" "$(_v1_proc_dir $$ memory)/rel$$/x"
  tong delete --force "$C1"
  for c in $(_v1_controllers); do rmdir "$(_v1_proc_dir $$ "$c")/rel$$" 2>/dev/null || true; done
  assert_no_containers
}

# The systemd driver on a v1 host fails naming why (here: no systemd as
# the init, or, with it, the v1 host), leaving nothing.
test_cgroups_v1_refusals ()
{
  _v1_need
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.resources = {memory: {limit: 67108864}}'
  run_cmd tong --systemd-cgroup run --bundle "$T/b" "$C1"
  assert_ne "$RC" 0
  assert_match "$ERR" "systemd (cgroup driver is not supported on a cgroup v1|as the init system)|system bus|libsystemd"
  local c
  for c in $(_v1_controllers); do
    assert_no_file "$(_v1_proc_dir $$ "$c")/tong/$C1"
  done
  assert_no_containers
}

# A process over memory.limit_in_bytes is killed by the kernel's OOM
# killer: `run` exits 137, as with runc.
test_cgroups_v1_oom_kill_exits_137 ()
{
  _v1_need
  make_bundle "$T/b" sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1'
  cfg_set "$T/b" '.linux.resources.memory = {limit: 16777216}'
  run_cmd tong run --bundle "$T/b" "$C1"
  assert_eq "$RC" 137
  assert_no_containers
}

# 20 containers with limits created at once, each in its own directories.
test_cgroups_v1_parallel_creates ()
{
  _v1_need
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 100}, cpu: {shares: 512}}'
  local i pids=()
  for i in $(seq 20); do
    "$TONG" --root "$ROOT" create --bundle "$T/b" "$C1-$i" </dev/null >"$T/out.$i" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "create $C1-$((i + 1)) failed: $(cat "$T/out.$((i + 1))")"
  done
  local dirs=
  for i in $(seq 20); do
    dirs="$dirs $(jq -r '.cgroup_paths[]' "$ROOT/$C1-$i/state.json" | sort -u | xargs)"
    assert_eq "$(cat "$(_v1_dir "$C1-$i" memory)/memory.limit_in_bytes")" 67108864
  done
  for i in $(seq 20); do
    "$TONG" --root "$ROOT" delete --force "$C1-$i" &
  done
  wait
  local d
  for d in $dirs; do assert_no_file "$d"; done
  assert_no_containers
}

# What the container sees at /sys/fs/cgroup (the spec's "cgroup" mount) on
# a v1 host: its own cgroup of every hierarchy, as runc mounts it, read-only
# as the mount asks: a program reading its memory limit from the v1 files
# (a JVM, say) finds it.  With and without a cgroup namespace.
test_cgroups_v1_container_sees_its_own_cgroups ()
{
  _v1_need
  local ns
  for ns in with without; do
    make_bundle "$T/b-$ns" sh -c '
      cat /sys/fs/cgroup/memory/memory.limit_in_bytes
      ls /sys/fs/cgroup | tr "\n" " "; echo
      n=0; while read -r p; do n=$((n + 1)); done </sys/fs/cgroup/memory/cgroup.procs; echo $n
      echo 1 >/sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || echo read-only'
    cfg_set "$T/b-$ns" '.linux.resources.memory = {limit: 67108864}'
    [ "$ns" = without ] && cfg_no_ns "$T/b-$ns" cgroup
    run_cmd tong run --bundle "$T/b-$ns" "$C1"
    assert_eq "$RC" 0
    assert_eq "$(sed -n 1p <<<"$OUT")" 67108864
    assert_contains "$(sed -n 2p <<<"$OUT")" memory
    # its own cgroup: the container's one process (the host's are elsewhere)
    assert_eq "$(sed -n 3p <<<"$OUT")" 1
    assert_contains "$OUT" read-only
  done
  # a co-mounted or unified hierarchy appears under the host's names too
  if [ -d /sys/fs/cgroup/unified ]; then
    make_bundle "$T/u" sh -c 'test -e /sys/fs/cgroup/unified/cgroup.procs && echo unified-ok'
    run_cmd tong run --bundle "$T/u" "$C1"
    assert_contains "$OUT" unified-ok
  fi
  assert_no_containers
}
