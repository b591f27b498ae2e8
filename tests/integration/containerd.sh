# tong under containerd: Debian's containerd with its runc shim v2
# (containerd-shim-runc-v2), driven by ctr, with tong as the OCI runtime.
#
# Each test starts its own containerd with a config, root, state and sockets
# under $T (the CRI plugin off; nothing listens on the network), imports an
# image built from the test rootfs, and stops everything at the end.  The
# container gets TONG_TEST_MARK in its environment so that the runner finds
# any process left behind.
#
# cgroups: the shim is started without a ShimCgroup, so it stays where
# containerd is (the test's own cgroup); each container gets the relative
# cgroupsPath ctd-PID/<id> (ctr run --cgroup) instead of ctr's absolute
# /<namespace>/<id>, so that on a v1 host it stays below the test's own
# memory cgroup.  tong makes it in every hierarchy (v1 and v2) and removes
# it at delete; on a v1 or hybrid host the shim reads the v1 cgroups of the
# container's init and registers an OOM eventfd there.  docs/compat.md has
# the details.

source "$TESTS_DIR/oci-image.sh"

CTD_IMAGE=localhost/tong-busybox:latest

# ctr ARGS...: this test's ctr, in this test's namespace.
ctr_ ()
{
  ctr --address "$T/ctd/containerd.sock" --namespace "$CTD_NS" "$@"
}

