# tong-shim run and the container commands (ps, logs, stop, rm, exec) on an
# image loaded offline from an OCI layout.
source "$TESTS_DIR/integration/shim-lib.sh"

test_shim_run_rm_leaves_nothing ()
{
  _need_shim
  shim_load_busybox
  assert_ok shim run --rm busybox echo hello-shim
  assert_eq "$OUT" hello-shim
  # The image's Cmd when no command is given.
  assert_ok shim run --rm localhost/busybox:latest
  assert_eq "$OUT" default-cmd
  assert_shim_clean
}

# _cgroup_dir ID: the container's cgroup v2 directory, seen from the host.
_cgroup_dir ()
{
  local pid cg mnt
  pid=$("$TONG" --root "$T/run/tong" state "$1" | jq -r .pid)
  cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
  [ -n "$cg" ] && [ "$cg" != / ] && [ -n "$mnt" ] || fail "no cgroup v2 path for $1 (pid $pid)"
  echo "$mnt$cg"
}

test_shim_rm_and_run_rm_remove_the_cgroup ()
{
  _need_shim
  shim_load_busybox
  local id cg
  id=$(shim run -d busybox sleep 100)
  cg=$(_cgroup_dir "$id")
  assert_file "$cg"
  shim rm -f "$id" >/dev/null
  assert_no_file "$cg"
  # -d --rm: removed by its monitor once stopped.
  id=$(shim run -d --rm busybox sleep 100)
  cg=$(_cgroup_dir "$id")
  assert_file "$cg"
  shim stop --time 1 "$id" >/dev/null
  wait_for 10 eval '[ -z "$(shim ps -a -q)" ]'
  assert_no_file "$cg"
  assert_shim_clean
}

test_shim_run_exit_codes ()
{
  _need_shim
  shim_load_busybox
  run_cmd shim run --rm busybox sh -c 'exit 7'
  assert_eq "$RC" 7
  run_cmd shim run --rm busybox sh -c 'sleep 10 & kill -9 $!; wait $!'
  assert_eq "$RC" 137
  run_cmd shim run --rm -e CODE=42 busybox sh -c 'exit $CODE'
  assert_eq "$RC" 42
  # As podman: 127 for a command that is not there, 126 for one that is not executable.
  run_cmd shim run --rm busybox no-such-command
  assert_eq "$RC" 127
  assert_contains "$ERR" "no-such-command: executable file not found"
  run_cmd shim run --rm busybox /etc/passwd
  assert_eq "$RC" 126
  assert_contains "$ERR" "/etc/passwd: permission denied"
  run_cmd shim run --rm -e PATH=/nowhere busybox sh -c true
  assert_eq "$RC" 127
  assert_shim_clean
}

test_shim_run_env_workdir_hostname ()
{
  _need_shim
  shim_load_busybox
  printf '%s\n' '# a comment' 'FROM_FILE=file-value' '' 'SHARED=from-file' >"$T/env.list"
  assert_ok shim run --rm -e A=1 --env-file "$T/env.list" -e SHARED=from-flag -w /etc \
    --hostname myhost busybox sh -c 'echo "$A $FROM_FILE $SHARED $IMAGE_VAR"; pwd; hostname; cat /etc/hostname; grep myhost /etc/hosts'
  assert_eq "$(printf '%s\n' "$OUT" | sed -n 1p)" "1 file-value from-flag from-image"
  assert_eq "$(printf '%s\n' "$OUT" | sed -n 2p)" /etc
  assert_eq "$(printf '%s\n' "$OUT" | sed -n 3p)" myhost
  assert_eq "$(printf '%s\n' "$OUT" | sed -n 4p)" myhost
  assert_contains "$OUT" "127.0.1.1"
  assert_shim_clean
}

