# Container lifecycle through the CLI: create, start, state, kill, delete, run,
# list; exit statuses and the state JSON follow runc's contract.

test_lifecycle_create_start_state ()
{
  make_bundle "$T/b" sleep 30
  tong create --bundle "$T/b" c1
  local st pid
  st=$(tong state c1)
  assert_json "$st" '.status == "created"'
  pid=$(jq -r .pid <<<"$st")
  [ "$pid" -gt 0 ] || fail "pid $pid"
  pid_alive "$pid" || fail "container process $pid is not alive"

  tong start c1
  wait_status c1 running
  assert_json "$(tong state c1)" '.pid == $p' --argjson p "$pid"

  tong kill c1 KILL
  wait_status c1 stopped
  assert_pid_gone "$pid"

  tong delete c1
  assert_fail tong state c1
  assert_contains "$ERR" "does not exist"
  assert_no_containers
}

test_lifecycle_created_process_waits_for_start ()
{
  make_bundle "$T/b" sh -c 'echo started > /started'
  tong create --bundle "$T/b" c1
  sleep 0.5
  assert_no_file "$T/b/rootfs/started"
  assert_eq "$(state_of c1)" created
  tong start c1
  wait_for 10 test -e "$T/b/rootfs/started"
  wait_status c1 stopped
  tong delete c1
  assert_no_containers
}

test_lifecycle_run_exit_code ()
{
  make_bundle "$T/b" sh -c 'exit 3'
  run_cmd tong run --bundle "$T/b" c1
  assert_eq "$RC" 3 "exit status of tong run"
  # run deletes the container once its process exited
  assert_no_containers
}

# clone3 refused with ENOSYS (an old kernel, or a container engine's default
# seccomp profile around tong): create, run and exec fall back to clone(2).
test_lifecycle_without_clone3 ()
{
  local nc="$BUILD_DIR/tests/tools/no-clone3" out
  [ -x "$nc" ] || skip "tests/tools/no-clone3 is not built (make check TESTS=)"
  make_bundle "$T/b" sh -c 'exit 7'
  run_cmd "$nc" "$TONG" --root "$ROOT" run --bundle "$T/b" c1
  assert_eq "$RC" 7 "exit status of tong run without clone3"
  assert_no_containers

  make_bundle "$T/b2" sleep 30
  "$nc" "$TONG" --root "$ROOT" create --bundle "$T/b2" c2 </dev/null
  "$nc" "$TONG" --root "$ROOT" start c2
  wait_status c2 running
  # the exec'd process is in the namespaces of the container's init
  out=$("$nc" "$TONG" --root "$ROOT" exec c2 sh -c \
    'for ns in pid mnt net; do [ "$(readlink /proc/self/ns/$ns)" = "$(readlink /proc/1/ns/$ns)" ] || echo "$ns differs"; done; echo checked' </dev/null)
  assert_eq "$out" "checked"
  tong delete --force c2
  assert_no_containers
}

test_lifecycle_run_exit_zero_and_output ()
{
  make_bundle "$T/b" echo hello from the container
  local out
  out=$(tong run --bundle "$T/b" c1 </dev/null)
  assert_eq "$out" "hello from the container"
  assert_no_containers
}

test_lifecycle_run_killed_by_signal ()
{
  # Without a pid namespace the shell is not an init and dies of SIGTERM.
  make_bundle "$T/b" sh -c 'kill -TERM $$; sleep 5'
  cfg_no_ns "$T/b" pid
  run_cmd tong run --bundle "$T/b" c1
  assert_eq "$RC" 143 "128 + SIGTERM"
  assert_no_containers
}

test_lifecycle_run_killed_from_outside ()
{
  make_bundle "$T/b" sleep 30
  "$TONG" --root "$ROOT" run --bundle "$T/b" c1 </dev/null >/dev/null 2>&1 &
  local runpid=$! rc=0
  wait_status c1 running
  tong kill c1 KILL
  wait "$runpid" || rc=$?
  assert_eq "$rc" 137 "128 + SIGKILL"
  assert_no_containers
}

test_lifecycle_run_forwards_signals ()
{
  make_bundle "$T/b" sh -c 'trap "exit 7" TERM; echo ready > /ready; while :; do sleep 0.1; done'
  "$TONG" --root "$ROOT" run --bundle "$T/b" c1 </dev/null >/dev/null 2>&1 &
  local runpid=$! rc=0
  wait_for 10 test -e "$T/b/rootfs/ready"
  kill -TERM "$runpid"
  wait "$runpid" || rc=$?
  assert_eq "$rc" 7 "the container's exit status after a forwarded SIGTERM"
  assert_no_containers
}

