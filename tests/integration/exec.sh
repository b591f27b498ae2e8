# tong exec: a further process in a created or running container, in the
# namespaces and root of its init, with the container's process (or one from
# --process) changed by the flags.

# _running ID: a container from bundle $T/b (made here) that sleeps, started
# with `run -d`.
_running ()
{
  make_bundle "$T/b" sleep 1000
  echo marker >"$T/b/rootfs/etc/exec-marker"
  tong run -d --bundle "$T/b" "$1" </dev/null
  wait_status "$1" running
}

_need_receiver ()
{
  [ -x "$CONSOLE_RECEIVER" ] || skip "console-receiver is not built (make check builds tests/tools/console-receiver)"
}

test_exec_exit_status ()
{
  _running c1
  run_cmd tong exec c1 sh -c 'exit 7'
  assert_eq "$RC" 7 "exit status passed through"
  run_cmd tong exec c1 sh -c 'kill -KILL $$'
  assert_eq "$RC" 137 "128 + SIGKILL"
  assert_ok tong exec c1 true
  tong delete --force c1
  assert_no_containers
}

test_exec_sees_container_root ()
{
  _running c1
  assert_eq "$(tong exec c1 cat /etc/exec-marker)" marker
  assert_contains "$(tong exec c1 ls /)" bin
  assert_eq "$(tong exec c1 pwd)" /
  tong delete --force c1
  assert_no_containers
}

test_exec_in_created_container ()
{
  make_bundle "$T/b" sh -c 'echo started >/started'
  tong create --bundle "$T/b" c1 </dev/null
  assert_eq "$(tong exec c1 sh -c 'echo in-created; test -e /started || echo not-started')" \
    "$(printf 'in-created\nnot-started')"
  assert_eq "$(state_of c1)" created "exec leaves the container created"
  tong start c1
  wait_status c1 stopped
  assert_eq "$(cat "$T/b/rootfs/started")" started
  tong delete c1
  assert_no_containers
}

test_exec_namespaces_equal_init ()
{
  make_bundle "$T/b" sleep 1000
  cfg_ns "$T/b" user
  cfg_ns "$T/b" cgroup
  cfg_ns "$T/b" time
  cfg_set "$T/b" '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
  tong run -d --bundle "$T/b" c1 </dev/null
  local ns init_pid out
  init_pid=$(tong state c1 | jq -r .pid)
  for ns in pid mnt ipc uts net cgroup user; do
    out=$(tong exec c1 readlink "/proc/self/ns/$ns")
    assert_eq "$out" "$(readlink "/proc/$init_pid/ns/$ns")" "$ns namespace of the exec'd process"
    assert_ne "$out" "$(host_ns "$ns")" "$ns namespace differs from the host's"
  done
  out=$(tong exec c1 readlink /proc/self/ns/time)
  assert_eq "$out" "$(readlink "/proc/$init_pid/ns/time")" "time namespace"
  # pid 1 of the exec'd process's view is the container's init
  assert_eq "$(tong exec c1 cat /proc/1/cmdline | tr '\0' ' ')" "sleep 1000 "
  # the exec'd process is root of the container, host uid 100000
  assert_eq "$(tong exec c1 id -u)" 0
  tong exec -d --pid-file "$T/exec.pid" c1 sleep 1000 </dev/null
  assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$(cat "$T/exec.pid")/status")" 100000 "host uid"
  tong delete --force c1
  assert_no_containers
}

test_exec_env_and_cwd ()
{
  _running c1
  mkdir -p "$T/b/rootfs/work/dir"
  local out
  out=$(tong exec -e FOO=bar -e TONG_NEW='a b' --env PATH=/bin --cwd /work/dir c1 \
    sh -c 'echo "$FOO|$TONG_NEW|$PATH"; pwd; env | grep -c ^PATH=')
  assert_eq "$out" "$(printf 'bar|a b|/bin\n/work/dir\n1')"
  # the container's own environment is kept
  assert_contains "$(tong exec c1 env)" "TONG_TEST_MARK="
  tong delete --force c1
  assert_no_containers
}

test_exec_user_and_additional_gids ()
{
  _running c1
  local out
  out=$(tong exec -u 1000:1001 -g 10 --additional-gids 20 c1 sh -c 'id -u; id -g; grep ^Groups: /proc/self/status | cut -f2 | xargs')
  assert_eq "$out" "$(printf '1000\n1001\n10 20')"
  # a uid alone keeps the gid of the container's process
  assert_eq "$(tong exec --user 1234 c1 sh -c 'echo $(id -u) $(id -g)')" "1234 0"
  assert_fail tong exec --user nobody c1 true
  assert_contains "$ERR" "UID[:GID]"
  tong delete --force c1
  assert_no_containers
}

test_exec_cap_and_no_new_privs ()
{
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.process.noNewPrivileges = false'
  tong run -d --bundle "$T/b" c1 </dev/null
  local out
  # CAP_SYS_ADMIN is bit 21: 0x200000, not in the default spec's sets
  out=$(tong exec c1 sh -c 'grep -E "^Cap(Eff|Bnd):" /proc/self/status | cut -f2; grep NoNewPrivs /proc/self/status | cut -f2')
  assert_eq "$(sed -n 1p <<<"$out")" 0000000020000420 "default effective set"
  assert_eq "$(sed -n 3p <<<"$out")" 0 "no_new_privs off by default"
  out=$(tong exec --cap CAP_SYS_ADMIN --no-new-privs c1 sh -c 'grep -E "^Cap(Eff|Bnd|Prm):" /proc/self/status | cut -f2; grep NoNewPrivs /proc/self/status | cut -f2')
  assert_eq "$out" "$(printf '%s\n' 0000000020200420 0000000020200420 0000000020200420 1)"
  assert_fail tong exec --cap CAP_NOPE c1 true
  assert_contains "$ERR" 'unknown capability "CAP_NOPE"'
  tong delete --force c1
  assert_no_containers
}

