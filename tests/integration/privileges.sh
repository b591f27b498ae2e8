# What the container process is allowed, beyond identity and capabilities:
# linux.personality, process.ioPriority, process.scheduler, and masked and
# read-only paths that hold against a container trying to undo them.

test_privileges_personality_linux32 ()
{
  [ "$(uname -m)" = x86_64 ] || skip "LINUX32 is checked on x86_64 hosts (uname -m is $(uname -m))"
  make_bundle "$T/b"
  cfg_set "$T/b" '.linux.personality = {domain: "LINUX32"}'
  assert_eq "$(in_container "$T/b" 'uname -m')" i686
  cfg_set "$T/b" '.linux.personality = {domain: "LINUX"}'
  assert_eq "$(in_container "$T/b" 'uname -m')" x86_64
  assert_no_containers
}

test_privileges_personality_unknown_domain_fails ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.personality = {domain: "LINUX16"}'
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" 'linux.personality.domain'
  assert_contains "$ERR" '"LINUX16"'
  assert_no_containers
}

test_privileges_io_priority ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 3}'
  assert_eq "$(in_container "$T/b" 'ionice -p $$')" "best-effort: prio 3"
  cfg_set "$T/b" '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}'
  assert_match "$(in_container "$T/b" 'ionice -p $$')" "^idle"
  assert_no_containers
}

test_privileges_io_priority_invalid_fails ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.ioPriority = {class: "IOPRIO_CLASS_NOPE", priority: 3}'
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" 'process.ioPriority.class: unknown I/O priority class "IOPRIO_CLASS_NOPE"'
  assert_no_containers
  cfg_set "$T/b" '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 8}'
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "process.ioPriority.priority: 8 is out of range"
  assert_no_containers
}

# _sched_policy B: the scheduling policy number of the container's process.
_sched_policy ()
{
  in_container "$1" 'grep "^policy" /proc/self/sched' | awk '{print $NF}'
}

test_privileges_scheduler_batch ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.scheduler = {policy: "SCHED_BATCH"}'
  assert_eq "$(_sched_policy "$T/b")" 3
  # without process.scheduler: SCHED_OTHER
  cfg_set "$T/b" 'del(.process.scheduler)'
  assert_eq "$(_sched_policy "$T/b")" 0
  assert_no_containers
}

test_privileges_scheduler_fifo_as_root ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.scheduler = {policy: "SCHED_FIFO", priority: 1}'
  # With real-time group scheduling in a cgroup v1 cpu hierarchy, a new cpu
  # cgroup has no real-time budget (cpu.rt_runtime_us 0): SCHED_FIFO is
  # refused there, as with runc.  Without a cgroup of its own it is granted.
  if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]; then
    cfg_args "$T/b" true
    run_cmd tong run --bundle "$T/b" rt$$
    assert_ne "$RC" 0
    assert_contains "$ERR" "SCHED_FIFO"
    tong () { "$TONG" --root "$ROOT" --cgroup-manager disabled "$@"; }
  fi
  assert_eq "$(_sched_policy "$T/b")" 1
  assert_no_containers
}

test_privileges_scheduler_unknown_policy_fails ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.scheduler = {policy: "SCHED_FAST"}'
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" 'process.scheduler.policy'
  assert_contains "$ERR" '"SCHED_FAST"'
  assert_no_containers
}

# The container tries to undo its masks and read-only paths; every attempt
# prints "undone: WHAT" when it works.  Then what the masks hide is checked.
_UNDO_MASKS='
try () { if "$@" 2>/dev/null; then echo "undone: $*"; fi; }
try mount -o remount,rw /proc/sys
try mount -o remount,rw,bind /proc/sys
try umount /proc/sys
try umount -l /proc/sys
try umount /sys/firmware
try umount -l /sys/firmware
try mount --bind /tmp /sys/firmware
try mount -t tmpfs none /sys/firmware
try umount /proc/timer_list
try mount --bind /tmp/probe /proc/timer_list
try mount -o remount,rw /sys/firmware
echo "timer_list: $(wc -c </proc/timer_list)"
echo "firmware: $(ls -A /sys/firmware | wc -l)"
touch /sys/firmware/x 2>/dev/null && echo "firmware writable"
grep " /proc/sys " /proc/self/mountinfo | cut -d" " -f6 | cut -d, -f1 | sed "s/^/proc_sys: /"
echo kernel-hostname-probe >/proc/sys/kernel/hostname 2>/dev/null && echo "proc/sys writable"
true
'

test_privileges_masks_hold_against_the_container ()
{
  make_bundle "$T/b"
  echo probe >"$T/b/rootfs/tmp/probe"
  # the default spec's masks and read-only paths, and its capabilities
  assert_json "$(cat "$T/b/config.json")" '.linux.maskedPaths | index(["/sys/firmware"]) != null'
  assert_json "$(cat "$T/b/config.json")" '.linux.maskedPaths | index(["/proc/timer_list"]) != null'
  assert_json "$(cat "$T/b/config.json")" '.linux.readonlyPaths | index(["/proc/sys"]) != null'
  assert_json "$(cat "$T/b/config.json")" '.process.capabilities.bounding | index(["CAP_SYS_ADMIN"]) == null'
  # a UTS namespace: the hostname probe could never reach the host
  assert_json "$(cat "$T/b/config.json")" '[.linux.namespaces[].type] | index(["uts"]) != null'
  [ -e /proc/timer_list ] || skip "this kernel has no /proc/timer_list to mask"
  local out
  out=$(in_container "$T/b" "$_UNDO_MASKS")
  assert_not_contains "$out" "undone:"
  assert_contains "$out" "timer_list: 0"
  assert_contains "$out" "firmware: 0"
  assert_not_contains "$out" "firmware writable"
  assert_contains "$out" "proc_sys: ro"
  assert_not_contains "$out" "proc/sys writable"
  assert_no_containers
}

test_privileges_masks_hold_in_a_user_namespace ()
{
  make_bundle "$T/b"
  cfg_ns "$T/b" user
  cfg_set "$T/b" '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
  echo probe >"$T/b/rootfs/tmp/probe"
  chown -R 100000:100000 "$T/b/rootfs"
  [ -e /proc/timer_list ] || skip "this kernel has no /proc/timer_list to mask"
  # root in the container's user namespace, with the default capabilities
  local out
  out=$(in_container "$T/b" "$_UNDO_MASKS")
  assert_not_contains "$out" "undone:"
  assert_contains "$out" "timer_list: 0"
  assert_contains "$out" "firmware: 0"
  assert_not_contains "$out" "firmware writable"
  assert_contains "$out" "proc_sys: ro"
  assert_not_contains "$out" "proc/sys writable"
  assert_no_containers
}
