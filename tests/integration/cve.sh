# Regression tests for the known classes of container-runtime escapes: each
# test plays the attack from inside a container (or races it from the host)
# and checks that it never reaches the host.
#
#   CVE-2019-5736   the runtime's binary overwritten through /proc/PID/exe
#   CVE-2024-21626  a runtime fd (or cwd) leaked into the container
#   CVE-2021-30465  a mount target swapped for a symlink between check and use
#   masked paths    a maskedPaths entry redirected to a host file
#   startContainer  a hook of the image run with the runtime's privileges
#   CVE-2025-52881  readonlyPaths and maskedPaths redirected through a /proc
#                   swapped in the rootfs while the runtime sets it up

source "$TESTS_DIR/integration/exe-attack-lib.sh"

# ---------------------------------------------------------------- CVE-2019-5736

# _exe_attack B CAPS...: run the exe-probe attack against a private copy of
# the runtime (so that a successful attack cannot damage the build): from an
# exec'd process while the init is still the runtime (before start), then as
# the container's process while `tong exec` runs into it again and again.
# CAPS are added to the capabilities of both.
_exe_attack ()
{
  local b=$1 probe="$BUILD_DIR/tests/tools/exe-probe" bin="$T/tong-copy" id sum cap
  shift
  [ -x "$probe" ] || skip "tests/tools/exe-probe is not built (make check TESTS=)"
  cp "$TONG" "$bin"
  sum=$(sha256sum <"$bin")
  id=$(stat -c '%Hd:%Ld:%i' "$bin")
  cp "$probe" "$b/rootfs/exe-probe"
  cfg_args "$b" /exe-probe 6 "$id" /probe-init.out
  for cap in "$@"; do
    cfg_set "$b" '.process.capabilities |= with_entries(.value += [$c])' --arg c "$cap"
  done
  local exec_caps=()
  for cap in "$@"; do exec_caps+=(--cap "$cap"); done

  "$bin" --root "$ROOT" create --bundle "$b" c1 </dev/null
  # pid 1 is still the runtime here: the classic target
  "$bin" --root "$ROOT" exec -d "${exec_caps[@]}" c1 /exe-probe 3 "$id" /probe-exec.out
  sleep 1
  "$bin" --root "$ROOT" start c1
  local end=$((SECONDS + 4))
  while [ $SECONDS -lt $end ]; do
    "$bin" --root "$ROOT" exec "${exec_caps[@]}" c1 true </dev/null || true
  done
  wait_status c1 stopped 15
  tong delete c1

  assert_eq "$(sha256sum <"$bin")" "$sum" "the runtime's binary is unchanged"
  EXE_INIT=$(cat "$b/rootfs/probe-init.out")
  EXE_EXEC=$(cat "$b/rootfs/probe-exec.out")
  assert_match "$EXE_INIT" ' write=0$'
  assert_match "$EXE_EXEC" ' write=0$'
  assert_no_containers
}

test_cve_2019_5736_exe_default_caps ()
{
  make_bundle "$T/b"
  _exe_attack "$T/b"
  # non-dumpable: the binary is not even reachable
  assert_eq "$EXE_INIT" "reached=0 write=0"
  assert_eq "$EXE_EXEC" "reached=0 write=0"
}

# No user namespace and CAP_SYS_PTRACE in every set: PR_SET_DUMPABLE no
# longer stops the probe, which reaches the binary the runtime's processes
# run through /proc/PID/exe: a read-only clone of its mount, which no open
# can write, before or after the runtime has exited.
test_cve_2019_5736_exe_cap_sys_ptrace ()
{
  make_bundle "$T/b"
  if [ "$(jq '[.linux.namespaces[]? | select(.type == "user")] | length' "$T/b/config.json")" != 0 ]; then
    cfg_set "$T/b" '.linux.namespaces |= map(select(.type != "user"))'
  fi
  _exe_attack "$T/b" CAP_SYS_PTRACE
  assert_match "$EXE_INIT" '^reached=[1-9][0-9]* write=0$'
  assert_match "$EXE_EXEC" '^reached=[1-9][0-9]* write=0$'
}