test_lifecycle_run_detach ()
{
  make_bundle "$T/b" sleep 30
  local start=$SECONDS
  tong run -d --bundle "$T/b" c1 </dev/null >/dev/null 2>&1
  [ $((SECONDS - start)) -lt 10 ] || fail "run -d did not return at once"
  assert_eq "$(state_of c1)" running
  tong delete --force c1
  assert_no_containers
}

# run starts its init over the sync socket: no exec.fifo, and the state
# directory has lost its "creating" mark (the sticky bit) once run returns.
test_lifecycle_run_has_no_exec_fifo ()
{
  make_bundle "$T/b" sleep 30
  tong run -d --bundle "$T/b" c1 </dev/null >/dev/null 2>&1
  assert_no_file "$ROOT/c1/exec.fifo"
  assert_eq "$(stat -c %a "$ROOT/c1")" 700
  assert_eq "$(state_of c1)" running
  assert_fail tong start c1
  assert_contains "$ERR" "already running"
  tong delete --force c1
  assert_no_containers
}

# create keeps exec.fifo for start; state.json is written once and the
# directory's mode says when create is done.
test_lifecycle_create_state_dir ()
{
  make_bundle "$T/b" sleep 30
  tong create --bundle "$T/b" c1
  assert_file "$ROOT/c1/exec.fifo"
  assert_file "$ROOT/c1/config.json"
  assert_eq "$(stat -c %a "$ROOT/c1")" 700
  assert_eq "$(ls "$ROOT/c1" | grep -c tmp)" 0 "no temporary file left"
  assert_eq "$(state_of c1)" created
  tong delete c1
  assert_no_containers
}

test_lifecycle_delete_running_needs_force ()
{
  make_bundle "$T/b" sleep 30
  tong run -d --bundle "$T/b" c1 >/dev/null 2>&1
  local pid
  pid=$(tong state c1 | jq -r .pid)
  assert_fail tong delete c1
  assert_eq "$(state_of c1)" running
  pid_alive "$pid" || fail "delete without --force killed the container"
  tong delete --force c1
  assert_pid_gone "$pid"
  assert_no_containers
}

test_lifecycle_delete_created_container ()
{
  make_bundle "$T/b" sleep 30
  tong create --bundle "$T/b" c1
  local pid
  pid=$(tong state c1 | jq -r .pid)
  # runc deletes a created (never started) container without --force
  tong delete c1
  assert_pid_gone "$pid"
  assert_no_containers
}

test_lifecycle_delete_stopped_container ()
{
  make_bundle "$T/b" true
  tong create --bundle "$T/b" c1
  tong start c1
  wait_status c1 stopped
  tong delete c1
  assert_no_containers
}

test_lifecycle_delete_nonexistent ()
{
  assert_fail tong delete nosuch
  assert_contains "$ERR" "does not exist"
  # --force on a missing container succeeds, as in runc
  tong delete --force nosuch
}

test_lifecycle_start_twice_fails ()
{
  make_bundle "$T/b" sleep 30
  tong create --bundle "$T/b" c1
  tong start c1
  wait_status c1 running
  assert_fail tong start c1
  assert_eq "$(state_of c1)" running
  tong delete --force c1
  assert_no_containers
}

test_lifecycle_start_nonexistent_fails ()
{
  assert_fail tong start nosuch
  assert_contains "$ERR" "does not exist"
}

test_lifecycle_create_existing_id_fails ()
{
  make_bundle "$T/b" sleep 30
  make_bundle "$T/b2" sleep 30
  tong create --bundle "$T/b" c1
  local st
  st=$(tong state c1)
  assert_fail tong create --bundle "$T/b2" c1
  # the existing container is untouched
  assert_eq "$(tong state c1)" "$st"
  tong delete --force c1
  assert_no_containers
}

test_lifecycle_state_json ()
{
  make_bundle "$T/b" sleep 30
  # a relative --bundle is stored as an absolute path
  (cd "$T" && tong create --bundle b c1)
  local st
  st=$(tong state c1)
  assert_json "$st" '.ociVersion | type == "string" and test("^1\\.")'
  assert_json "$st" '.id == "c1"'
  assert_json "$st" '.pid | type == "number" and . > 0'
  assert_json "$st" '.status == "created"'
  assert_json "$st" '.bundle == $b' --arg b "$T/b"
  assert_json "$st" '.rootfs == $r' --arg r "$T/b/rootfs"
  assert_json "$st" '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")'
  assert_json "$st" '.owner | type == "string"'
  tong delete --force c1
  assert_no_containers
}