_ctd_stop ()
{
  local id pid
  for id in $(ctr_ task ls -q 2>/dev/null); do
    ctr_ task kill -s KILL "$id"
    ctr_ task delete "$id"
  done
  for id in $(ctr_ containers ls -q 2>/dev/null); do
    ctr_ containers rm "$id"
  done
  # Shims whose tasks could not be deleted: they name our socket.
  for pid in $(pgrep -f -- "-address $T/ctd/containerd.sock" 2>/dev/null); do
    kill -9 "$pid"
  done
  [ -z "${CTD_PID:-}" ] || { kill "$CTD_PID"; wait "$CTD_PID"; }
  local m
  for m in $(awk -v t="$T/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount -l "$m"
  done
  # The parent cgroup tong made for the containers' ctd-PID/<id>.
  rm_own_cgroup "ctd-$$"
  # After a container with a user namespace, the default runc root of our
  # namespace appears too (empty), whatever --runc-root says.
  rmdir "/run/containerd/runc/$CTD_NS"
  [ -z "${CTD_MADE_RUN:-}" ] || rmdir /run/containerd/runc /run/containerd/s /run/containerd
}

# ctd_start: start containerd for this test and import the busybox image.
ctd_start ()
{
  local b
  for b in containerd ctr containerd-shim-runc-v2; do
    command -v "$b" >/dev/null || skip "$b is not installed (Debian: apt-get install containerd)"
  done
  CTD_NS=tong-test-$$
  # containerd 1.6 puts shim sockets in /run/containerd/s whatever its config
  # says; remove what we made there (empty once the shims are gone).
  [ -d /run/containerd ] || CTD_MADE_RUN=1
  mkdir -p "$T/ctd" "$T/runc" "$T/fifo"
  cat >"$T/ctd/config.toml" <<EOF
version = 2
root = "$T/ctd/root"
state = "$T/ctd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$T/ctd/containerd.sock"
[ttrpc]
  address = "$T/ctd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
  PATH=${CTD_PATH:-$PATH} containerd --config "$T/ctd/config.toml" >"$T/ctd/containerd.log" 2>&1 </dev/null &
  CTD_PID=$!
  on_exit _ctd_stop
  wait_for 20 ctr_ version || { tail -n 20 "$T/ctd/containerd.log" >&2; fail "containerd did not start"; }
  oci_image_archive "$TONG_TEST_ROOTFS" "$CTD_IMAGE" "$T/image.tar"
  ctr_ images import "$T/image.tar" >/dev/null
}

# ctr_run ARGS...: ctr run with tong as the shim's runtime binary.
ctr_run ()
{
  local a id= prev=
  for a in "$@"; do
    [ "$prev" = "$CTD_IMAGE" ] && id=$a
    prev=$a
  done
  ctr_ run --runc-binary "$TONG" --runc-root "$T/runc" --fifo-dir "$T/fifo" \
    --cgroup "ctd-$$/$id" --env "TONG_TEST_MARK=$TONG_TEST_MARK" "$@"
}

# tong_ctd ARGS...: tong on the state the shim keeps (runc-root/namespace).
tong_ctd ()
{
  "$TONG" --root "$T/runc/$CTD_NS" "$@"
}

task_status ()
{
  ctr_ task ls | awk -v id="$1" '$1 == id { print $3 }'
}

_task_status_is ()
{
  [ "$(task_status "$1")" = "$2" ]
}

test_containerd_run_echo ()
{
  ctd_start
  run_cmd ctr_run --rm "$CTD_IMAGE" echo1 echo hello from tong
  assert_eq "$RC" 0
  assert_eq "$OUT" "hello from tong"
  # the exit status of the container's process reaches ctr
  run_cmd ctr_run --rm "$CTD_IMAGE" exit3 sh -c 'exit 3'
  assert_eq "$RC" 3
  assert_eq "$(ctr_ containers ls -q)" ""
  assert_eq "$(ls "$T/runc/$CTD_NS")" "" "tong's state under the shim's root is gone"
}

# ctr task kill --all: tong kill --all, every process of the container.
test_containerd_kill_all ()
{
  ctd_start
  ctr_run -d "$CTD_IMAGE" all sh -c 'sleep 300 & sleep 300'
  wait_for 10 _task_status_is all RUNNING
  local pid child
  pid=$(ctr_ task ls | awk '$1 == "all" { print $2 }')
  wait_for 10 eval '[ -n "$(pgrep -P "$pid")" ]'
  child=$(pgrep -P "$pid")
  ctr_ task kill --all -s KILL all
  wait_for 10 _task_status_is all STOPPED
  assert_pid_gone "$child"
  ctr_ task delete all
  ctr_ containers rm all
}

test_containerd_task_lifecycle ()
{
  ctd_start
  ctr_run -d "$CTD_IMAGE" life sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
  wait_for 10 _task_status_is life RUNNING
  local pid
  pid=$(ctr_ task ls | awk '$1 == "life" { print $2 }')
  assert_json "$(tong_ctd state life)" '.status == "running" and .pid == ($p | tonumber)' --arg p "$pid"

  # exec: ctr task exec waits for the process and relays its output
  assert_ok ctr_ task exec --fifo-dir "$T/fifo" --exec-id e1 life sh -c 'echo exec-out; cat /proc/1/cmdline | tr "\0" " "'
  assert_contains "$OUT" exec-out
  assert_contains "$OUT" "sh -c trap"
  run_cmd ctr_ task exec --fifo-dir "$T/fifo" --exec-id e2 life sh -c 'exit 5'
  assert_eq "$RC" 5 "exit status of an exec"

  # ps (tong ps --format json): the init and a detached exec
  ctr_ task exec --fifo-dir "$T/fifo" -d --exec-id e3 life sleep 30
  wait_for 10 eval '[ "$(ctr_ task ps life | tail -n +2 | wc -l)" -ge 2 ]'
  run_cmd ctr_ task ps life
  assert_contains "$OUT" "$pid"

  # pause and resume (cgroup.freeze)
  ctr_ task pause life
  assert_eq "$(task_status life)" PAUSED
  assert_eq "$(tong_ctd state life | jq -r .status)" paused
  ctr_ task resume life
  assert_eq "$(task_status life)" RUNNING
  assert_eq "$(tong_ctd state life | jq -r .status)" running

  # kill: SIGTERM reaches the init, which exits 7
  ctr_ task kill life
  wait_for 10 _task_status_is life STOPPED
  run_cmd ctr_ task delete life
  assert_eq "$RC" 0
  assert_contains "$OUT$ERR" 7
  ctr_ containers rm life
  assert_pid_gone "$pid"
  assert_eq "$(ls "$T/runc/$CTD_NS")" ""
}

# A pod as containerd's CRI makes one: the sandbox with cpu.shares 2 and a
# cgroupsPath of the pod's (ctr's --cgroup: here relative, below the test's
# own cgroups), then an app container in the sandbox's network, ipc and uts
# namespaces with memory and cpu limits.  Both get their limits in their
# own cgroups (v2's files on a v2 host, v1's on a v1 or hybrid one), and
# the shim reads the app's stats.
test_containerd_pod_sandbox_and_app_with_limits ()
{
  ctd_start
  ctr_ run --runc-binary "$TONG" --runc-root "$T/runc" --fifo-dir "$T/fifo" \
    --cgroup "ctd-$$/pod/sandbox" --cpu-shares 2 --env "TONG_TEST_MARK=$TONG_TEST_MARK" \
    -d "$CTD_IMAGE" sandbox sleep 300
  wait_for 10 _task_status_is sandbox RUNNING
  local spid apid ns
  spid=$(ctr_ task ls | awk '$1 == "sandbox" { print $2 }')
  ctr_ run --runc-binary "$TONG" --runc-root "$T/runc" --fifo-dir "$T/fifo" \
    --cgroup "ctd-$$/pod/app" --memory-limit 67108864 --cpu-quota 50000 --cpu-period 100000 \
    --with-ns "network:/proc/$spid/ns/net" --with-ns "ipc:/proc/$spid/ns/ipc" \
    --with-ns "uts:/proc/$spid/ns/uts" --env "TONG_TEST_MARK=$TONG_TEST_MARK" \
    -d "$CTD_IMAGE" app sleep 300
  wait_for 10 _task_status_is app RUNNING
  apid=$(ctr_ task ls | awk '$1 == "app" { print $2 }')
  for ns in net ipc uts; do
    assert_eq "$(readlink "/proc/$apid/ns/$ns")" "$(readlink "/proc/$spid/ns/$ns")" "the app joined the sandbox's $ns"
  done
  local mem cpu
  mem=$(sed -n 's/^[0-9]*:memory://p' "/proc/$apid/cgroup")
  if [ -n "$mem" ]; then
    cpu=$(awk -F: '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == "cpu") print $3 }' "/proc/$spid/cgroup")
    assert_match "$mem" "/ctd-$$/pod/app\$"
    assert_eq "$(cat "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes")" 67108864
    assert_eq "$(cat "$(awk '$9 == "cgroup" && $NF ~ /(^|,)cpu(,|$)/ { print $5; exit }' /proc/self/mountinfo)$cpu/cpu.shares")" 2
  else
    local v2
    v2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)$(sed -n 's/^0:://p' "/proc/$apid/cgroup")
    [ ! -e "$v2/memory.max" ] || assert_eq "$(cat "$v2/memory.max")" 67108864
  fi
  # the shim reads the app's stats from its cgroups
  run_cmd ctr_ task metrics app
  assert_eq "$RC" 0
  ctr_ task kill -s KILL app
  ctr_ task kill -s KILL sandbox
  wait_for 10 _task_status_is app STOPPED
  wait_for 10 _task_status_is sandbox STOPPED
  ctr_ task delete app
  ctr_ task delete sandbox
  ctr_ containers rm app sandbox
  rm_own_cgroup "ctd-$$/pod"
  assert_eq "$(ls "$T/runc/$CTD_NS")" ""
}