# CAP_SYS_PTRACE given by an exec into a container that has not been
# started: the init still runs the runtime's binary, from the read-only
# clone, so the exec is allowed and the capability reaches nothing it could
# write.
test_cve_2019_5736_exe_ptrace_granted_by_exec ()
{
  local probe="$BUILD_DIR/tests/tools/exe-probe" bin="$T/tong-copy" id sum pid
  [ -x "$probe" ] || skip "tests/tools/exe-probe is not built (make check TESTS=)"
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.namespaces |= map(select(.type != "user"))'
  cp "$TONG" "$bin"
  sum=$(sha256sum <"$bin")
  id=$(stat -c '%Hd:%Ld:%i' "$bin")
  cp "$probe" "$T/b/rootfs/exe-probe"

  "$bin" --root "$ROOT" create --bundle "$T/b" c1 </dev/null
  pid=$(tong state c1 | jq -r .pid)
  assert_eq "$(stat -L -c '%Hd:%Ld:%i' "/proc/$pid/exe")" "$id" "the created init runs the binary"
  assert_eq "$(readlink "/proc/$pid/exe")" / "from a detached clone of its mount"
  "$bin" --root "$ROOT" exec -d --cap CAP_SYS_PTRACE c1 /exe-probe 3 "$id" /probe-created.out
  "$bin" --root "$ROOT" start c1
  "$bin" --root "$ROOT" exec -d --cap CAP_SYS_PTRACE c1 /exe-probe 3 "$id" /probe.out
  local end=$((SECONDS + 4))
  while [ $SECONDS -lt $end ]; do
    "$bin" --root "$ROOT" exec c1 true </dev/null || true
  done
  wait_for 10 test -s "$T/b/rootfs/probe.out"
  wait_for 10 test -s "$T/b/rootfs/probe-created.out"
  "$bin" --root "$ROOT" delete --force c1
  assert_eq "$(sha256sum <"$bin")" "$sum" "the runtime's binary is unchanged"
  assert_match "$(cat "$T/b/rootfs/probe-created.out")" '^reached=[1-9][0-9]* write=0$'
  assert_match "$(cat "$T/b/rootfs/probe.out")" '^reached=[0-9]+ write=0$'
  assert_no_containers
}

# The container's own execve of /proc/self/exe (tests/integration/
# exe-attack-lib.sh): every case runs a private copy of the runtime, so that
# a successful attack cannot damage the build, and checks the copy's bytes
# once every runtime process is gone.

_exe_create_start ()
{
  _exe_copy "$1"
  _exe_image "$T/b" "$BIN" "$2"
  "$BIN" --root "$ROOT" create --bundle "$T/b" c1 </dev/null
  "$BIN" --root "$ROOT" start c1
  wait_status c1 stopped 20
  _exe_verdict "$T/b" "$BIN" "$SUM"
  tong delete c1
  assert_no_containers
}

test_cve_2019_5736_self_exe_create_start_fake_loader ()
{
  _exe_create_start tong fake
}

test_cve_2019_5736_self_exe_create_start_genuine_musl_loader ()
{
  _exe_copy tong
  case $(readelf -l "$BIN" 2>/dev/null) in
  *ld-musl*) ;;
  *) skip "tong is not built with musl here" ;;
  esac
  _exe_create_start tong genuine
}

test_cve_2019_5736_self_exe_tong_full_fake_glibc_loader ()
{
  _exe_create_start tong-full fake
}

test_cve_2019_5736_self_exe_run_detached ()
{
  _exe_copy tong
  _exe_image "$T/b" "$BIN" fake
  "$BIN" --root "$ROOT" run -d --bundle "$T/b" c1 </dev/null
  wait_status c1 stopped 20
  _exe_verdict "$T/b" "$BIN" "$SUM"
  tong delete c1
  assert_no_containers
}

# Foreground `run` waits for the container's pid 1: the attack must outlive
# it, which it can in the host's pid namespace, without a cgroup to kill it.
test_cve_2019_5736_self_exe_run_foreground ()
{
  _exe_copy tong
  EXE_BG=1 _exe_image "$T/b" "$BIN" fake
  cfg_set "$T/b" '.linux.namespaces |= map(select(.type != "pid"))'
  "$BIN" --root "$ROOT" --cgroup-manager disabled run --bundle "$T/b" c1 </dev/null
  _exe_verdict "$T/b" "$BIN" "$SUM"
  assert_no_containers
}

