# OCI hooks: every phase runs, in order, with the state on stdin; failures of
# the create-time hooks abort and clean up; poststart and poststop failures
# are only warnings; timeouts are enforced.

# _hook PHASE LOG: a hook (JSON) that appends "PHASE STATUS" to LOG, STATUS
# being the "status" of the state it reads on stdin.  It runs /bin/sh, which
# is the host's for the runtime-namespace hooks and the busybox of the rootfs
# for startContainer (its path resolves in the container).
_hook ()
{
  jq -nc --arg phase "$1" --arg log "$2" '{
    path: "/bin/sh",
    args: ["sh", "-c", "s=$(sed -n \"s/.*\\\"status\\\": *\\\"\\([a-z]*\\)\\\".*/\\\\1/p\"); echo \"$0 $s\" >> \"$1\"", $phase, $log],
    env: ["PATH=/usr/bin:/bin"]
  }'
}

# _hooks_bundle B: a bundle whose hooks log every phase; the host log is
# $T/hooklog/log, seen in the container as /hooklog/log.
_hooks_bundle ()
{
  local b=$1 log=$T/hooklog/log
  mkdir -p "$T/hooklog"
  : >"$log"
  make_bundle "$b" sleep 30
  cfg_mount "$b" "$(jq -n --arg s "$T/hooklog" '{destination: "/hooklog", type: "bind", source: $s, options: ["bind"]}')"
  cfg_set "$b" '.hooks = {
      prestart: [$prestart], createRuntime: [$createRuntime],
      createContainer: [$createContainer], startContainer: [$startContainer],
      poststart: [$poststart], poststop: [$poststop] }' \
    --argjson prestart "$(_hook prestart "$log")" \
    --argjson createRuntime "$(_hook createRuntime "$log")" \
    --argjson createContainer "$(_hook createContainer "$log")" \
    --argjson startContainer "$(_hook startContainer /hooklog/log)" \
    --argjson poststart "$(_hook poststart "$log")" \
    --argjson poststop "$(_hook poststop "$log")"
}

test_hooks_all_phases_in_order ()
{
  _hooks_bundle "$T/b"
  local log=$T/hooklog/log
  tong create --bundle "$T/b" c1
  assert_eq "$(cat "$log")" "$(printf '%s\n' 'prestart creating' 'createRuntime creating' 'createContainer creating')"
  tong start c1
  wait_for 10 grep -q poststart "$log"
  assert_eq "$(cat "$log")" "$(printf '%s\n' 'prestart creating' 'createRuntime creating' \
    'createContainer creating' 'startContainer created' 'poststart running')"
  tong kill c1 KILL
  wait_status c1 stopped
  tong delete c1
  assert_eq "$(cat "$log")" "$(printf '%s\n' 'prestart creating' 'createRuntime creating' \
    'createContainer creating' 'startContainer created' 'poststart running' 'poststop stopped')"
  assert_no_containers
}

# A hook that asks `tong state` during create sees "creating": the state
# directory carries its mark (the sticky bit) until the init is ready.
test_hooks_state_during_create_is_creating ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.hooks = {prestart: [$h]}' --argjson h "$(jq -nc --arg tong "$TONG" \
    --arg root "$ROOT" --arg out "$T/seen" '{path: "/bin/sh",
      args: ["sh", "-c", "\"$0\" --root \"$1\" state c1 > \"$2\"", $tong, $root, $out],
      env: ["PATH=/usr/bin:/bin"]}')"
  tong create --bundle "$T/b" c1
  assert_json "$(cat "$T/seen")" '.status == "creating"'
  assert_eq "$(state_of c1)" created
  tong delete c1
  assert_no_containers
}

test_hooks_run_calls_every_phase ()
{
  _hooks_bundle "$T/b"
  cfg_args "$T/b" true
  tong run --bundle "$T/b" c1 </dev/null
  assert_eq "$(cut -d' ' -f1 "$T/hooklog/log" | tr '\n' ' ')" \
    "prestart createRuntime createContainer startContainer poststart poststop "
  assert_no_containers
}

