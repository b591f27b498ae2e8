# The systemd cgroup driver on a host without systemd as its init: every
# way it cannot work is a clear error that names what is missing, and a
# failed create leaves nothing (no state, no process, no cgroup).  The
# driver itself, against a real systemd, is tested in the VM
# (tests/vm/systemd.sh, tests/vm/systemd-cases/).  libsystemd is loaded
# only when the driver is used.

_sd_need_no_systemd ()
{
  [ ! -d /run/systemd/system ] ||
    skip "this host runs systemd as init: the error paths need a host without (tests/vm/systemd.sh tests the driver)"
}

# _sd_fake_booted CMD...: CMD in a private mount namespace where
# /run/systemd/system exists (as on a host booted with systemd), so that the
# checks after it are reached.  Nothing of it is visible outside.
_sd_fake_booted ()
{
  command -v unshare >/dev/null || skip "unshare is not installed (apt-get install util-linux)"
  env -u DBUS_SYSTEM_BUS_ADDRESS unshare -m --propagation private sh -c '
    mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system &&
    if [ -n "$HIDE" ]; then mount --bind /dev/null "$HIDE"; fi && exec "$@"' sh "$@"
}

_sd_libsystemd ()
{
  local l
  for l in /usr/lib/x86_64-linux-gnu/libsystemd.so.0 /lib/x86_64-linux-gnu/libsystemd.so.0 \
    /usr/lib64/libsystemd.so.0 /usr/lib/libsystemd.so.0; do
    [ -e "$l" ] && { readlink -f "$l"; return 0; }
  done
  ldconfig -p 2>/dev/null | awk '$1 == "libsystemd.so.0" { print $NF; exit }' | xargs -r readlink -f
}

test_cgroups_systemd_tong_does_not_link_libsystemd ()
{
  # readelf, not ldd: glibc's ldd cannot read the musl build.
  local bin
  for bin in "$TONG" "$(dirname "$TONG")/tong-full"; do
    [ -e "$bin" ] || continue
    readelf -d "$bin" | grep -q '(NEEDED)' || fail "readelf -d $bin lists no library at all"
    if readelf -d "$bin" | grep '(NEEDED)' | grep -q libsystemd; then
      fail "$bin links libsystemd: $(readelf -d "$bin" | grep libsystemd)"
    fi
  done
  # Nor does a container without the driver load it.
  make_bundle "$T/b" sleep 1000
  tong run -d --bundle "$T/b" sd$$ </dev/null
  make_bundle "$T/f" sh -c 'sleep 1000'
  local pid
  bg_start pid "$TONG" --root "$ROOT" run --bundle "$T/f" sd$$f
  wait_status sd$$f running
  if grep -q libsystemd "/proc/$pid/maps"; then
    fail "tong run without --systemd-cgroup mapped libsystemd"
  fi
  tong delete --force sd$$
  tong delete --force sd$$f
}

test_cgroups_systemd_no_systemd_init_is_a_clear_error ()
{
  _sd_need_no_systemd
  make_bundle "$T/b" true
  local flags
  for flags in --systemd-cgroup "--cgroup-manager systemd"; do
    # shellcheck disable=SC2086
    assert_fail "$TONG" --root "$ROOT" $flags create --bundle "$T/b" c1
    assert_contains "$ERR" "needs systemd as the init system"
    assert_contains "$ERR" "--cgroup-manager cgroupfs"
    assert_no_containers
  done
  # run, too
  assert_fail "$TONG" --root "$ROOT" --systemd-cgroup run --bundle "$T/b" c2
  assert_contains "$ERR" "needs systemd as the init system"
  assert_no_containers
}

test_cgroups_systemd_no_system_bus_is_a_clear_error ()
{
  _sd_need_no_systemd
  [ ! -e /run/dbus/system_bus_socket ] || skip "a D-Bus system bus runs on this host"
  make_bundle "$T/b" true
  run_cmd _sd_fake_booted "$TONG" --root "$ROOT" --systemd-cgroup create --bundle "$T/b" c1
  [ "$RC" -ne 0 ] || fail "create succeeded without a system bus"
  assert_contains "$ERR" "/run/dbus/system_bus_socket does not exist"
  assert_contains "$ERR" "--cgroup-manager cgroupfs"
  assert_no_containers
  # no stray helper process of tong's either
  if pgrep -f -- "--root $ROOT" >/dev/null; then
    fail "processes left: $(pgrep -af -- "--root $ROOT")"
  fi
}