test_shim_run_volumes ()
{
  _need_shim
  shim_load_busybox
  mkdir -p "$T/rw" "$T/ro"
  echo from-host >"$T/ro/f"
  assert_ok shim run --rm -v "$T/rw:/data" -v "$T/ro:/ro:ro" busybox \
    sh -c 'cat /ro/f; echo from-container >/data/out; touch /ro/x 2>/dev/null && echo ro-writable || echo ro-refused'
  assert_contains "$OUT" from-host
  assert_contains "$OUT" ro-refused
  assert_eq "$(cat "$T/rw/out")" from-container
  assert_no_file "$T/ro/x"
  assert_fail shim run --rm -v relative:/x busybox true
  assert_eq "$RC" 125
  assert_contains "$ERR" "absolute host path"
  assert_fail shim run --rm -v "$T/missing:/x" busybox true
  assert_contains "$ERR" "$T/missing"
  assert_shim_clean
}

test_shim_run_user_from_image ()
{
  _need_shim
  shim_load_busybox
  assert_ok shim run --rm -u app busybox id
  assert_eq "$OUT" "uid=1000(app) gid=1000(app) groups=2000(extra)"
  assert_ok shim run --rm -u app:extra busybox id -g
  assert_eq "$OUT" 2000
  assert_ok shim run --rm -u 4321 busybox id -u
  assert_eq "$OUT" 4321
  assert_fail shim run --rm -u nosuchuser busybox id
  assert_eq "$RC" 125
  assert_contains "$ERR" 'no user "nosuchuser"'
  assert_shim_clean
  # The image's own User applies without -u.
  shim_layout "$T/img2" localhost/as-app '.config.User = "app"'
  shim load -i "$T/img2" >/dev/null
  assert_ok shim run --rm as-app id -un
  assert_eq "$OUT" app
  assert_shim_clean
}

test_shim_run_entrypoint ()
{
  _need_shim
  shim_layout "$T/img" localhost/ep '.config.Entrypoint = ["echo", "ep"] | .config.Cmd = ["from-cmd"]'
  shim load -i "$T/img" >/dev/null
  assert_ok shim run --rm ep
  assert_eq "$OUT" "ep from-cmd"
  assert_ok shim run --rm ep given
  assert_eq "$OUT" "ep given"
  # --entrypoint replaces the Entrypoint and drops the image's Cmd (as podman).
  assert_ok shim run --rm --entrypoint printf ep 'x%sx'
  assert_eq "$OUT" "xx"
  assert_shim_clean
}

test_shim_run_name_and_rm ()
{
  _need_shim
  shim_load_busybox
  run_cmd shim run --name first busybox sh -c 'exit 3'
  assert_eq "$RC" 3
  run_cmd shim ps -a
  assert_contains "$OUT" first
  assert_contains "$OUT" "Exited (3)"
  assert_fail shim run --name first busybox true
  assert_eq "$RC" 125
  assert_contains "$ERR" 'name "first" is already in use'
  assert_ok shim inspect first
  assert_json "$OUT" '.[0].Name == "first" and .[0].ExitCode == 3'
  assert_ok shim rm first
  assert_shim_clean
}

test_shim_run_errors_leave_nothing ()
{
  _need_shim
  shim_load_busybox
  assert_fail shim run --rm nosuchimage true
  assert_eq "$RC" 125
  assert_contains "$ERR" 'image "nosuchimage" is not in the store'
  assert_fail shim run --bogus busybox true
  assert_eq "$RC" 125
  assert_contains "$ERR" "unknown option"
  assert_fail shim run --net wifi busybox true
  assert_contains "$ERR" '--net "wifi"'
  assert_fail shim run --memory lots busybox true
  assert_contains "$ERR" '--memory "lots"'
  assert_fail shim run -p 99999:80 --net bridge busybox true
  assert_contains "$ERR" "99999"
  assert_fail shim bogus-command
  assert_eq "$RC" 125
  assert_contains "$ERR" "unknown command"
  assert_shim_clean
}

