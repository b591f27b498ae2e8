# Several tong processes at once on one --root: the state store's locking.

test_concurrency_parallel_create_and_delete ()
{
  make_bundle "$T/b" sleep 30
  local i pids=() failed=0
  for i in $(seq 20); do
    "$TONG" --root "$ROOT" create --bundle "$T/b" "c$i" </dev/null >"$T/create-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
  [ $failed -eq 0 ] || fail "$failed of 20 parallel creates failed: $(cat "$T"/create-*.log)"
  assert_eq "$(tong list -q | sort | xargs)" "$(seq 20 | sed 's/^/c/' | sort | xargs)"
  local ids
  ids=$(tong list --format json | jq -r '[.[] | select(.status == "created")] | length')
  assert_eq "$ids" 20 "containers in state created"

  pids=()
  for i in $(seq 20); do
    "$TONG" --root "$ROOT" delete --force "c$i" </dev/null >"$T/delete-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
  [ $failed -eq 0 ] || fail "$failed of 20 parallel deletes failed: $(cat "$T"/delete-*.log)"
  assert_eq "$(tong list -q)" ""
  assert_no_containers
}

test_concurrency_same_id_only_one_wins ()
{
  make_bundle "$T/b" sleep 30
  local i pids=() ok=0
  for i in $(seq 10); do
    "$TONG" --root "$ROOT" create --bundle "$T/b" same </dev/null >"$T/create-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do
    if wait "$i"; then ok=$((ok + 1)); fi
  done
  assert_eq "$ok" 1 "creates of the same id that succeeded"
  assert_eq "$(tong list -q)" same
  assert_eq "$(state_of same)" created
  local pid
  pid=$(tong state same | jq -r .pid)
  pid_alive "$pid" || fail "the winner's process $pid is not alive"
  tong delete --force same
  assert_no_containers
}

test_concurrency_state_while_starting_and_killing ()
{
  # state, list and kill racing with start and delete never see a torn state
  make_bundle "$T/b" sleep 30
  tong create --bundle "$T/b" c1
  local pid i
  (for i in $(seq 30); do "$TONG" --root "$ROOT" state c1 >"$T/state-$i.json" 2>/dev/null || true; done) &
  pid=$!
  tong start c1
  wait "$pid"
  for i in $(seq 30); do
    if [ -s "$T/state-$i.json" ]; then
      jq -e '.status == "created" or .status == "running"' "$T/state-$i.json" >/dev/null ||
        fail "torn or odd state: $(cat "$T/state-$i.json")"
    fi
  done
  tong delete --force c1
  assert_no_containers
}

test_concurrency_parallel_runs ()
{
  make_bundle "$T/b" sh -c 'echo $$'
  local i pids=() failed=0
  for i in $(seq 10); do
    "$TONG" --root "$ROOT" run --bundle "$T/b" "r$i" </dev/null >"$T/run-$i.out" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
  [ $failed -eq 0 ] || fail "$failed of 10 parallel runs failed: $(cat "$T"/run-*.out)"
  assert_eq "$(cat "$T"/run-*.out | sort -u)" 1
  assert_no_containers
}