# Bridge networking hands the musl build over to tong-full (src/self/twin.h): the
# init is then tong-full's, and so is the binary the attack reaches.  In a
# network namespace of its own, as tests/integration/network.sh runs.
test_cve_2019_5736_self_exe_handed_over_to_tong_full ()
{
  local full
  command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
  _exe_copy tong
  full="$T/bin/tong-full"
  [ -x "$full" ] || skip "tong is not built with musl here: there is no hand-over"
  SUM=$(sha256sum <"$full")
  _exe_image "$T/b" "$full" fake
  cfg_ns "$T/b" network
  cfg_set "$T/b" '.annotations["org.tong.net.mode"] = "bridge"'
  unshare --net -- sh -ec '
    ip link set lo up
    "$1" --root "$ROOT" run -d --bundle "$T/b" c1 </dev/null
    i=0
    while [ ! -e "$T/b/out/result" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
    "$TONG" --root "$ROOT" delete --force c1' sh "$BIN"
  _exe_verdict "$T/b" "$full" "$SUM"
  assert_no_containers
}

# _exe_exec BIN LOADER FLAGS...: the attack from `tong exec FLAGS c1 /entry`
# into a running container.
_exe_exec ()
{
  local name=$1 loader=$2
  shift 2
  _exe_copy "$name"
  _exe_image "$T/b" "$BIN" "$loader"
  cfg_args "$T/b" sleep 1000
  "$BIN" --root "$ROOT" run -d --bundle "$T/b" c1 </dev/null
  "$BIN" --root "$ROOT" exec "$@" c1 /entry </dev/null
  _exe_verdict "$T/b" "$BIN" "$SUM"
  tong delete --force c1
  assert_no_containers
}

test_cve_2019_5736_self_exe_exec_detached ()
{
  _exe_exec tong fake -d
}

test_cve_2019_5736_self_exe_exec_foreground_genuine_musl_loader ()
{
  _exe_copy tong
  case $(readelf -l "$BIN" 2>/dev/null) in
  *ld-musl*) ;;
  *) skip "tong is not built with musl here" ;;
  esac
  EXE_BG=1 _exe_exec tong genuine
}

test_cve_2019_5736_self_exe_exec_tong_full_genuine_glibc_loader ()
{
  _exe_exec tong-full genuine -d
}

# ---------------------------------------------------------------- CVE-2024-21626

# A shell snippet for the container: its fds, then whether its cwd is inside
# the container's root (".." from a directory outside the root climbs to the
# host's root, where the marker is missing).
_fd_cwd_report='ls /proc/self/fd | xargs; readlink /proc/self/cwd
  for i in $(seq 64); do cd ..; done; test -e /.cve-marker && test -e .cve-marker && echo inside || echo OUTSIDE'

_fd_bundle ()
{
  make_bundle "$1" sh -c "$_fd_cwd_report"
  touch "$1/rootfs/.cve-marker"
  mkdir -p "$1/rootfs/work"
  cfg_set "$1" '.process.cwd = "/work"'
}

test_cve_2024_21626_no_runtime_fd_or_cwd_with_run ()
{
  _fd_bundle "$T/b"
  # the fd ls opens is 3
  assert_eq "$(cd "$ROOT" && tong run --bundle "$T/b" c1 </dev/null)" "$(printf '0 1 2 3\n/work\ninside')"
  assert_no_containers
}

test_cve_2024_21626_no_runtime_fd_or_cwd_with_create_start ()
{
  _fd_bundle "$T/b"
  cfg_args "$T/b" sh -c "{ $_fd_cwd_report; } >/report"
  (cd "$ROOT" && tong create --bundle "$T/b" c1 </dev/null)
  tong start c1
  wait_status c1 stopped
  tong delete c1
  # the redirection is fd 1, ls's directory 3
  assert_eq "$(cat "$T/b/rootfs/report")" "$(printf '0 1 2 3\n/work\ninside')"
  assert_no_containers
}

test_cve_2024_21626_no_runtime_fd_or_cwd_with_exec ()
{
  _fd_bundle "$T/b"
  cfg_args "$T/b" sleep 30
  tong run -d --bundle "$T/b" c1 </dev/null
  assert_eq "$(cd "$ROOT" && tong exec c1 sh -c "$_fd_cwd_report" </dev/null)" "$(printf '0 1 2 3\n/work\ninside')"
  tong kill c1 KILL
  wait_status c1 stopped
  tong delete c1
  assert_no_containers
}

