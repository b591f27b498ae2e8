# Regression tests for the known classes of container-runtime escapes: each
# test plays the attack from inside a container (or races it from the host)
# and checks that it never reaches the host.
#
#   CVE-2019-5736   the runtime's binary overwritten through /proc/PID/exe
#   CVE-2024-21626  a runtime fd (or cwd) leaked into the container
#   CVE-2021-30465  a mount target swapped for a symlink between check and use
#   masked paths    a maskedPaths entry redirected to a host file

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

test_cve_2019_5736_exe_with_sys_ptrace ()
{
  make_bundle "$T/b"
  _exe_attack "$T/b" CAP_SYS_PTRACE
}
