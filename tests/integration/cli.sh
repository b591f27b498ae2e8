# The command line itself: --version, --help, spec, features, runc's
# single-dash long flags.

test_cli_version ()
{
  local out
  out=$(tong --version)
  assert_match "$(head -n1 <<<"$out")" '^[a-z-]+ version [0-9]+\.[0-9]+'
  assert_match "$out" '^spec: 1\.[0-9]+'
  assert_eq "$(tong -v | head -n1)" "$(head -n1 <<<"$out")"
}

test_cli_help ()
{
  local out cmd
  out=$(tong --help)
  for cmd in create start run state kill delete list spec features; do
    assert_match "$out" "(^|[[:space:]])$cmd([[:space:]]|$)"
  done
  # every command has its own help, on stdout, with status 0
  for cmd in create start run state kill delete list spec features; do
    out=$(tong "$cmd" --help) || fail "tong $cmd --help failed"
    assert_contains "$out" "$cmd"
  done
  assert_contains "$(tong create --help)" --bundle
  assert_contains "$(tong create --help)" --console-socket
}

test_cli_spec_runs_as_is ()
{
  mkdir "$T/s"
  (cd "$T/s" && tong spec)
  assert_file "$T/s/config.json"
  local cfg
  cfg=$(cat "$T/s/config.json")
  assert_json "$cfg" '.ociVersion | test("^1\\.")'
  assert_json "$cfg" '.root.path == "rootfs"'
  assert_json "$cfg" '.process.terminal == true'
  assert_json "$cfg" '.process.args == ["sh"]'
  assert_json "$cfg" '[.linux.namespaces[].type] | contains(["pid", "network", "ipc", "uts", "mount"])'
  assert_json "$cfg" '[.mounts[].destination] | contains(["/proc", "/dev", "/dev/pts", "/sys"])'
  # with a root filesystem in place and no terminal, it runs as it is
  _make_rootfs "$T/s/rootfs"
  cfg_set "$T/s" '.process.terminal = false'
  (cd "$T/s" && tong run spec-as-is </dev/null)
  assert_no_containers
}

test_cli_spec_bundle_flag ()
{
  mkdir "$T/s"
  tong spec --bundle "$T/s"
  jq -e . "$T/s/config.json" >/dev/null
  # an existing config.json is not overwritten
  echo '{"keep": true}' >"$T/s/config.json"
  assert_fail tong spec --bundle "$T/s"
  assert_json "$(cat "$T/s/config.json")" '.keep == true'
}

test_cli_spec_rootless ()
{
  mkdir "$T/r" "$T/n"
  tong spec --rootless --bundle "$T/r"
  tong spec --bundle "$T/n"
  local r
  r=$(cat "$T/r/config.json")
  assert_ne "$r" "$(cat "$T/n/config.json")" "--rootless changes the spec"
  assert_json "$r" '[.linux.namespaces[].type] | index("user") != null'
  assert_json "$r" '.linux.uidMappings | length > 0'
  assert_json "$r" '.linux.gidMappings | length > 0'
  assert_json "$r" '.linux.uidMappings[0].hostID == $u' --argjson u "$(id -u)"
}

test_cli_features ()
{
  local f
  f=$(tong features)
  assert_json "$f" '.ociVersionMin | test("^1\\.")'
  assert_json "$f" '.ociVersionMax | test("^1\\.")'
  assert_json "$f" '.hooks | contains(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"])'
  assert_json "$f" '.mountOptions | type == "array" and contains(["ro", "rbind", "nosuid", "nodev", "noexec"])'
  assert_json "$f" '.linux.namespaces | contains(["pid", "network", "ipc", "uts", "mount", "user", "cgroup"])'
  assert_json "$f" '.linux.capabilities | type == "array" and contains(["CAP_SYS_ADMIN", "CAP_KILL"])'
}

test_cli_single_dash_long_flags ()
{
  make_bundle "$T/b" sleep 30
  "$TONG" -root "$ROOT" create -bundle "$T/b" -pid-file "$T/pid" c1
  assert_file "$T/pid"
  assert_eq "$(tong state c1 | jq -r .status)" created
  assert_eq "$("$TONG" -root "$ROOT" list -q)" c1
  "$TONG" -root "$ROOT" delete -force c1
  assert_no_containers
}

test_cli_flag_with_equals ()
{
  make_bundle "$T/b" sleep 30
  "$TONG" --root="$ROOT" create --bundle="$T/b" --pid-file="$T/pid" c1
  assert_file "$T/pid"
  tong delete --force c1
  assert_no_containers
}

test_cli_short_flags ()
{
  make_bundle "$T/b" sleep 30
  tong create -b "$T/b" c1
  tong list -q | grep -qx c1
  tong delete -f c1
  assert_no_containers
}

test_cli_root_is_created ()
{
  # --root need not exist yet
  make_bundle "$T/b" true
  "$TONG" --root "$T/new/root" run --bundle "$T/b" c1 </dev/null
  [ -d "$T/new/root" ] || fail "--root was not created"
  "$TONG" --root "$T/new/root" list -q >/dev/null
}

test_cli_list_empty ()
{
  assert_eq "$(tong list -q)" ""
  assert_match "$(tong list)" '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
  # an empty list prints valid JSON (runc prints null, an empty array is fine too)
  assert_json "$(tong list --format json)" '. == null or . == []'
}