# ctr run -t: the shim passes --console-socket and relays the terminal.
test_containerd_tty ()
{
  command -v script >/dev/null || skip "script (bsdutils) is not installed"
  ctd_start
  RC=0
  OUT=$(timeout 30 script -qefc "$(printf '%q ' ctr --address "$T/ctd/containerd.sock" --namespace "$CTD_NS" \
    run -t --rm --runc-binary "$TONG" --runc-root "$T/runc" --fifo-dir "$T/fifo" \
    --cgroup "ctd-$$/tty1" --env "TONG_TEST_MARK=$TONG_TEST_MARK" "$CTD_IMAGE" tty1 sh)" /dev/null \
    < <(sleep 2; printf 'tty; echo typed-$((6*7))\n'; sleep 1; printf 'exit 6\n'; sleep 2)) || RC=$?
  printf '%s\n' "$OUT" >&2
  assert_eq "$RC" 6 "exit status through the terminal"
  assert_contains "$OUT" /dev/pts/0
  assert_contains "$OUT" typed-42
  assert_eq "$(ctr_ containers ls -q)" ""
}

# ctr run --uidmap/--gidmap: a user namespace (ctr chowns a copy of the
# snapshot); root in the container is uid 100000 on the host.
test_containerd_userns ()
{
  ctd_start
  ctr_run -d --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$CTD_IMAGE" userns sleep 300
  wait_for 10 _task_status_is userns RUNNING
  local pid
  pid=$(ctr_ task ls | awk '$1 == "userns" { print $2 }')
  assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" 100000
  assert_eq "$(awk '{ print $1, $2, $3 }' "/proc/$pid/uid_map")" "0 100000 65536"
  assert_ok ctr_ task exec --fifo-dir "$T/fifo" --exec-id e1 userns sh -c 'id -u; ls -ln /bin/busybox'
  assert_match "$OUT" '^0$'
  assert_contains "$OUT" " 0        0 "
  ctr_ task kill -s KILL userns
  wait_for 10 _task_status_is userns STOPPED
  ctr_ task delete userns
  ctr_ containers rm userns
}