test_cgroups_systemd_missing_libsystemd_names_the_package ()
{
  _sd_need_no_systemd
  local lib
  lib=$(_sd_libsystemd)
  [ -n "$lib" ] || skip "libsystemd.so.0 is not installed here: nothing to hide"
  make_bundle "$T/b" true
  HIDE=$lib run_cmd _sd_fake_booted "$TONG" --root "$ROOT" --systemd-cgroup create --bundle "$T/b" c1
  [ "$RC" -ne 0 ] || fail "create succeeded with libsystemd hidden"
  assert_contains "$ERR" "libsystemd.so.0"
  assert_contains "$ERR" "libsystemd0"
  assert_no_containers
}

test_cgroups_systemd_path_needs_the_systemd_driver ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.cgroupsPath = "system.slice:tong:sd\($p)"' --arg p $$
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" "slice:prefix:name"
  assert_contains "$ERR" "--systemd-cgroup"
  assert_no_containers
  [ ! -e /sys/fs/cgroup/unified/system.slice/tong-sd$$.scope ] || fail "a scope cgroup was made"
}

test_cgroups_systemd_driver_refuses_a_cgroupfs_path ()
{
  make_bundle "$T/b" true
  local p
  for p in "/tong-sd-$$" "tong-sd/$$" "system.slice:tong:a+b" "bad:tong:x"; do
    cfg_set "$T/b" '.linux.cgroupsPath = $p' --arg p "$p"
    assert_fail tong --systemd-cgroup create --bundle "$T/b" c1
    assert_contains "$ERR" "linux.cgroupsPath"
    assert_no_containers
  done
  assert_fail tong --systemd-cgroup create --bundle "$T/b" c1
  assert_contains "$ERR" "systemd slice"
}

test_cgroups_systemd_features_say_systemd ()
{
  tong features >"$T/f.json"
  assert_eq "$(jq -r .linux.cgroup.systemd "$T/f.json")" true
  assert_eq "$(jq -r .linux.cgroup.systemdUser "$T/f.json")" false
}

test_cgroups_systemd_refused_for_a_non_root_user ()
{
  command -v setpriv >/dev/null || skip "setpriv not found (package util-linux)"
  make_bundle "$T/b" true
  chmod 755 "$T" "$T/b"
  mkdir -m 777 "$T/rl"
  run_cmd setpriv --reuid 65534 --regid 65534 --clear-groups \
    env -u XDG_RUNTIME_DIR "$TONG" --root "$T/rl" --systemd-cgroup create --bundle "$T/b" c1
  [ "$RC" -ne 0 ] || fail "a non-root user created a container with the systemd driver"
  assert_contains "$ERR" "non-root user"
  assert_contains "$ERR" "--cgroup-manager cgroupfs"
  [ -z "$(ls -A "$T/rl")" ] || fail "state left in $T/rl: $(ls -A "$T/rl")"
}

test_cgroups_systemd_dead_system_bus_is_a_clear_error ()
{
  _sd_need_no_systemd
  [ ! -e /run/dbus/system_bus_socket ] || skip "a D-Bus system bus runs on this host"
  command -v python3 >/dev/null || skip "python3 is not installed (to leave a socket nobody listens on)"
  make_bundle "$T/b" true
  # a socket file that nobody listens on, as a dbus-daemon that died leaves it
  run_cmd _sd_fake_booted sh -c '
    mkdir -p /run/dbus && mount -t tmpfs tmpfs /run/dbus &&
    python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.bind(\"/run/dbus/system_bus_socket\")" &&
    exec "$@"' sh "$TONG" --root "$ROOT" --systemd-cgroup create --bundle "$T/b" c1
  [ "$RC" -ne 0 ] || fail "create succeeded without a listening system bus"
  assert_contains "$ERR" "connect to the D-Bus system bus at /run/dbus/system_bus_socket"
  assert_contains "$ERR" "Connection refused"
  assert_no_containers
}

test_cgroups_systemd_delete_without_systemd_warns_and_deletes ()
{
  _sd_need_no_systemd
  # A container whose scope cannot be stopped any more (systemd gone):
  # its processes and cgroup go as always, the unit gets a warning.
  make_bundle "$T/b" sleep 1000
  tong create --bundle "$T/b" sd$$
  local pid
  pid=$(tong state sd$$ | jq -r .pid)
  jq '.systemd_unit = "tong-gone.scope"' "$ROOT/sd$$/state.json" >"$T/s.json"
  cp "$T/s.json" "$ROOT/sd$$/state.json"
  run_cmd tong delete --force sd$$
  assert_eq "$RC" 0
  assert_contains "$ERR" "tong-gone.scope"
  assert_contains "$ERR" "needs systemd as the init system"
  assert_pid_gone "$pid"
  assert_no_containers
}