# The attack: a cwd through /proc/self/fd/N reaches whatever fd N the runtime
# still holds when it changes directory.
test_cve_2024_21626_cwd_through_proc_self_fd ()
{
  _fd_bundle "$T/b"
  local n out
  for n in 3 4 5 6 7 8 9 10; do
    cfg_set "$T/b" '.process.cwd = $c' --arg c "/proc/self/fd/$n"
    run_cmd tong run --bundle "$T/b" "r$n"
    [ "$RC" -ne 0 ] || assert_eq "$(tail -n 1 <<<"$OUT")" inside "run, cwd /proc/self/fd/$n"
  done
  # exec into a running container: its runtime fds must not serve as a cwd either
  make_bundle "$T/e" sleep 1000
  touch "$T/e/rootfs/.cve-marker"
  tong run -d --bundle "$T/e" e1 </dev/null
  wait_status e1 running
  for n in 3 4 5 6 7 8 9 10; do
    run_cmd tong exec --cwd "/proc/self/fd/$n" e1 sh -c "$_fd_cwd_report"
    [ "$RC" -ne 0 ] || assert_eq "$(tail -n 1 <<<"$OUT")" inside "exec, cwd /proc/self/fd/$n"
  done
  tong delete --force e1
  assert_no_containers
}

# ---------------------------------------------------------------- CVE-2021-30465

# While `tong run` mounts a tmpfs on /t, the host swaps rootfs/t between a
# directory and a symlink to a host directory.  The mount must land inside
# the rootfs or fail; never on the host directory.
_swap_loop ()
{
  local r=$1
  while :; do
    mv -T "$r/t" "$r/t.dir" 2>/dev/null || true
    mv -T "$r/t.link" "$r/t" 2>/dev/null || true
    mv -T "$r/t" "$r/t.link" 2>/dev/null || true
    mv -T "$r/t.dir" "$r/t" 2>/dev/null || true
  done
}

test_cve_2021_30465_mount_target_swapped_for_symlink ()
{
  # $T shared with the container's mount namespace, and rootfsPropagation
  # shared: a mount that follows the symlink to the host directory shows in
  # the host's mountinfo.  (The swap can also detach the container's tmpfs:
  # renaming over a mount point of another namespace unmounts it there.)
  mount --bind "$T" "$T"
  on_exit "umount -l '$T'"
  mount --make-shared "$T"
  mkdir "$T/host-target"
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.rootfsPropagation = "shared"'
  cfg_mount "$T/b" '{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
  mkdir "$T/b/rootfs/t"
  ln -s "$T/host-target" "$T/b/rootfs/t.link"
  local pid i
  bg_start pid _swap_loop "$T/b/rootfs"
  for i in $(seq 50); do
    tong run --bundle "$T/b" "c$i" </dev/null 2>/dev/null || true
    if grep -q " $T/host-target " /proc/self/mountinfo; then fail "run $i mounted on the host"; fi
    tong delete -f "c$i" 2>/dev/null || true
  done
  pid_alive "$pid" || fail "the swapping loop died: the race did not run"
  if grep -q " $T/host-target " /proc/self/mountinfo; then fail "a mount landed on the host"; fi
  assert_eq "$(ls -A "$T/host-target")" ""
  assert_no_containers
}

# ---------------------------------------------------------------- masked paths

# maskedPaths entries that are symlinks in the image, to a host file (absolute
# and climbing out with ".."): the mask applies inside the container or not at
# all; the host file is never masked, even for a moment.
test_cve_masked_path_symlink_to_host ()
{
  mkdir "$T/host"
  echo host-secret >"$T/host/secret"
  make_bundle "$T/b"
  echo image-secret >"$T/b/rootfs/etc/secret"
  mkdir -p "$T/b/rootfs/$T/host"
  echo in-rootfs >"$T/b/rootfs/$T/host/secret"
  ln -s "$T/host/secret" "$T/b/rootfs/etc/evil-abs"
  ln -s "../../../../../../../../../../..$T/host/secret" "$T/b/rootfs/etc/evil-rel"
  ln -s /etc/secret "$T/b/rootfs/etc/evil-inside"
  cfg_set "$T/b" '.linux.maskedPaths += ["/etc/evil-abs", "/etc/evil-rel", "/etc/evil-inside"]'
  # the shared propagation would carry a mount on the host's file back to the host
  cfg_set "$T/b" '.linux.rootfsPropagation = "shared"'
  local out
  out=$(in_container "$T/b" "cat $T/host/secret /etc/secret | wc -c; echo end")
  # both targets resolve inside the root: masked there (or left alone)
  assert_match "$out" '^(0|10|20|26)'
  assert_eq "$(cat "$T/host/secret")" host-secret
  if grep -q " $T/host/secret " /proc/self/mountinfo; then fail "the mask landed on the host"; fi
  assert_no_containers
}

