# linux.seccomp: actions, errnoRet, argument conditions, flags, the order
# with noNewPrivileges, and SCMP_ACT_NOTIFY with a listener (tests/tools/seccomp-listener).

SECCOMP_LISTENER=${SECCOMP_LISTENER:-$BUILD_DIR/tests/tools/seccomp-listener}

# seccomp_set DIR JSON: set linux.seccomp.
seccomp_set ()
{
  cfg_set "$1" '.linux.seccomp = $s' --argjson s "$2"
}

# A blocklist: everything is allowed but mkdir, which gets ACTION (and errnoRet).
deny_mkdir ()
{
  local extra=${3:-}
  seccomp_set "$1" "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
    \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"$2\" $extra}]}"
}

test_seccomp_errno_default_eperm ()
{
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  cfg_args "$T/b" sh -c 'mkdir /tmp/x; echo "rc=$?"; touch /tmp/y && echo touched'
  run_cmd tong run --bundle "$T/b" c1
  assert_eq "$RC" 0
  assert_contains "$ERR" "Operation not permitted"
  assert_contains "$OUT" "rc=1"
  assert_contains "$OUT" touched
  assert_no_containers
}

test_seccomp_errno_ret ()
{
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_ERRNO ', "errnoRet": 38'
  cfg_args "$T/b" mkdir /tmp/x
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "Function not implemented"
  assert_no_containers
}

test_seccomp_default_errno_ret ()
{
  # an allowlist: what busybox needs to start and report an error; anything
  # else (mkdir) fails with defaultErrnoRet
  make_bundle "$T/b"
  seccomp_set "$T/b" '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
      {"names": ["execve", "exit", "exit_group", "brk", "arch_prctl", "mprotect", "mmap",
                 "munmap", "readlink", "rt_sigaction", "rt_sigreturn", "rt_sigprocmask",
                 "write", "writev", "getpid", "getuid", "geteuid", "getppid", "prlimit64",
                 "newfstatat", "fstat", "stat", "rseq", "getrandom", "uname",
                 "set_tid_address", "set_robust_list", "ioctl"],
       "action": "SCMP_ACT_ALLOW"}]}'
  cfg_args "$T/b" mkdir /tmp/x
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "Function not implemented"
  assert_no_containers
}

test_seccomp_kill_process ()
{
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_KILL_PROCESS
  cfg_args "$T/b" mkdir /tmp/x
  run_cmd tong run --bundle "$T/b" c1
  assert_eq "$RC" 159 "SIGSYS is 31: 128 + 31"
  assert_no_containers
}

test_seccomp_kill_thread ()
{
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_KILL
  cfg_args "$T/b" mkdir /tmp/x
  run_cmd tong run --bundle "$T/b" c1
  assert_eq "$RC" 159
  assert_no_containers
}

test_seccomp_trap ()
{
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_TRAP
  cfg_args "$T/b" mkdir /tmp/x
  run_cmd tong run --bundle "$T/b" c1
  assert_eq "$RC" 159 "an unhandled SIGSYS"
  assert_no_containers
}

test_seccomp_log_allows ()
{
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_LOG
  cfg_set "$T/b" '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]'
  assert_eq "$(in_container "$T/b" 'mkdir /tmp/x && echo made')" made
  assert_no_containers
}

test_seccomp_status_in_proc ()
{
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  assert_eq "$(in_container "$T/b" 'grep "^Seccomp:" /proc/self/status | cut -f2')" 2
  # without linux.seccomp there is no filter
  cfg_set "$T/b" 'del(.linux.seccomp)'
  assert_eq "$(in_container "$T/b" 'grep "^Seccomp:" /proc/self/status | cut -f2')" 0
}

test_seccomp_arg_condition ()
{
  # personality is denied only for PER_LINUX32 (8): linux32 fails, linux64 works
  make_bundle "$T/b"
  seccomp_set "$T/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
       "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}'
  assert_eq "$(in_container "$T/b" 'linux64 uname -m')" "$(uname -m)"
  cfg_args "$T/b" linux32 uname -m
  assert_fail tong run --bundle "$T/b" c2
  assert_contains "$ERR" "Operation not permitted"
  assert_no_containers
}