test_shim_run_resource_limits_refused_cleanly ()
{
  _need_shim
  shim_load_busybox
  # Where no hierarchy has a memory controller, tong refuses, the error
  # reaches the user and --rm leaves nothing behind.
  if [ -n "$(grep -w memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null)" ]; then
    assert_ok shim run --rm --memory 64m busybox cat /sys/fs/cgroup/memory.max
    assert_eq "$OUT" 67108864
  elif grep -q '^[0-9]*:memory:' /proc/self/cgroup; then
    # cgroup v1's memory controller (a v1 or hybrid host)
    assert_ok shim run --rm --memory 64m busybox echo limited
    assert_eq "$OUT" limited
  else
    assert_fail shim run --rm --memory 64m busybox true
    assert_match "$ERR" "memory|cgroup"
  fi
  assert_shim_clean
}

test_shim_run_read_only_caps_net ()
{
  _need_shim
  shim_load_busybox
  assert_ok shim run --rm --read-only busybox sh -c 'touch /x 2>/dev/null && echo writable || echo read-only; touch /tmp/ok && echo tmp-ok'
  assert_contains "$OUT" read-only
  assert_contains "$OUT" tmp-ok
  assert_ok shim run --rm --cap-drop ALL busybox grep CapEff /proc/self/status
  assert_match "$OUT" "CapEff:[[:space:]]+0+$"
  assert_ok shim run --rm --cap-drop ALL --cap-add net_admin busybox grep CapEff /proc/self/status
  assert_match "$OUT" "CapEff:[[:space:]]+0+1000$"
  # --net none: only lo; --net host: the host's interfaces.
  assert_ok shim run --rm --net none busybox ls /sys/class/net
  assert_eq "$OUT" lo
  assert_ok shim run --rm --net host busybox ls /sys/class/net
  assert_eq "$OUT" "$(ls /sys/class/net)"
  assert_ok shim run --rm --security-opt no-new-privileges busybox grep NoNewPrivs /proc/self/status
  assert_match "$OUT" "NoNewPrivs:[[:space:]]+1"
  assert_shim_clean
}

test_shim_detached_logs_exec_stop_rm ()
{
  _need_shim
  shim_load_busybox
  assert_ok shim run -d --name bg busybox sh -c 'echo started; trap "echo got-term; exit 0" TERM; while :; do sleep 0.1; done'
  assert_match "$OUT" '^[0-9a-f]{64}$'
  local id=$OUT
  wait_for 10 eval 'shim logs bg | grep -q started'
  run_cmd shim ps
  assert_contains "$OUT" "${id:0:12}"
  assert_contains "$OUT" Running
  assert_ok shim exec bg sh -c 'echo in-exec; cat /etc/hostname'
  assert_eq "$OUT" "in-exec
${id:0:12}"
  assert_ok shim exec -u app bg id -u
  assert_eq "$OUT" 1000
  run_cmd shim exec bg sh -c 'exit 5'
  assert_eq "$RC" 5
  assert_fail shim rm bg
  assert_contains "$ERR" "is running"
  assert_ok shim stop --time 5 bg
  run_cmd shim ps -a
  assert_contains "$OUT" "Exited (0)"
  assert_contains "$(shim logs bg)" got-term
  assert_ok shim rm bg
  assert_shim_clean
}

test_shim_stop_kills_after_timeout_and_rm_force ()
{
  _need_shim
  shim_load_busybox
  shim run -d --name stubborn busybox sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null
  assert_ok shim stop --time 1 stubborn
  run_cmd shim ps -a
  assert_contains "$OUT" "Exited (137)"
  shim rm stubborn >/dev/null
  shim run -d --name running busybox sleep 100 >/dev/null
  assert_ok shim rm -f running
  # -d --rm: the monitor removes the container once it ends.
  shim run -d --rm --name gone busybox true >/dev/null
  wait_for 10 eval '[ -z "$(shim ps -a -q)" ]'
  assert_shim_clean
}