test_lifecycle_state_annotations ()
{
  make_bundle "$T/b" sleep 30
  cfg_set "$T/b" '.annotations = {"org.example.key": "value"}'
  tong create --bundle "$T/b" c1
  assert_json "$(tong state c1)" '.annotations["org.example.key"] == "value"'
  tong delete --force c1
}

test_lifecycle_bundle_defaults_to_cwd ()
{
  make_bundle "$T/b" sleep 30
  (cd "$T/b" && tong create c1)
  assert_json "$(tong state c1)" '.bundle == $b' --arg b "$T/b"
  tong delete --force c1
}

test_lifecycle_pid_file ()
{
  make_bundle "$T/b" sleep 30
  tong create --bundle "$T/b" --pid-file "$T/pidfile" c1
  assert_file "$T/pidfile"
  local pid
  pid=$(tong state c1 | jq -r .pid)
  assert_eq "$(tr -d '\n' <"$T/pidfile")" "$pid"
  tong delete --force c1
  # run -d writes it too
  tong run -d --bundle "$T/b" --pid-file "$T/pidfile2" c2 >/dev/null 2>&1
  assert_eq "$(tr -d '\n' <"$T/pidfile2")" "$(tong state c2 | jq -r .pid)"
  tong delete --force c2
  assert_no_containers
}

test_lifecycle_list ()
{
  make_bundle "$T/b" sleep 30
  tong create --bundle "$T/b" c1
  tong run -d --bundle "$T/b" c2 >/dev/null 2>&1

  local out
  out=$(tong list)
  assert_match "$(head -n1 <<<"$out")" '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
  assert_match "$out" "^c1 +[0-9]+ +created +$T/b "
  assert_match "$out" "^c2 +[0-9]+ +running +$T/b "

  assert_eq "$(tong list -q)" "$(printf 'c1\nc2')"

  out=$(tong list --format json)
  assert_json "$out" 'type == "array" and length == 2'
  assert_json "$out" '[.[].id] | sort == ["c1", "c2"]'
  assert_json "$out" '.[] | select(.id == "c1") | .status == "created" and .pid > 0 and .bundle == $b' --arg b "$T/b"
  assert_json "$out" '.[] | select(.id == "c2") | .status == "running"'
  assert_json "$out" 'all(.[]; has("created") and has("owner") and has("rootfs"))'

  tong delete --force c1
  tong delete --force c2
  assert_eq "$(tong list -q)" ""
  assert_no_containers
}

test_lifecycle_kill_signal_forms ()
{
  # The container counts the SIGTERMs it gets.
  make_bundle "$T/b" sh -c 'trap "echo term >> /terms" TERM; echo > /ready; while :; do sleep 0.1; done'
  tong run -d --bundle "$T/b" c1 >/dev/null 2>&1
  wait_for 10 test -e "$T/b/rootfs/ready"
  local n=0 sig
  for sig in TERM SIGTERM 15 ""; do
    n=$((n + 1))
    if [ -n "$sig" ]; then
      tong kill c1 "$sig"
    else
      tong kill c1 # the default signal is SIGTERM
    fi
    wait_for 10 eval "[ \"\$(wc -l < '$T/b/rootfs/terms')\" -ge $n ]"
  done
  assert_eq "$(wc -l <"$T/b/rootfs/terms")" 4
  assert_eq "$(state_of c1)" running
  tong kill c1 SIGKILL
  wait_status c1 stopped
  tong delete c1
  assert_no_containers
}

test_lifecycle_kill_all ()
{
  make_bundle "$T/b" sh -c 'sleep 30 & sleep 30 & echo > /ready; wait'
  tong run -d --bundle "$T/b" c1 >/dev/null 2>&1
  wait_for 10 test -e "$T/b/rootfs/ready"
  local pid kids
  pid=$(tong state c1 | jq -r .pid)
  kids=$(cat /proc/"$pid"/task/*/children)
  [ -n "$kids" ] || fail "no child processes of $pid"
  tong kill --all c1 KILL
  wait_status c1 stopped
  local k
  for k in $kids; do assert_pid_gone "$k"; done
  tong delete c1
  assert_no_containers
}

test_lifecycle_kill_stopped_fails ()
{
  make_bundle "$T/b" true
  tong create --bundle "$T/b" c1
  tong start c1
  wait_status c1 stopped
  assert_fail tong kill c1 KILL
  tong delete c1
}
