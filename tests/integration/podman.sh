# tong under podman: Debian's podman and conmon with `--runtime $TONG`.
#
# Each test runs podman with its own containers.conf and storage.conf under
# $T (vfs storage, file locks, file events, no network: netns "none" and
# a network config dir of its own, so /etc/cni/net.d is not touched), in a
# private mount namespace kept in $T/ns/mnt, where $T/tongroot is bound on
# /run/tong: podman does not pass its --runtime-flag options to the cleanup
# process that conmon starts when a container exits, so tong must find its
# state at its default root.  $T/pm/run is bound on /mnt there and is
# podman's runroot: podman refuses a runroot longer than 50 characters, and
# when it does so in that cleanup process, `podman run` waits 20 s for an
# exit that is never recorded.  Every mount podman makes lives and dies in
# that namespace.
#
# cgroups: cgroups = "no-conmon" keeps conmon where podman runs (podman's
# cgroupfs manager would otherwise move conmon into /libpod_parent/conmon in
# every v1 controller); containers get the parent <own>/pm-PID
# (--cgroup-parent, absolute, <own> the test's own memory cgroup) instead of
# /libpod_parent, so that on a v1 host they stay below the machine's memory
# limit, at a path podman reads its stats from: tong makes
# <own>/pm-PID/libpod-ID in every hierarchy.  podman's default pids limit (2048) stands.  The rlimits
# are lowered, never raised: rootful podman asks RLIMIT_NOFILE and
# RLIMIT_NPROC of 1048576, which only a holder of CAP_SYS_RESOURCE may set
# above its own hard limit.  docs/compat.md has the details.

source "$TESTS_DIR/oci-image.sh"

PM_IMAGE=localhost/tong-busybox:latest

# podman_ ARGS...: this test's podman, with tong as the runtime.
podman_ ()
{
  case " $* " in
  *" --cgroups=disabled "*) ;;
  " run "* | " create "*) set -- "$1" --cgroup-parent "$(abs_cgroup_parent "pm-$$")" "${@:2}" ;;
  esac
  nsenter --mount="$T/ns/mnt" --wd="$T" -- podman --runtime "$TONG" "$@"
}

# tong_pm ARGS...: tong on the state podman's containers keep.
tong_pm ()
{
  "$TONG" --root "$T/tongroot" "$@"
}

_pm_stop ()
{
  if [ -e "$T/ns/mnt" ] && mountpoint -q "$T/ns/mnt"; then
    podman_ rm -f -a -t 0
    umount "$T/ns/mnt"
  fi
  mountpoint -q "$T/ns" && umount "$T/ns"
  [ -z "${PM_MADE_RUN_TONG:-}" ] || rmdir /run/tong
  # The parent of the containers' cgroups .../pm-PID/libpod-ID, if empty.
  rm_abs_cgroup "$(abs_cgroup_parent "pm-$$")"
}

# pm_start: podman's configuration, the mount namespace, the image.
pm_start ()
{
  local b
  for b in podman conmon nsenter unshare; do
    command -v "$b" >/dev/null || skip "$b is not installed (Debian: apt-get install podman)"
  done
  [ -d /mnt ] || skip "no /mnt to hold podman's runroot"
  mkdir -p "$T/pm/tmp" "$T/pm/run" "$T/pm/net" "$T/tongroot" "$T/ns"
  # The names in the runtime lists are the runtime's base name: tong.
  cat >"$T/pm/containers.conf" <<EOF
[containers]
netns = "none"
cgroups = "no-conmon"
log_driver = "k8s-file"
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
env = ["TONG_TEST_MARK=$TONG_TEST_MARK"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$T/pm/events.log"
lock_type = "file"
tmp_dir = "$T/pm/tmp"
volume_path = "$T/pm/volumes"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "tong"]
runtime_supports_nocgroup = ["crun", "krun", "tong"]

[network]
network_config_dir = "$T/pm/net"
EOF
  cat >"$T/pm/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "/mnt"
graphroot = "$T/pm/storage"
EOF
  export CONTAINERS_CONF=$T/pm/containers.conf CONTAINERS_STORAGE_CONF=$T/pm/storage.conf
  export CONTAINERS_REGISTRIES_CONF=$T/pm/registries.conf
  : >"$T/pm/registries.conf"
  if [ ! -d /run/tong ]; then
    mkdir /run/tong
    PM_MADE_RUN_TONG=1
  fi
  on_exit _pm_stop
  mount --bind "$T/ns" "$T/ns"
  mount --make-private "$T/ns"
  touch "$T/ns/mnt"
  unshare --mount="$T/ns/mnt" --propagation private mount --bind "$T/tongroot" /run/tong
  nsenter --mount="$T/ns/mnt" mount --bind "$T/pm/run" /mnt
  # As root, `podman load` keeps a blob cache in /var/lib/containers/cache
  # whatever the storage configuration says: give it ours.
  mkdir -p "$T/pm/varlib/containers"
  if [ -d /var/lib/containers ]; then
    nsenter --mount="$T/ns/mnt" mount --bind "$T/pm/varlib/containers" /var/lib/containers
  else
    nsenter --mount="$T/ns/mnt" mount --bind "$T/pm/varlib" /var/lib
  fi
  oci_image_archive "$TONG_TEST_ROOTFS" "$PM_IMAGE" "$T/image.tar"
  podman_ load -q -i "$T/image.tar" >/dev/null
}

