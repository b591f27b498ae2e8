# The musl build of the runtime hands what needs glibc's libraries to
# tong-full (src/self/twin.h, docs/design.md "musl and tong-full").  The real
# hand-overs are exercised by the systemd and bridge networking tests; these
# put a stand-in tong-full beside a copy of tong, to see exactly when, and
# with what, tong execs it.

# musl_copy: $T/m/tong, a copy of the binary under test, beside a stand-in
# tong-full that records its arguments in $T/twin.args and exits 42.
musl_copy ()
{
  readelf -l "$TONG" 2>/dev/null | grep -q 'interpreter: /lib/ld-musl' ||
    skip "tong is built with glibc (configure found no musl build: scripts/musl-deps.sh)"
  mkdir -p "$T/m"
  cp "$TONG" "$T/m/tong"
  [ ! -f "$BUILD_DIR/libseccomp.so.2" ] || cp "$BUILD_DIR/libseccomp.so.2" "$T/m/"
  printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s/twin.args"\nexit 42\n' "$T" >"$T/m/tong-full"
  chmod 755 "$T/m/tong-full"
}

test_musl_systemd_driver_goes_to_tong_full_before_anything ()
{
  musl_copy
  make_bundle "$T/b" true
  run_cmd "$T/m/tong" --root "$ROOT" --systemd-cgroup run --bundle "$T/b" c1
  assert_eq "$RC" 42 "exit status of the stand-in tong-full"
  assert_eq "$(cat "$T/twin.args")" "$(printf '%s\n' --root "$ROOT" --systemd-cgroup run --bundle "$T/b" c1)"
  assert_no_containers
  rm -f "$T/twin.args"
  run_cmd "$T/m/tong" --root "$ROOT" --cgroup-manager systemd create --bundle "$T/b" c1
  assert_eq "$RC" 42 "exit status of the stand-in tong-full"
  assert_no_containers
}

test_musl_bridge_network_goes_to_tong_full ()
{
  musl_copy
  make_bundle "$T/b" true
  cfg_set "$T/b" '.annotations["org.tong.net.mode"] = "bridge"'
  run_cmd "$T/m/tong" --root "$ROOT" create --bundle "$T/b" c1
  assert_eq "$RC" 42 "exit status of the stand-in tong-full"
  assert_eq "$(cat "$T/twin.args")" "$(printf '%s\n' --root "$ROOT" create --bundle "$T/b" c1)"
  assert_no_containers
}

test_musl_runs_the_rest_itself ()
{
  musl_copy
  make_bundle "$T/b" sh -c 'exit 3'
  cfg_set "$T/b" '.annotations["org.tong.net.mode"] = "none"'
  run_cmd "$T/m/tong" --root "$ROOT" run --bundle "$T/b" c1
  assert_eq "$RC" 3 "exit status of the container"
  assert_no_file "$T/twin.args"
  assert_no_containers
}

test_musl_delete_and_update_of_systemd_or_bridge_state_go_to_tong_full ()
{
  musl_copy
  make_bundle "$T/b" sleep 1000
  "$T/m/tong" --root "$ROOT" create --bundle "$T/b" c1 </dev/null
  # A bridge's network record: only tong-full can undo it.
  echo '{"netns": 1}' >"$ROOT/c1/net.json"
  run_cmd "$T/m/tong" --root "$ROOT" delete --force c1
  assert_eq "$RC" 42 "exit status of the stand-in tong-full"
  assert_eq "$(cat "$T/twin.args")" "$(printf '%s\n' --root "$ROOT" delete --force c1)"
  assert_eq "$(state_of c1)" created "the container is untouched"
  rm "$ROOT/c1/net.json" "$T/twin.args"
  # A scope of the systemd driver.
  jq '.systemd_unit = "tong-c1.scope"' "$ROOT/c1/state.json" >"$T/state.json"
  cp "$ROOT/c1/state.json" "$T/state.json.orig"
  cp "$T/state.json" "$ROOT/c1/state.json"
  run_cmd "$T/m/tong" --root "$ROOT" update --pids-limit 10 c1
  assert_eq "$RC" 42 "exit status of the stand-in tong-full"
  assert_eq "$(head -n3 "$T/twin.args" | tail -n1)" update
  cp "$T/state.json.orig" "$ROOT/c1/state.json"
  "$T/m/tong" --root "$ROOT" delete --force c1
  assert_no_containers
}

test_musl_without_a_usable_tong_full_names_it ()
{
  musl_copy
  chmod 644 "$T/m/tong-full"
  make_bundle "$T/b" true
  run_cmd "$T/m/tong" --root "$ROOT" --systemd-cgroup run --bundle "$T/b" c1
  assert_eq "$RC" 1 "exit status"
  assert_contains "$ERR" "the systemd cgroup driver needs $T/m/tong-full, tong's build with glibc"
  assert_contains "$ERR" "Permission denied"
  assert_no_containers
}