test_exec_process_file ()
{
  _running c1
  cat >"$T/process.json" <<'EOF'
{
  "args": ["sh", "-c", "echo \"$GREETING\"; id -u; pwd; grep NoNewPrivs /proc/self/status | cut -f2"],
  "env": ["PATH=/bin", "GREETING=from process.json"],
  "cwd": "/tmp",
  "user": {"uid": 7, "gid": 7},
  "noNewPrivileges": true
}
EOF
  assert_eq "$(tong exec --process "$T/process.json" c1)" "$(printf 'from process.json\n7\n/tmp\n1')"
  # args come from the file only
  assert_fail tong exec --process "$T/process.json" c1 echo extra
  assert_contains "$ERR" "--process"
  # apparmor is refused, with the file named
  jq '.apparmorProfile = "docker-default"' "$T/process.json" >"$T/aa.json"
  assert_fail tong exec --process "$T/aa.json" c1
  assert_contains "$ERR" "apparmorProfile"
  assert_fail tong exec --apparmor foo c1 true
  assert_contains "$ERR" "AppArmor"
  assert_fail tong exec --process-label foo c1 true
  assert_contains "$ERR" "SELinux"
  tong delete --force c1
  assert_no_containers
}

test_exec_tty_console_socket ()
{
  _need_receiver
  _running c1
  local pid
  "$CONSOLE_RECEIVER" "$T/console.sock" "$T/console.out" </dev/null 2>"$T/receiver.err" &
  pid=$!
  on_exit "kill -9 $pid"
  wait_for 10 test -S "$T/console.sock"
  tong exec -t -d --console-socket "$T/console.sock" c1 sh -c 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-ttys'
  wait_for 10 eval "! kill -0 $pid 2>/dev/null || [ \"\$(awk '/^State:/ {print \$2}' /proc/$pid/status)\" = Z ]"
  wait "$pid" || fail "console-receiver failed: $(cat "$T/receiver.err")"
  local out
  out=$(tr -d '\r' <"$T/console.out")
  assert_match "$out" '^/dev/pts/[0-9]+$'
  assert_contains "$out" all-ttys
  # a terminal for a detached process needs somewhere to go
  assert_fail tong exec -t -d c1 true
  assert_contains "$ERR" "--console-socket"
  tong delete --force c1
  assert_no_containers
}

test_exec_detach_pid_file ()
{
  _running c1
  tong exec -d --pid-file "$T/exec.pid" c1 sleep 1000 </dev/null
  local pid init_pid
  pid=$(cat "$T/exec.pid")
  init_pid=$(tong state c1 | jq -r .pid)
  pid_alive "$pid" || fail "the detached process $pid is not running"
  assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
  assert_eq "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$init_pid/ns/pid")"
  assert_eq "$(readlink "/proc/$pid/root")" /
  sleep 0.2
  pid_alive "$pid" || fail "the detached process died when tong exited"
  # killing the container ends it too (it is in the container's pid namespace)
  tong delete --force c1
  assert_pid_gone "$pid"
  assert_no_containers
}

test_exec_missing_executable_fails ()
{
  _running c1
  assert_fail tong exec c1 no-such-program
  assert_eq "$RC" 1
  assert_contains "$ERR" "not found"
  assert_contains "$ERR" no-such-program
  assert_fail tong exec c1 /bin/no-such-path
  assert_contains "$ERR" "/bin/no-such-path"
  assert_fail tong exec c1
  assert_contains "$ERR" "no command"
  tong delete --force c1
  assert_no_containers
}

test_exec_stopped_or_missing_container_fails ()
{
  make_bundle "$T/b" true
  tong create --bundle "$T/b" c1 </dev/null
  tong start c1
  wait_status c1 stopped
  assert_fail tong exec c1 true
  assert_contains "$ERR" "cannot exec in a stopped container"
  tong delete c1
  assert_fail tong exec c1 true
  assert_contains "$ERR" 'container "c1" does not exist'
  assert_no_containers
}

test_exec_preserve_fds ()
{
  _running c1
  echo three >"$T/f3"
  echo four >"$T/f4"
  exec 3<"$T/f3" 4<"$T/f4"
  local out
  out=$(tong exec --preserve-fds 1 c1 sh -c 'cat <&3; test -e /proc/self/fd/4 && echo fd4-leaked; echo done' </dev/null)
  exec 3<&- 4<&-
  assert_eq "$out" "$(printf 'three\ndone')"
  # without --preserve-fds only stdio gets through (ls's own directory is 3)
  assert_eq "$(tong exec c1 ls /proc/self/fd | xargs)" "0 1 2 3"
  tong delete --force c1
  assert_no_containers
}

test_exec_forwards_signals ()
{
  _running c1
  # the binary itself, not the tong() shell function: $! must be tong's pid
  "$TONG" --root "$ROOT" exec c1 sh -c 'trap "echo got-term; exit 5" TERM; echo ready; while :; do sleep 0.1; done' \
    >"$T/out" 2>&1 </dev/null &
  local pid=$!
  on_exit "kill -9 $pid"
  wait_for 10 grep -q ready "$T/out"
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  assert_eq "$rc" 5 "exit status after SIGTERM"
  assert_contains "$(cat "$T/out")" got-term
  tong delete --force c1
  assert_no_containers
}