pm_status ()
{
  podman_ inspect -f '{{.State.Status}}' "$1"
}

_pm_status_is ()
{
  [ "$(pm_status "$1")" = "$2" ]
}

# v2_path PID: the cgroup v2 path of a process ("0::" line).
v2_path ()
{
  sed -n 's/^0:://p' "/proc/$1/cgroup"
}

test_podman_run_rm ()
{
  pm_start
  run_cmd podman_ run --pull never --rm "$PM_IMAGE" echo hello from tong
  assert_eq "$RC" 0
  assert_eq "$OUT" "hello from tong"
  run_cmd podman_ run --pull never --rm "$PM_IMAGE" sh -c 'exit 3'
  assert_eq "$RC" 3 "exit status of the container"
  assert_eq "$(podman_ ps -a -q)" ""
  assert_eq "$(state_entries "$T/tongroot")" "" "tong's state is gone"
}

# podman info shows `tong --version`, crun's layout: version, commit, spec,
# and the feature line.
test_podman_info ()
{
  pm_start
  local v
  v=$(podman_ info --format json | jq -r .host.ociRuntime.version)
  assert_match "$v" '^tong version [0-9]+\.[0-9]+'
  assert_match "$v" '^commit: '
  assert_match "$v" '^spec: 1\.[0-9]+'
  assert_match "$v" '^(\+[A-Z]+ )*\+SECCOMP( \+[A-Z]+)*$'
}

