# Bad input: every error names what is wrong, and a failed create leaves
# nothing behind (no state, no process, no mount: the runner checks the last
# two after every test).

test_errors_malformed_config_json ()
{
  make_bundle "$T/b" true
  printf '{"ociVersion": "1.0.2", "process": {' >"$T/b/config.json"
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" config.json
  grep -qi 'invalid json' <<<"$ERR" || fail "the error does not say invalid JSON: $ERR"
  assert_no_containers
}

test_errors_config_json_not_an_object ()
{
  make_bundle "$T/b" true
  echo '[1, 2]' >"$T/b/config.json"
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" config.json
  assert_no_containers
}

test_errors_wrong_type_names_the_field ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.user.uid = "root"'
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" process.user.uid
  assert_no_containers
}

test_errors_unknown_namespace_type ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.namespaces += [{type: "nett"}]'
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" "linux.namespaces["
  assert_contains "$ERR" nett
  assert_no_containers
}

test_errors_duplicate_namespace ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.namespaces += [{type: "ipc"}]'
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" ipc
  assert_no_containers
}

test_errors_missing_rootfs ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.root.path = "no-such-rootfs"'
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" no-such-rootfs
  assert_no_containers
}

test_errors_missing_config_json ()
{
  mkdir -p "$T/b/rootfs"
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" config.json
  assert_no_containers
}

test_errors_missing_bundle ()
{
  assert_fail tong create --bundle "$T/no-such-bundle" c1
  assert_contains "$ERR" "$T/no-such-bundle"
  assert_no_containers
}

test_errors_missing_process_args ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.args = []'
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" process.args
  assert_no_containers
}

test_errors_unsupported_oci_version ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.ociVersion = "0.5.0"'
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" ociVersion
  assert_no_containers
}

test_errors_invalid_container_id ()
{
  make_bundle "$T/b" sleep 30
  local id
  for id in a/b ../escape .. . "" "with space" "-dash"; do
    assert_fail tong create --bundle "$T/b" "$id"
  done
  assert_no_file "$T/escape"
  assert_no_file "$ROOT/a"
  assert_no_containers
}

test_errors_missing_container_id ()
{
  make_bundle "$T/b" true
  assert_fail tong create --bundle "$T/b"
  assert_no_containers
}

test_errors_unknown_command ()
{
  assert_fail tong no-such-command
  assert_contains "$ERR" no-such-command
}

test_errors_unknown_flag ()
{
  make_bundle "$T/b" true
  assert_fail tong create --no-such-flag --bundle "$T/b" c1
  assert_contains "$ERR" no-such-flag
  assert_no_containers
}

test_errors_state_of_missing_container ()
{
  assert_fail tong state nosuch
  assert_contains "$ERR" nosuch
  assert_contains "$ERR" "does not exist"
  assert_eq "$OUT" ""
}

test_errors_log_format_json ()
{
  make_bundle "$T/b" true
  printf '{' >"$T/b/config.json"
  assert_fail "$TONG" --root "$ROOT" --log "$T/log.json" --log-format json create --bundle "$T/b" c1
  assert_file "$T/log.json"
  local line n=0 errors=0
  while IFS= read -r line; do
    n=$((n + 1))
    assert_json "$line" 'type == "object" and (.level | type == "string") and (.msg | type == "string") and (.time | type == "string")'
    assert_json "$line" '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")'
    if jq -e '.level == "error"' <<<"$line" >/dev/null; then
      errors=$((errors + 1))
      assert_contains "$(jq -r .msg <<<"$line")" config.json
    fi
  done <"$T/log.json"
  [ $n -gt 0 ] || fail "the log is empty"
  [ $errors -gt 0 ] || fail "no line with level error in: $(cat "$T/log.json")"
  assert_no_containers
}

test_errors_log_text ()
{
  assert_fail "$TONG" --root "$ROOT" --log "$T/log.txt" state nosuch
  assert_contains "$(cat "$T/log.txt")" "does not exist"
}

test_errors_log_json_appends ()
{
  echo '{"level":"info","msg":"earlier","time":"2020-01-01T00:00:00Z"}' >"$T/log.json"
  assert_fail "$TONG" --root "$ROOT" --log "$T/log.json" --log-format json state nosuch
  assert_eq "$(head -n1 "$T/log.json" | jq -r .msg)" earlier
  assert_json "$(tail -n1 "$T/log.json")" '.level == "error"'
}

test_errors_bad_signal_name ()
{
  make_bundle "$T/b" sleep 30
  tong run -d --bundle "$T/b" c1 >/dev/null 2>&1
  assert_fail tong kill c1 NOSUCHSIG
  assert_contains "$ERR" NOSUCHSIG
  assert_fail tong kill c1 99999
  assert_fail tong kill c1 -- -9
  assert_eq "$(state_of c1)" running
  tong delete --force c1
  assert_no_containers
}

test_errors_failed_create_after_namespaces_cleans_up ()
{
  # A failure late in create (a missing bind source is found after the
  # namespaces and the init process exist) must tear everything down.
  make_bundle "$T/b" sleep 30
  cfg_mount "$T/b" "$(jq -n --arg s "$T/nonexistent" '{destination: "/mnt/x", type: "bind", source: $s, options: ["bind"]}')"
  assert_fail tong create --bundle "$T/b" c1
  assert_no_containers
  # the id is free again
  make_bundle "$T/b2" sleep 30
  tong create --bundle "$T/b2" c1
  tong delete --force c1
  assert_no_containers
}

test_errors_exit_status_is_one ()
{
  # runc exits 1 on errors (a container's own status is only run's business)
  assert_fail tong state nosuch
  assert_eq "$RC" 1
  make_bundle "$T/b" true
  printf '{' >"$T/b/config.json"
  assert_fail tong create --bundle "$T/b" c1
  assert_eq "$RC" 1
}