test_hooks_state_on_stdin ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "cat > \"$0\"", $f]}]
    | .annotations = {"org.example.a": "b"}' --arg f "$T/state.json"
  tong create --bundle "$T/b" c1
  local st pid
  st=$(cat "$T/state.json")
  pid=$(tong state c1 | jq -r .pid)
  assert_json "$st" '.ociVersion | test("^1\\.")'
  assert_json "$st" '.id == "c1"'
  assert_json "$st" '.pid == $p' --argjson p "$pid"
  assert_json "$st" '.bundle == $b' --arg b "$T/b"
  assert_json "$st" '.annotations["org.example.a"] == "b"'
  tong delete --force c1
  assert_no_containers
}

test_hooks_args_and_env ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.hooks.prestart = [{path: "/bin/sh",
      args: ["sh", "-c", "echo \"$0 $1 $HOOKVAR\" > \"$2\"", "arg0", "arg1", $f],
      env: ["HOOKVAR=from-env"]}]' --arg f "$T/out"
  tong run --bundle "$T/b" c1 </dev/null
  assert_eq "$(cat "$T/out")" "arg0 arg1 from-env"
  assert_no_containers
}

test_hooks_create_runtime_failure_aborts_create ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo hook-said-no >&2; exit 3"]}]'
  assert_fail tong create --bundle "$T/b" c1
  assert_no_containers
  assert_fail tong state c1
}

test_hooks_prestart_failure_aborts_create ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.hooks.prestart = [{path: "/bin/false"}]'
  assert_fail tong create --bundle "$T/b" c1
  assert_no_containers
}

test_hooks_create_container_failure_aborts_create ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.hooks.createContainer = [{path: "/bin/false"}]'
  assert_fail tong create --bundle "$T/b" c1
  assert_no_containers
}

test_hooks_missing_hook_binary_fails ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.hooks.createRuntime = [{path: "/no/such/hook"}]'
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" /no/such/hook
  assert_no_containers
}

test_hooks_timeout ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "20"], timeout: 1}]'
  local start=$SECONDS
  assert_fail tong create --bundle "$T/b" c1
  [ $((SECONDS - start)) -lt 10 ] || fail "the hook was not stopped after its 1 s timeout"
  assert_no_containers
}

test_hooks_start_container_failure_stops_container ()
{
  # runtime-spec: the runtime must generate an error and stop the container;
  # the user program never runs.  (runc's start, like crun's, may return
  # before the hook ran, so the exit status of start is not checked.)
  make_bundle "$T/b" sh -c 'touch /program-ran; sleep 30'
  cfg_set "$T/b" '.hooks.startContainer = [{path: "/bin/false"}]'
  tong create --bundle "$T/b" c1
  run_cmd tong start c1
  wait_status c1 stopped
  assert_no_file "$T/b/rootfs/program-ran"
  tong delete --force c1
  assert_no_containers
}

test_hooks_poststart_failure_is_a_warning ()
{
  # runtime-spec: a failing poststart hook is logged as a warning and the
  # lifecycle continues as if it had succeeded.
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.hooks.poststart = [{path: "/bin/false"}, {path: "/bin/sh", args: ["sh", "-c", "touch \"$0\"", $f]}]' \
    --arg f "$T/second-hook-ran"
  tong create --bundle "$T/b" c1
  tong start c1
  assert_eq "$(state_of c1)" running
  assert_file "$T/second-hook-ran"
  tong delete --force c1
  assert_no_containers
}

test_hooks_poststop_failure_is_a_warning ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.hooks.poststop = [{path: "/bin/false"}, {path: "/bin/sh", args: ["sh", "-c", "touch \"$0\"", $f]}]' \
    --arg f "$T/second-hook-ran"
  tong create --bundle "$T/b" c1
  tong start c1
  tong kill c1 KILL
  wait_status c1 stopped
  tong delete c1
  assert_file "$T/second-hook-ran"
  assert_no_containers
}