test_podman_detached_exec_top_stop ()
{
  pm_start
  local id pid
  id=$(podman_ run --pull never -d --name det "$PM_IMAGE" \
    sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done')
  wait_for 10 _pm_status_is det running
  # the container is tong's: its state, with podman's pid
  pid=$(podman_ inspect -f '{{.State.Pid}}' det)
  assert_json "$(tong_pm state "$id")" '.status == "running" and .pid == ($p | tonumber)' --arg p "$pid"

  assert_ok podman_ exec det sh -c 'echo exec-out; cat /proc/1/cmdline | tr "\0" " "'
  assert_contains "$OUT" exec-out
  assert_contains "$OUT" "sh -c trap"
  run_cmd podman_ exec det sh -c 'exit 4'
  assert_eq "$RC" 4 "exit status of an exec"
  run_cmd podman_ top det
  assert_eq "$RC" 0
  assert_contains "$OUT" "while"
  # stats: podman reads the container's cgroups itself
  run_cmd podman_ stats --no-stream --format json det
  assert_eq "$RC" 0
  assert_json "$OUT" '.[0].pids | tonumber >= 1'

  # stop sends SIGTERM (tong kill ID 15); the trap exits at once
  local t0=$SECONDS
  podman_ stop -t 20 det >/dev/null
  [ $((SECONDS - t0)) -lt 10 ] || fail "stop waited for its timeout: SIGTERM did not arrive"
  assert_eq "$(pm_status det)" exited
  assert_eq "$(podman_ inspect -f '{{.State.ExitCode}}' det)" 0
  assert_pid_gone "$pid"
  podman_ rm det >/dev/null
  assert_eq "$(state_entries "$T/tongroot")" ""
}

# Without a pid namespace of its own, podman stops a container with
# `kill --all ID 9`: every process of its cgroup.
test_podman_pid_host_stop ()
{
  pm_start
  local pid
  podman_ run --pull never -d --pid host --name ph "$PM_IMAGE" sh -c 'sleep 300 & sleep 300' >/dev/null
  wait_for 10 _pm_status_is ph running
  pid=$(podman_ inspect -f '{{.State.Pid}}' ph)
  wait_for 10 eval '[ -n "$(pgrep -P "$pid")" ]'
  local child
  child=$(pgrep -P "$pid")
  podman_ stop -t 0 ph >/dev/null
  assert_eq "$(pm_status ph)" exited
  assert_pid_gone "$pid"
  assert_pid_gone "$child"
  podman_ rm ph >/dev/null
}

test_podman_terminal ()
{
  pm_start
  command -v script >/dev/null || skip "script (bsdutils) is not installed"
  # A terminal driven by the test: script gives podman a pty; the shell in
  # the container reads what we type, and its exit status comes back.
  RC=0
  OUT=$(timeout 30 script -qefc "$(printf '%q ' nsenter --mount="$T/ns/mnt" --wd="$T" -- \
    podman --runtime "$TONG" run --pull never -it --rm "$PM_IMAGE" sh)" /dev/null \
    < <(sleep 2; printf 'tty; stty size; echo typed-$((6*7))\n'; sleep 1; printf 'exit 5\n'; sleep 2)) || RC=$?
  printf '%s\n' "$OUT" >&2
  assert_eq "$RC" 5 "exit status through the terminal"
  assert_contains "$OUT" /dev/pts/0
  assert_contains "$OUT" typed-42
  assert_eq "$(podman_ ps -a -q)" ""
}

# --uidmap/--gidmap: a user namespace; root in the container is uid 100000
# on the host.
test_podman_userns ()
{
  pm_start
  local pid
  podman_ run --pull never -d --name un --uidmap 0:100000:65536 --gidmap 0:100000:65536 \
    "$PM_IMAGE" sleep 300 >/dev/null
  wait_for 10 _pm_status_is un running
  pid=$(podman_ inspect -f '{{.State.Pid}}' un)
  assert_eq "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" 100000
  assert_eq "$(awk '{ print $1, $2, $3 }' "/proc/$pid/uid_map")" "0 100000 65536"
  assert_ok podman_ exec un sh -c 'id -u; ls -ln /bin/busybox'
  assert_match "$OUT" '^0$'
  assert_contains "$OUT" " 0        0 "
  podman_ rm -f -t 0 un >/dev/null
}

test_podman_pause_unpause ()
{
  pm_start
  local id
  id=$(podman_ run --pull never -d --name p "$PM_IMAGE" sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.05; done')
  wait_for 10 _pm_status_is p running
  podman_ pause p >/dev/null
  assert_eq "$(pm_status p)" paused
  assert_eq "$(tong_pm state "$id" | jq -r .status)" paused
  local a b
  a=$(podman_ mount p)/tmp/tick
  b=$(nsenter --mount="$T/ns/mnt" cat "$a")
  sleep 0.3
  assert_eq "$(nsenter --mount="$T/ns/mnt" cat "$a")" "$b" "a frozen container does not run"
  podman_ unpause p >/dev/null
  assert_eq "$(pm_status p)" running
  assert_eq "$(tong_pm state "$id" | jq -r .status)" running
  wait_for 5 eval '[ "$(nsenter --mount="$T/ns/mnt" cat "$a")" != "$b" ]'
  podman_ rm -f -t 0 p >/dev/null
}

test_podman_update ()
{
  "$TONG" update --help >/dev/null 2>&1 || skip "tong has no update command yet"
  pm_start
  local pid cg
  podman_ run --pull never -d --name u "$PM_IMAGE" sleep 300 >/dev/null
  wait_for 10 _pm_status_is u running
  pid=$(podman_ inspect -f '{{.State.Pid}}' u)
  cg=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)$(v2_path "$pid")
  local v1mem
  v1mem=$(sed -n 's/^[0-9]*:memory://p' "/proc/$pid/cgroup")
  if grep -qw memory "$cg/cgroup.controllers"; then
    podman_ update --memory 64m u >/dev/null
    assert_eq "$(cat "$cg/memory.max")" $((64 * 1024 * 1024))
  elif [ -n "$v1mem" ]; then
    # a v1 or hybrid host: the container's memory cgroup is v1's
    podman_ update --memory 64m u >/dev/null
    assert_eq "$(cat "/sys/fs/cgroup/memory$v1mem/memory.limit_in_bytes")" $((64 * 1024 * 1024))
  else
    # podman's `update --resources=FILE` reaches tong, and tong's reason
    # (this hierarchy has no memory controller) reaches the user
    run_cmd podman_ update --memory 64m u
    assert_ne "$RC" 0
    assert_contains "$ERR" "needs the cgroup v2 controller \`memory\`"
    assert_no_file "$cg/memory.max"
  fi
  podman_ rm -f -t 0 u >/dev/null
}

# --cgroups=disabled: podman passes --cgroup-manager disabled; the container
# stays in the cgroup of whoever started it (conmon, here the test's own).
test_podman_cgroups_disabled ()
{
  pm_start
  run_cmd podman_ run --pull never --rm --cgroups=disabled "$PM_IMAGE" sh -c 'cat /proc/self/cgroup'
  assert_eq "$RC" 0
  assert_contains "$OUT" "0::$(v2_path self)"
  # and by default a cgroup of its own in every hierarchy, below the
  # test's own, with podman's default pids limit
  local pid line
  podman_ run --pull never -d --name cg "$PM_IMAGE" sleep 300 >/dev/null
  wait_for 10 _pm_status_is cg running
  pid=$(podman_ inspect -f '{{.State.Pid}}' cg)
  assert_match "$(v2_path "$pid")" "/pm-$$/libpod-[0-9a-f]{64}\$"
  while read -r line; do
    assert_match "$line" "/pm-$$/libpod-[0-9a-f]{64}\$"
  done < <(grep -v '^0::' "/proc/$pid/cgroup")
  local pids
  pids=$(sed -n 's/^[0-9]*:pids://p' "/proc/$pid/cgroup")
  if [ -n "$pids" ]; then
    assert_eq "$(cat "/sys/fs/cgroup/pids$pids/pids.max")" 2048
  fi
  local conmon
  conmon=$(podman_ inspect -f '{{.State.ConmonPid}}' cg)
  assert_eq "$(cat "/proc/$conmon/cgroup")" "$(cat /proc/self/cgroup)" "conmon was not moved"
  podman_ rm -f -t 0 cg >/dev/null
}

test_podman_preserve_fds ()
{
  pm_start
  run_cmd podman_ run --pull never --rm --preserve-fds 1 "$PM_IMAGE" \
    sh -c 'echo via-fd-3 >&3; ls /proc/self/fd' 3>"$T/fd3"
  assert_eq "$RC" 0
  assert_eq "$(cat "$T/fd3")" via-fd-3
  # 0-2, the preserved 3, and the directory ls reads: nothing else leaks in
  assert_eq "$(echo $OUT)" "0 1 2 3 4"
}

test_podman_error ()
{
  pm_start
  run_cmd podman_ run --pull never --rm "$PM_IMAGE" /no/such/program
  assert_eq "$RC" 127 "podman's status for a command that is not found"
  assert_contains "$ERR" "tong: exec \`/no/such/program\`"
  # the --log file podman reads holds exactly one JSON error record
  local id log
  id=$(podman_ create --pull never --name bad "$PM_IMAGE" /no/such/program)
  assert_fail podman_ start bad
  assert_contains "$ERR" /no/such/program
  log=$T/pm/run/vfs-containers/$id/userdata/oci-log
  assert_eq "$(wc -l <"$log")" 1
  assert_json "$(cat "$log")" '.level == "error" and (.msg | test("/no/such/program")) and (.time | length > 0)'
  podman_ rm -f bad >/dev/null
  assert_eq "$(state_entries "$T/tongroot")" ""
}

# What podman reads back, without podman: the --log file of a failing
# create holds exactly one JSON error record, even when the invocation had
# warnings to give first (they go to stderr); a command that succeeds writes
# its warnings there.
test_podman_log_one_error_record ()
{
  make_bundle "$T/bad" /no/such/program
  assert_fail tong --log "$T/bad.json" --log-format json create --bundle "$T/bad" bad
  assert_eq "$(wc -l <"$T/bad.json")" 1
  assert_json "$(cat "$T/bad.json")" '.level == "error" and (.msg | test("/no/such/program"))'
  # a command that succeeds keeps its warnings (a failed poststart hook)
  make_bundle "$T/ok" true
  cfg_set "$T/ok" '.hooks.poststart = [{path: "/bin/false"}]'
  tong --log "$T/ok.json" --log-format json run --bundle "$T/ok" ok
  assert_json "$(head -n1 "$T/ok.json")" '.level == "warning" and (.msg | test("poststart"))'
  assert_no_containers
}