test_seccomp_masked_eq_socket ()
{
  # socket(AF_INET, ...) is blocked by (domain & 0xff) == 2
  make_bundle "$T/b"
  seccomp_set "$T/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
       "args": [{"index": 0, "value": 255, "valueTwo": 2, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
  cfg_args "$T/b" nc 127.0.0.1 1
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "Permission denied"
  assert_no_containers
}

test_seccomp_unknown_syscall_skipped ()
{
  make_bundle "$T/b"
  seccomp_set "$T/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["no_such_syscall_anywhere", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
  cfg_args "$T/b" mkdir /tmp/x
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "Operation not permitted"
  assert_no_containers
}

test_seccomp_architectures ()
{
  [ "$(uname -m)" = x86_64 ] || skip "the architecture list is written for x86_64"
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  cfg_set "$T/b" '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]'
  cfg_args "$T/b" mkdir /tmp/x
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "Operation not permitted"
  assert_no_containers
}

test_seccomp_without_no_new_privileges_and_no_caps ()
{
  # no_new_privs off and every capability dropped: the filter must be loaded
  # before the capabilities go, or the kernel refuses it
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  cfg_set "$T/b" '.process.noNewPrivileges = false
    | .process.capabilities = {bounding: [], effective: [], permitted: [], inheritable: [], ambient: []}
    | .process.user = {uid: 1000, gid: 1000}'
  cfg_args "$T/b" sh -c 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | cut -f2 | xargs; mkdir /tmp/x'
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$OUT" "0 2"
  assert_contains "$ERR" "Operation not permitted"
  # and with no_new_privs, as late as possible
  cfg_set "$T/b" '.process.noNewPrivileges = true'
  assert_fail tong run --bundle "$T/b" c2
  assert_contains "$OUT" "1 2"
  assert_contains "$ERR" "Operation not permitted"
  assert_no_containers
}

test_seccomp_invalid_errno_ret_fails ()
{
  make_bundle "$T/b" true
  deny_mkdir "$T/b" SCMP_ACT_ALLOW ', "errnoRet": 1'
  cfg_set "$T/b" '.linux.seccomp.defaultAction = "SCMP_ACT_ERRNO"'
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "linux.seccomp.syscalls[0].errnoRet"
  assert_no_containers
}

test_seccomp_notify_without_listener_fails ()
{
  make_bundle "$T/b" true
  deny_mkdir "$T/b" SCMP_ACT_NOTIFY
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "listenerPath"
  assert_no_containers
}

test_seccomp_wait_killable_recv_needs_a_notify_rule ()
{
  make_bundle "$T/b" true
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  cfg_set "$T/b" '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
  assert_contains "$ERR" "SCMP_ACT_NOTIFY"
  assert_no_containers
}

# _stopped_mkdir BUNDLE FLAGS-JSON: the container makes a directory, the call
# notified to an agent that lets it run 1.5 s after receiving it; meanwhile
# the test stops and continues the container's processes.  Prints mkdir's
# status and how often the agent saw the call ("rc=0 calls=1").  An
# interruptible wait is broken by the stop (the call fails, or comes again);
# a killable one (WAIT_KILLABLE_RECV) is not.
_stopped_mkdir ()
{
  make_bundle "$1" sh -c 'mkdir /tmp/x; echo "rc=$?" >/tmp/rc'
  rm -f "$T/calls" "$T/agent.sock" "$T/state.json"
  start_listener -c -d 1500
  notify_mkdir "$1"
  cfg_set "$1" ".linux.seccomp.flags = $2"
  tong create --bundle "$1" c1 >&2
  tong start c1 >&2
  wait_for 10 test -s "$T/calls"
  tong kill --all c1 STOP >&2
  sleep 0.2
  tong kill --all c1 CONT >&2
  wait_status c1 stopped 15 >&2
  tong delete c1 >&2
  assert_pid_gone "$LISTENER_PID" 10 >&2
  echo "$(cat "$1/rootfs/tmp/rc") calls=$(grep -c '^mkdir' "$T/calls")"
}

test_seccomp_wait_killable_recv_keeps_a_stopped_call_waiting ()
{
  local plain killable
  plain=$(_stopped_mkdir "$T/b1" '[]')
  killable=$(_stopped_mkdir "$T/b2" '["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]')
  # the test can tell: without the flag the stop breaks the wait
  assert_ne "$plain" "rc=0 calls=1" "without the flag"
  assert_eq "$killable" "rc=0 calls=1" "with WAIT_KILLABLE_RECV"
  assert_no_containers
}

# start_listener MODE-ARGS...: run the seccomp agent on $T/agent.sock.
start_listener ()
{
  [ -x "$SECCOMP_LISTENER" ] || skip "no seccomp-listener at $SECCOMP_LISTENER (make check builds it)"
  bg_start LISTENER_PID "$SECCOMP_LISTENER" "$@" "$T/agent.sock" "$T/state.json" "$T/calls"
  wait_for 5 test -S "$T/agent.sock"
}

notify_mkdir ()
{
  seccomp_set "$1" "$(jq -n --arg p "$T/agent.sock" '{defaultAction: "SCMP_ACT_ALLOW",
    listenerPath: $p, listenerMetadata: "tong-test",
    syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}')"
}

test_seccomp_notify_errno ()
{
  make_bundle "$T/b"
  start_listener -e 1
  notify_mkdir "$T/b"
  cfg_set "$T/b" '.annotations = {"org.example.k": "v"}'
  cfg_args "$T/b" sh -c 'mkdir /tmp/x; echo "rc=$?"'
  run_cmd tong run --bundle "$T/b" c1
  assert_eq "$RC" 0
  assert_contains "$OUT" "rc=1"
  assert_contains "$ERR" "Operation not permitted"
  assert_file "$T/state.json"
  local s
  s=$(cat "$T/state.json")
  assert_json "$s" '.fds == ["seccompFd"] and .metadata == "tong-test" and .pid > 0'
  assert_json "$s" '.state.id == "c1" and .state.pid == .pid and .state.bundle == $b' --arg b "$T/b"
  assert_json "$s" '.state.status == "created"'
  assert_json "$s" '.state.annotations["org.example.k"] == "v" and (.ociVersion | length) > 0'
  assert_match "$(cat "$T/calls")" '^mkdir'
  # the agent sees the container end and exits
  assert_pid_gone "$LISTENER_PID" 10
  assert_no_containers
}

test_seccomp_notify_continue ()
{
  make_bundle "$T/b"
  start_listener -c
  notify_mkdir "$T/b"
  assert_eq "$(in_container "$T/b" 'mkdir /tmp/x && echo made')" made
  assert_match "$(cat "$T/calls")" '^mkdir'
  assert_pid_gone "$LISTENER_PID" 10
  assert_no_containers
}

test_seccomp_notify_listener_not_listening_fails ()
{
  make_bundle "$T/b" true
  notify_mkdir "$T/b"
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "agent.sock"
  assert_no_containers
}

test_seccomp_listener_path_ignored_without_notify ()
{
  # the spec: without SCMP_ACT_NOTIFY, listenerPath is ignored
  make_bundle "$T/b"
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  cfg_set "$T/b" '.linux.seccomp.listenerPath = "/nonexistent/agent.sock"'
  cfg_args "$T/b" mkdir /tmp/x
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "Operation not permitted"
  assert_no_containers
}

test_seccomp_features ()
{
  local f
  f=$(tong features)
  assert_json "$f" '.linux.seccomp.enabled == true'
  assert_json "$f" '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY") != null'
}

# exec_mkdir_denied ID: start $T/b (deny_mkdir ... SCMP_ACT_ERRNO) detached as
# ID; a `tong exec` in it cannot mkdir; delete it.
exec_mkdir_denied ()
{
  tong run -d --bundle "$T/b" "$1" </dev/null
  wait_status "$1" running
  run_cmd tong exec "$1" sh -c 'mkdir /tmp/x; echo "rc=$?"'
  assert_contains "$ERR$OUT" "Operation not permitted"
  assert_contains "$OUT" "rc=1"
  tong delete --force "$1"
}

# A process started with `tong exec` is under the container's filter too.
test_seccomp_applies_to_exec ()
{
  make_bundle "$T/b" sleep 1000
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  exec_mkdir_denied c1
  assert_no_containers
}

# --- the cache of compiled filters (ROOT/seccomp:cache, src/seccomp/cache.h)

# cache_entries: how many programs the cache of $ROOT holds.
cache_entries ()
{
  local n=0 f
  for f in "$ROOT/seccomp:cache"/*; do
    [ -f "$f" ] && n=$((n + 1))
  done
  echo "$n"
}

# runtime_maps_libseccomp ID: start a foreground `tong run` of $T/b as ID
# (its process sleeps), and print yes or no: does the runtime map libseccomp?
runtime_maps_libseccomp ()
{
  local pid
  bg_start pid "$TONG" --root "$ROOT" run --bundle "$T/b" "$1"
  wait_status "$1" running
  # (the test's directory has "libseccomp" in its name too)
  if grep -q '/libseccomp\.so[^/]*$' "/proc/$pid/maps"; then echo yes; else echo no; fi
  tong kill "$1" KILL
  wait_for 10 pid_gone "$pid"
}

pid_gone () { ! kill -0 "$1" 2>/dev/null; }

test_seccomp_cache_second_start_skips_libseccomp ()
{
  make_bundle "$T/b" sleep 1000
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  assert_eq "$(runtime_maps_libseccomp c1)" yes "the first start compiles the filter"
  assert_eq "$(cache_entries)" 1 "programs in the cache"
  assert_eq "$(runtime_maps_libseccomp c2)" no "the second start finds it in the cache"
  # The program from the cache is in force, in the init and in `tong exec`.
  exec_mkdir_denied c3
  assert_eq "$(cache_entries)" 1 "programs in the cache"
  assert_no_containers
}

test_seccomp_cache_follows_every_change_of_the_profile ()
{
  make_bundle "$T/b" sh -c 'mkdir /tmp/x; echo "rc=$?"; rmdir /tmp/x 2>/dev/null'
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  run_cmd tong run --bundle "$T/b" c1
  assert_contains "$ERR" "Operation not permitted"
  # Another errno, then an argument condition, then another architecture:
  # each is a program of its own.
  deny_mkdir "$T/b" SCMP_ACT_ERRNO ', "errnoRet": 38'
  run_cmd tong run --bundle "$T/b" c2
  assert_contains "$ERR" "Function not implemented"
  cfg_set "$T/b" '.linux.seccomp.syscalls[0].args = [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]'
  run_cmd tong run --bundle "$T/b" c3
  assert_contains "$OUT" "rc=0" "mode 0777 is not 0: the condition does not hold"
  cfg_set "$T/b" '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]'
  run_cmd tong run --bundle "$T/b" c4
  assert_contains "$OUT" "rc=0"
  assert_eq "$(cache_entries)" 4 "programs in the cache"
  # The first profile again: its program, from the cache.
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  run_cmd tong run --bundle "$T/b" c5
  assert_contains "$ERR" "Operation not permitted"
  assert_eq "$(cache_entries)" 4 "programs in the cache"
  assert_no_containers
}

test_seccomp_cache_damaged_entry_is_compiled_again ()
{
  make_bundle "$T/b" sh -c 'mkdir /tmp/x; echo "rc=$?"'
  deny_mkdir "$T/b" SCMP_ACT_ERRNO ', "errnoRet": 38'
  run_cmd tong run --bundle "$T/b" c1
  assert_contains "$ERR" "Function not implemented"
  local f
  f=$(echo "$ROOT/seccomp:cache"/*)
  # One byte of the program changed (an errno of 38 would become another).
  printf '\377' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") - 9)) conv=notrunc status=none
  local damaged
  damaged=$(md5sum <"$f")
  run_cmd tong run --bundle "$T/b" c2
  assert_contains "$ERR" "Function not implemented" "the damaged program is not used"
  assert_ne "$(md5sum <"$f")" "$damaged" "the entry was compiled and written again"
  # Cut short: the same.
  truncate -s 100 "$f"
  run_cmd tong run --bundle "$T/b" c3
  assert_contains "$ERR" "Function not implemented"
  [ "$(stat -c %s "$f")" -gt 100 ] || fail "the entry was not written again"
  assert_no_containers
}

# The cache is a speed shortcut past libseccomp: a program is trusted only
# where nobody but the runtime's user could have put it (a --root in a
# directory others may write must not let them hand a container a filter).
test_seccomp_cache_trusts_only_its_own_user_s_files ()
{
  make_bundle "$T/b" sleep 1000
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  assert_eq "$(runtime_maps_libseccomp c1)" yes "the first start compiles the filter"
  local f
  f=$(echo "$ROOT/seccomp:cache"/*)
  chown 1000 "$f"
  assert_eq "$(runtime_maps_libseccomp c2)" yes "an entry of another user is not used"
  chown 0 "$f"
  chmod 0620 "$f"
  assert_eq "$(runtime_maps_libseccomp c3)" yes "an entry others may write is not used"
  chmod 0600 "$f"
  chmod 0770 "$ROOT/seccomp:cache"
  assert_eq "$(runtime_maps_libseccomp c4)" yes "nor one in a directory others may write"
  chmod 0700 "$ROOT/seccomp:cache"
  assert_eq "$(runtime_maps_libseccomp c5)" no "the user's own entry is used"
  exec_mkdir_denied c6
  assert_no_containers
}

test_seccomp_cache_follows_the_libseccomp_file ()
{
  readelf -l "$TONG" 2>/dev/null | grep -q 'interpreter: /lib/ld-musl' ||
    skip "tong is built with glibc: the system's libseccomp is not the test's to touch"
  mkdir "$T/m"
  cp "$TONG" "$BUILD_DIR/libseccomp.so.2" "$T/m/"
  make_bundle "$T/b" sleep 1000
  deny_mkdir "$T/b" SCMP_ACT_ERRNO
  assert_eq "$(TONG=$T/m/tong runtime_maps_libseccomp c1)" yes "the first start compiles"
  assert_eq "$(TONG=$T/m/tong runtime_maps_libseccomp c2)" no "the second finds it"
  touch -d '1 minute ago' "$T/m/libseccomp.so.2"
  assert_eq "$(TONG=$T/m/tong runtime_maps_libseccomp c3)" yes "a changed libseccomp compiles again"
  assert_eq "$(TONG=$T/m/tong runtime_maps_libseccomp c4)" no
  assert_no_containers
}