# A spec mount binds a symlink over a masked /proc path (one that exists on every kernel): the mask covers what
# the container sees there, the host file the symlink names stays untouched.
test_cve_masked_path_under_a_bound_symlink ()
{
  mkdir "$T/host"
  echo host-secret >"$T/host/secret"
  ln -s "$T/host/secret" "$T/link"
  make_bundle "$T/b"
  cfg_mount "$T/b" "$(jq -n --arg s "$T/link" '{destination: "/proc/timer_list", type: "bind", source: $s, options: ["bind", "ro"]}')"
  cfg_set "$T/b" '.linux.maskedPaths = ((.linux.maskedPaths // []) - ["/proc/timer_list"]) + ["/proc/timer_list"]'
  local out
  out=$(in_container "$T/b" 'wc -c < /proc/timer_list; echo end')
  assert_eq "$out" "$(printf '0\nend')"
  assert_eq "$(cat "$T/host/secret")" host-secret
  if grep -q " $T/host/secret " /proc/self/mountinfo; then fail "the mask landed on the host"; fi
  assert_no_containers
}

# ---------------------------------------------------------------- startContainer hooks

# The hook is a program of the image (its path resolves in the container),
# run by the init between `start` and the execve: it must have no more than
# the container's process.  The attack: mount a procfs of its own, where
# /proc/sys is not read-only, and write the host's kernel.core_pattern (the
# value it already holds, so that a runtime that falls to it changes
# nothing; the test restores it anyway).  The hook also reports its
# identity, capabilities, noNewPrivileges and an rlimit, which must be the
# container process's own.
_hook_attack='#!/bin/sh
out=/out/$1
{
  id -u
  grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs):" /proc/self/status
  ulimit -n
} >"$out.ids"
mkdir -p /tmp/p
if busybox mount -t proc proc /tmp/p 2>/dev/null; then
  if cat /tmp/p/sys/kernel/core_pattern >/tmp/cp && cat /tmp/cp >/tmp/p/sys/kernel/core_pattern; then
    echo written >"$out.verdict"
  else
    echo write-refused >"$out.verdict"
  fi
  busybox umount /tmp/p
else
  echo mount-refused >"$out.verdict"
fi'

# _hook_attack_case NAME JQ: the attack with the bundle changed by JQ.
_hook_attack_case ()
{
  local b="$T/$1"
  make_bundle "$b" /hook.sh process
  mkdir -p "$b/out"
  printf '%s\n' "$_hook_attack" >"$b/rootfs/hook.sh"
  chmod 755 "$b/rootfs/hook.sh"
  cfg_mount "$b" "$(jq -n --arg s "$b/out" '{destination: "/out", type: "bind", source: $s, options: ["rbind", "rw"]}')"
  cfg_set "$b" '.hooks.startContainer = [{path: "/hook.sh", args: ["hook.sh", "hook"]}]'
  cfg_set "$b" "$2"
  chmod 777 "$b/out"
  tong create --bundle "$b" "$1" </dev/null
  tong start "$1"
  wait_status "$1" stopped 15
  tong delete "$1"
  cat "$b/out/hook.ids" "$b/out/hook.verdict" >&2
  assert_eq "$(cat "$b/out/hook.verdict")" mount-refused "the hook could not mount a procfs"
  assert_eq "$(cat "$b/out/hook.ids")" "$(cat "$b/out/process.ids")" \
    "the hook's uid, capabilities, noNewPrivileges and RLIMIT_NOFILE are the process's"
}

test_cve_start_container_hook_runs_with_the_container_s_privileges ()
{
  local saved
  saved=$(cat /proc/sys/kernel/core_pattern)
  on_exit "printf '%s\n' '$saved' >/proc/sys/kernel/core_pattern"
  # as root in the container, with the spec's capabilities
  _hook_attack_case c1 '.process.noNewPrivileges = false'
  assert_contains "$(cat "$T/c1/out/hook.ids")" "NoNewPrivs:	0"
  # as another user, with noNewPrivileges and a lower RLIMIT_NOFILE
  _hook_attack_case c2 '.process.user.uid = 1000 | .process.user.gid = 1000 | .process.noNewPrivileges = true
    | .process.rlimits = [{type: "RLIMIT_NOFILE", hard: 512, soft: 256}]'
  assert_contains "$(cat "$T/c2/out/hook.ids")" "NoNewPrivs:	1"
  assert_eq "$(sed -n 1p "$T/c2/out/hook.ids")" 1000
  assert_eq "$(tail -n 1 "$T/c2/out/hook.ids")" 256
  assert_eq "$(cat /proc/sys/kernel/core_pattern)" "$saved" "the host's core_pattern is unchanged"
  assert_no_containers
}