# The shim maps tong's "container not running" to "process already finished".
test_containerd_kill_stopped ()
{
  ctd_start
  ctr_run -d "$CTD_IMAGE" quick true
  wait_for 10 _task_status_is quick STOPPED
  assert_fail ctr_ task kill quick
  assert_contains "$ERR" "process already finished"
  local log="$T/ctd/state/io.containerd.runtime.v2.task/$CTD_NS/quick/log.json"
  assert_json "$(tail -n 1 "$log")" '.level == "error" and (.msg | test("container not running"))'
  ctr_ task delete quick
  ctr_ containers rm quick
}

test_containerd_create_error ()
{
  ctd_start
  assert_fail ctr_run --rm "$CTD_IMAGE" bad /no/such/program
  # tong's error, from the last error record of log.json, reaches ctr's user
  assert_contains "$ERR" "OCI runtime create failed"
  assert_contains "$ERR" "/no/such/program"
  assert_eq "$(ctr_ containers ls -q)" ""
  assert_eq "$(ls "$T/runc/$CTD_NS" 2>/dev/null)" ""
}

# Without runtime options the shim runs `runc` from its PATH: tong installed
# as runc.  (The CRI plugin's runtimes.<name>.options.BinaryName reaches the
# shim as the same option that --runc-binary sets; see docs/compat.md.)
test_containerd_tong_as_runc ()
{
  mkdir "$T/bin"
  ln -s "$TONG" "$T/bin/runc"
  CTD_PATH=$T/bin:$PATH ctd_start
  ctr_ run -d --fifo-dir "$T/fifo" --env "TONG_TEST_MARK=$TONG_TEST_MARK" \
    --runc-root "$T/runc" "$CTD_IMAGE" asrunc sleep 30
  wait_for 10 _task_status_is asrunc RUNNING
  # it is tong's container: tong reads the state the shim's runtime wrote
  assert_json "$(tong_ctd state asrunc)" '.status == "running"'
  ctr_ task kill -s KILL asrunc
  wait_for 10 _task_status_is asrunc STOPPED
  ctr_ task delete asrunc
  ctr_ containers rm asrunc
  assert_eq "$(ls "$T/runc/$CTD_NS")" ""
}