test_shim_run_terminal ()
{
  _need_shim
  command -v script >/dev/null || skip "script (bsdutils) is not installed"
  shim_load_busybox
  local out rc=0
  out=$(printf 'tty\necho typed-$((40+2))\nexit 3\n' |
    script -qec "$SHIM --root $T/store --runroot $T/run --runtime $TONG run --rm -it busybox sh" /dev/null) || rc=$?
  assert_contains "$out" typed-42
  assert_contains "$out" /dev/pts/
  assert_eq "$rc" 3
  assert_shim_clean
}

test_shim_exec_terminal ()
{
  _need_shim
  command -v script >/dev/null || skip "script (bsdutils) is not installed"
  shim_load_busybox
  shim run -d --name box busybox sleep 100 >/dev/null
  local out rc=0
  out=$(printf 'tty\necho exec-$((6*7))\nexit 4\n' |
    script -qec "$SHIM --root $T/store --runroot $T/run --runtime $TONG exec -it box sh" /dev/null) || rc=$?
  assert_contains "$out" exec-42
  assert_contains "$out" /dev/pts/
  assert_eq "$rc" 4
  assert_fail shim exec nosuch true
  assert_contains "$ERR" 'no container named "nosuch"'
  shim rm -f box >/dev/null
  assert_shim_clean
}

test_shim_run_as_non_root_missing_image_leaves_nothing ()
{
  _need_shim
  command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
  mkdir -p "$T/home"
  chmod 777 "$T/home"
  chmod o+rx "$T"
  run_cmd setpriv --reuid 65534 --regid 65534 --clear-groups env XDG_DATA_HOME="$T/home/data" \
    XDG_RUNTIME_DIR="$T/home/run" "$SHIM" run busybox true
  # Rootless runs are tested in shim-rootless.sh; here the image is missing.
  assert_eq "$RC" 125
  assert_contains "$ERR" 'image "busybox" is not in the store'
  assert_no_file "$T/home/run/tong-shim/containers"
  assert_no_file "$T/home/run"
}

test_shim_stop_uses_the_image_stop_signal ()
{
  _need_shim
  shim_layout "$T/img" localhost/usr1 '.config.StopSignal = "SIGUSR1"'
  shim load -i "$T/img" >/dev/null
  shim run -d --name s1 usr1 sh -c 'trap "echo got-usr1; exit 0" USR1; trap "" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
  wait_for 10 eval 'shim logs s1 | grep -q ready'
  assert_ok shim stop --time 5 s1
  assert_contains "$(shim logs s1)" got-usr1
  run_cmd shim ps -a
  assert_contains "$OUT" "Exited (0)"
  shim rm s1 >/dev/null
  assert_shim_clean
}

# --net bridge and -p, in a network namespace of the test's own that plays
# the host: the container gets an address on tong's bridge, a published port
# answers at 127.0.0.1, and --rm leaves no veth, rule or lease.
test_shim_net_bridge_and_publish ()
{
  _need_shim
  local tool
  for tool in nft ip unshare; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (nftables, iproute2, util-linux)"
  done
  shim_load_busybox
  unshare --net -- bash -c '
    source "$TESTS_DIR/lib.sh" || exit 1
    source "$TESTS_DIR/integration/shim-lib.sh" || exit 1
    trap _run_on_exit EXIT
    set -eE -o pipefail
    ip link set lo up
    out=$(shim run --rm --net bridge busybox ip -4 -o addr show eth0)
    assert_match "$out" "inet 10\.89\.[0-9]+\.[0-9]+/24"
    shim run -d --name web --net bridge -p 8080:80 busybox \
      sh -c "echo hello-from-shim >/index.html; httpd -f -p 80 -h /" >/dev/null
    wait_for 10 sh -c "busybox wget -q -O - http://127.0.0.1:8080/index.html 2>/dev/null | grep -q hello-from-shim"
    shim rm -f web >/dev/null
    assert_eq "$(ip -o link show type veth | wc -l)" 0 "veths left"
    assert_eq "$(nft list tables 2>/dev/null | grep -c tong || true)" 0 "nftables tables left"
  '
  assert_shim_clean
}