# ---------------------------------------------------------------- CVE-2025-52881

# The container's process writes the host's kernel.core_pattern through every
# name the host swaps: whichever of them holds the procfs the runtime mounted,
# its sys must be read-only (readonlyPaths has /proc/sys).
# Each container that runs leaves a line in /ran, so that the test knows the
# race did not just make every create fail.
_core_pattern_write='echo >>/ran; for i in 1 2 3 4; do for d in /proc /proc.alt; do echo tong-cve-2025-52881 >$d/sys/kernel/core_pattern; done; done 2>/dev/null; true'

# _procfs_race B WHAT RUNS: `tong run` B RUNS times while the host exchanges
# the names rootfs/proc and rootfs/proc.alt (WHAT) as fast as it can; fail as
# soon as the host's core_pattern changes.
_procfs_race ()
{
  local b=$1 what=$2 runs=$3 pid i
  : >"$b/rootfs/ran"
  bg_start pid "$BUILD_DIR/tests/tools/swap-names" "$b/rootfs" proc proc.alt
  for i in $(seq "$runs"); do
    tong run --bundle "$b" "c$i" </dev/null >/dev/null 2>&1 || true
    tong delete -f "c$i" 2>/dev/null || true
    [ "$(cat /proc/sys/kernel/core_pattern)" = "$_core_pattern_saved" ] ||
      fail "$what: run $i of $runs wrote the host's kernel.core_pattern through a swapped /proc"
  done
  pid_alive "$pid" || fail "$what: the swapping loop died: the race did not run"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  [ -s "$b/rootfs/ran" ] || fail "$what: no container ran in $runs runs"
}

# A writer of the rootfs (a second container, a shared volume) exchanges
# rootfs/proc with another directory while `tong run` mounts procfs there and
# then protects /proc/sys: the masks and read-only binds must land on the
# procfs the runtime mounted, wherever its directory went, never on the name.
# Two decoys: a plain empty directory (the paths are missing there and would
# be skipped) and a fake tree whose self/fd/N entries are symlinks to a
# directory standing in for /proc/sys, and whose sys/ and masked files exist,
# so that mounts through the container's /proc/self/fd land on the decoy.
test_cve_2025_52881_procfs_swapped_during_create ()
{
  _core_pattern_saved=$(cat /proc/sys/kernel/core_pattern)
  on_exit "[ \"\$(cat /proc/sys/kernel/core_pattern)\" = '$_core_pattern_saved' ] || echo '$_core_pattern_saved' >/proc/sys/kernel/core_pattern"
  make_bundle "$T/b" sh -c "$_core_pattern_write"
  # the write needs a container that may write there once /proc/sys is not read-only
  local out
  cfg_set "$T/b" '.linux.readonlyPaths = []'
  out=$(in_container "$T/b" 'echo x >/proc/sys/kernel/core_pattern 2>/dev/null && echo writable || echo refused')
  echo "$_core_pattern_saved" >/proc/sys/kernel/core_pattern
  [ "$out" = writable ] || skip "a container cannot write core_pattern here even without readonlyPaths"
  rm -rf "$T/b"
  make_bundle "$T/b" sh -c "$_core_pattern_write"
  assert_contains "$(jq -c .linux.readonlyPaths "$T/b/config.json")" '"/proc/sys"'

  # the plain directory swap
  mkdir "$T/b/rootfs/proc.alt"
  _procfs_race "$T/b" "plain directory" 400

  # the fake tree: self/fd/N -> /decoy, with the paths protect looks up
  local f="$T/b/rootfs/proc.alt" n p
  rm -rf "$f"
  mkdir -p "$f/self/fd" "$f/sys/kernel" "$T/b/rootfs/decoy"
  for n in $(seq 0 64); do ln -s /decoy "$f/self/fd/$n"; done
  for p in $(jq -r '.linux.readonlyPaths[], .linux.maskedPaths[]' "$T/b/config.json"); do
    case $p in /proc/*) [ -e "$f/${p#/proc/}" ] || mkdir -p "$f/${p#/proc/}" ;; esac
  done
  _procfs_race "$T/b" "fake tree" 400
  assert_eq "$(cat /proc/sys/kernel/core_pattern)" "$_core_pattern_saved"
  assert_no_containers
}
