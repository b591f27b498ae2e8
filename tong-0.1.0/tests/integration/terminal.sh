# Terminals: process.terminal with --console-socket (the pty master goes to
# the socket, as containerd and conmon expect), and `run` in the foreground
# proxying a terminal.

_need_receiver ()
{
  [ -x "$CONSOLE_RECEIVER" ] || skip "console-receiver is not built (make check builds tests/tools/console-receiver)"
}

# _start_receiver OUTFILE: a console-receiver on $T/console.sock.
_start_receiver ()
{
  local pid
  "$CONSOLE_RECEIVER" "$T/console.sock" "$1" </dev/null 2>"$T/receiver.err" &
  pid=$!
  on_exit "kill -9 $pid"
  RECEIVER_PID=$pid
  wait_for 10 test -S "$T/console.sock"
}

# _wait_receiver: the receiver exits once the container closed its terminal.
_wait_receiver ()
{
  wait_for 10 eval "! kill -0 $RECEIVER_PID 2>/dev/null || [ \"\$(awk '/^State:/ {print \$2}' /proc/$RECEIVER_PID/status)\" = Z ]"
  wait "$RECEIVER_PID" || fail "console-receiver failed: $(cat "$T/receiver.err")"
  assert_contains "$(cat "$T/receiver.err")" "received fd"
}

test_terminal_console_socket ()
{
  _need_receiver
  make_bundle "$T/b" sh -c 'tty; echo hello-from-tty; test -t 0 && test -t 1 && test -t 2 && echo all-ttys'
  cfg_set "$T/b" '.process.terminal = true'
  _start_receiver "$T/console.out"
  tong create --bundle "$T/b" --console-socket "$T/console.sock" c1
  tong start c1
  wait_status c1 stopped
  tong delete c1
  _wait_receiver
  local out
  out=$(tr -d '\r' <"$T/console.out")
  assert_match "$out" '^(/dev/pts/[0-9]+|/dev/console)$'
  assert_contains "$out" hello-from-tty
  assert_contains "$out" all-ttys
  assert_no_containers
}

test_terminal_console_socket_input ()
{
  _need_receiver
  make_bundle "$T/b" sh -c 'read line; echo "got:$line"'
  cfg_set "$T/b" '.process.terminal = true'
  CONSOLE_INPUT=$'typed-in\n' _start_receiver "$T/console.out"
  tong run -d --bundle "$T/b" --console-socket "$T/console.sock" c1 </dev/null >/dev/null
  wait_status c1 stopped
  tong delete c1
  _wait_receiver
  assert_contains "$(tr -d '\r' <"$T/console.out")" "got:typed-in"
  assert_no_containers
}

test_terminal_size_and_console ()
{
  _need_receiver
  make_bundle "$T/b" sh -c 'stty size; ls -l /dev/console | cut -c1'
  cfg_set "$T/b" '.process.terminal = true | .process.consoleSize = {height: 40, width: 100}'
  _start_receiver "$T/console.out"
  tong run -d --bundle "$T/b" --console-socket "$T/console.sock" c1 </dev/null >/dev/null
  wait_status c1 stopped
  tong delete c1
  _wait_receiver
  local out
  out=$(tr -d '\r' <"$T/console.out")
  assert_eq "$(sed -n 1p <<<"$out")" "40 100" "consoleSize"
  assert_eq "$(sed -n 2p <<<"$out")" c "/dev/console is the terminal (a character device)"
  assert_no_containers
}

test_terminal_without_console_socket_fails ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.process.terminal = true'
  assert_fail tong create --bundle "$T/b" c1
  assert_match "$ERR" '[Cc]onsole.socket'
  assert_no_containers
  # run -d cannot proxy a terminal either
  assert_fail tong run -d --bundle "$T/b" c2
  assert_match "$ERR" '[Cc]onsole.socket'
  assert_no_containers
}

test_terminal_console_socket_bad_path_fails ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.process.terminal = true'
  assert_fail tong create --bundle "$T/b" --console-socket "$T/no-such.sock" c1
  assert_contains "$ERR" "$T/no-such.sock"
  assert_no_containers
}

test_terminal_run_foreground ()
{
  command -v script >/dev/null || skip "script (util-linux) is not installed"
  make_bundle "$T/b" sh -c 'tty; echo hello-from-run; exit 5'
  cfg_set "$T/b" '.process.terminal = true'
  local rc=0
  script -qec "$TONG --root $ROOT run --bundle $T/b c1" "$T/typescript" </dev/null >"$T/out" 2>&1 || rc=$?
  local out
  out=$(tr -d '\r' <"$T/out")
  assert_match "$out" '(^|[^a-z])(/dev/pts/[0-9]+|/dev/console)'
  assert_contains "$out" hello-from-run
  assert_eq "$rc" 5 "exit status through script and tong run"
  assert_no_containers
}
