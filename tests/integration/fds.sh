# File descriptors: only stdio reaches the container, plus exactly what
# --preserve-fds and socket activation (LISTEN_FDS) ask for; stdio is passed
# through.

test_fds_only_stdio_reaches_the_container ()
{
  make_bundle "$T/b" ls /proc/self/fd
  exec 5</dev/null 7<"$T/b/config.json" 9>"$T/fd9"
  local out
  out=$(tong run --bundle "$T/b" c1 </dev/null | xargs)
  exec 5<&- 7<&- 9>&-
  # 3 is the directory ls itself opened
  assert_eq "$out" "0 1 2 3"
  assert_no_containers
}

test_fds_only_stdio_with_create_start ()
{
  make_bundle "$T/b" sh -c 'ls /proc/self/fd > /fds'
  exec 5</dev/null 7<"$T/b/config.json"
  tong create --bundle "$T/b" c1
  tong start c1
  exec 5<&- 7<&-
  wait_status c1 stopped
  tong delete c1
  # the shell's redirection is fd 1 here; ls's directory is 3
  assert_eq "$(xargs <"$T/b/rootfs/fds")" "0 1 2 3"
  assert_no_containers
}

test_fds_preserve_fds ()
{
  echo three >"$T/f3"
  echo four >"$T/f4"
  echo five >"$T/f5"
  make_bundle "$T/b" sh -c 'cat <&3; cat <&4; test -e /proc/self/fd/5 && echo fd5-leaked; echo done'
  exec 3<"$T/f3" 4<"$T/f4" 5<"$T/f5"
  local out
  out=$(tong run --preserve-fds 2 --bundle "$T/b" c1 </dev/null)
  exec 3<&- 4<&- 5<&-
  assert_eq "$out" "$(printf 'three\nfour\ndone')"
  assert_no_containers
}

test_fds_preserve_fds_with_create_start ()
{
  echo three >"$T/f3"
  make_bundle "$T/b" sh -c 'cat <&3 > /got3'
  exec 3<"$T/f3"
  tong create --preserve-fds 1 --bundle "$T/b" c1
  exec 3<&-
  tong start c1
  wait_status c1 stopped
  tong delete c1
  assert_eq "$(cat "$T/b/rootfs/got3")" three
  assert_no_containers
}

# Socket activation: with LISTEN_FDS=N (and LISTEN_PID naming the runtime
# itself, as systemd sets it), fds 3..3+N-1 are passed and the container gets
# LISTEN_FDS=N and LISTEN_PID=1.
test_fds_listen_fds ()
{
  echo three >"$T/f3"
  echo four >"$T/f4"
  echo five >"$T/f5"
  make_bundle "$T/b" sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3; cat <&4; test -e /proc/self/fd/5 && echo fd5-leaked; echo done'
  exec 3<"$T/f3" 4<"$T/f4" 5<"$T/f5"
  local out
  out=$(sh -c 'exec env LISTEN_FDS=2 LISTEN_PID=$$ "$@"' sh "$TONG" --root "$ROOT" run --bundle "$T/b" c1 </dev/null)
  exec 3<&- 4<&- 5<&-
  assert_eq "$out" "$(printf '2 1\nthree\nfour\ndone')"
  assert_no_containers
}

test_fds_listen_fds_and_preserve_fds ()
{
  echo three >"$T/f3"
  echo four >"$T/f4"
  make_bundle "$T/b" sh -c 'echo "$LISTEN_FDS"; cat <&3; cat <&4'
  exec 3<"$T/f3" 4<"$T/f4"
  local out
  out=$(sh -c 'exec env LISTEN_FDS=1 LISTEN_PID=$$ "$@"' sh "$TONG" --root "$ROOT" run --preserve-fds 1 --bundle "$T/b" c1 </dev/null)
  exec 3<&- 4<&-
  assert_eq "$out" "$(printf '1\nthree\nfour')"
  assert_no_containers
}

test_fds_listen_fds_for_another_pid_ignored ()
{
  # LISTEN_PID of another process: the fds are not ours to pass on (runc
  # checks LISTEN_PID against its own pid, as sd_listen_fds does).
  echo three >"$T/f3"
  make_bundle "$T/b" sh -c 'echo "${LISTEN_FDS:-unset}"; test -e /proc/self/fd/3 && echo fd3-leaked; echo done'
  exec 3<"$T/f3"
  local out
  out=$(LISTEN_FDS=1 LISTEN_PID=1 tong run --bundle "$T/b" c1 </dev/null)
  exec 3<&-
  assert_eq "$out" "$(printf 'unset\ndone')"
  assert_no_containers
}

test_fds_stdio_pass_through ()
{
  make_bundle "$T/b" sh -c 'cat; echo to-stderr >&2; exit 4'
  local rc=0
  echo piped-in | tong run --bundle "$T/b" c1 >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" 4
  assert_eq "$(cat "$T/out")" piped-in
  assert_eq "$(cat "$T/err")" to-stderr
  assert_no_containers
}

test_fds_no_runtime_files_in_container ()
{
  # Nothing in the container refers to the runtime's binary or state.
  make_bundle "$T/b" ls -l /proc/self/fd/
  local out
  out=$(tong run --bundle "$T/b" c1 </dev/null)
  assert_not_contains "$out" "$TONG"
  assert_not_contains "$out" "$ROOT"
  assert_no_containers
}
