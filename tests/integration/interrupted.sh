# Commands killed part way: whatever a SIGKILL of `create`, `run` or
# `delete` leaves, `tong delete --force` removes all of it (docs/design.md,
# "A create that did not finish").
#
# The kill points are deterministic: strace's
# `-e inject=SYSCALL:signal=KILL:when=K` kills the traced process as it
# enters its K-th call of SYSCALL, and a trace of one whole run lists every
# (SYSCALL, K) the command makes, so the loop kills it once at each of its
# system calls in turn.  Only tong's own process is traced (no -f): its
# children see their parent die, as they would after any SIGKILL.

_need_strace ()
{
  command -v strace >/dev/null 2>&1 || skip "strace is not installed (apt-get install strace)"
  # ptrace may be refused (a container around the tests, yama's scope 3)
  strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
}

# _kill_points LOG: "SYSCALL K" for each call in an `strace -o LOG` log.
_kill_points ()
{
  awk -F'(' '/^[a-z_0-9]+\(/ { n[$1]++; print $1, n[$1] }' "$1"
}

# _killed_at SYSCALL K CMD...: run CMD, killed on its K-th call of SYSCALL.
_killed_at ()
{
  local s=$1 k=$2
  shift 2
  strace -qq -o /dev/null -e trace="$s" -e inject="$s:signal=KILL:when=$k" "$@" \
    </dev/null >/dev/null 2>&1 || true
}

# _cgroup_dir ID: the container's cgroup v2 directory (tong's default:
# tong/ID below the cgroup tong runs in, the test's own), or "" without v2.
_cgroup_dir ()
{
  local mnt own
  mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
  [ -n "$mnt" ] || return 0
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  echo "$mnt${own%/}/tong/$1"
}

# _left ID: what container ID left on the host (nothing: no output).
_left ()
{
  local id=$1 cg
  if [ -e "$ROOT/$id" ]; then
    echo "state directory ($(ls -A "$ROOT/$id" | xargs))"
  fi
  # its default cgroup tong/ID, in every hierarchy (v2, and v1's)
  for cg in $(own_cgroup_dirs); do
    cg=$cg/tong/$id
    if [ -e "$cg" ]; then
      echo "cgroup $cg (processes: $(xargs <"$cg/cgroup.procs"))"
    fi
  done
  if "$TONG" --root "$ROOT" list -q 2>/dev/null | grep -qx "$id"; then
    echo "listed by tong list"
  fi
  awk -v t="$T" '$5 == t || index($5, t "/") == 1 { print "mount on " $5 }' /proc/self/mountinfo
}

# _container_procs: live processes of the test's containers: in a pid
# namespace of their own, with the test's mark in their environment (the
# helpers of the test have it too, but in the test's pid namespace).
_container_procs ()
{
  local f p ns
  ns=$(readlink /proc/self/ns/pid)
  for f in $(grep -lzx "TONG_TEST_MARK=$TONG_TEST_MARK" /proc/[0-9]*/environ 2>/dev/null); do
    p=${f#/proc/}
    p=${p%/environ}
    [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" != "$ns" ] || continue
    pid_alive "$p" && echo "$p"
  done
  return 0
}

# _assert_nothing_of ID: no process of the test's containers, and no cgroup
# directory named ID in any hierarchy (v1 ones too).
_assert_nothing_of ()
{
  local i pids found
  for ((i = 0; i < 30; i++)); do
    pids=$(_container_procs)
    [ -n "$pids" ] || break
    sleep 0.1
  done
  [ -z "$pids" ] || fail "processes of the containers left: $pids"
  found=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "$1" 2>/dev/null || true)
  [ -z "$found" ] || fail "cgroup directories left: $found"
}

# _each_kill_point LOG ID CMD...: for every kill point of LOG, run CMD killed
# there (after _before, if defined), then `tong delete --force ID`, which must
# succeed and leave nothing; then ID must be free for a new create.  Fails
# at the end with every point that left something.
_each_kill_point ()
{
  local log=$1 id=$2 s k n=0 bad=() what
  shift 2
  while read -r s k; do
    n=$((n + 1))
    if declare -F _before >/dev/null; then _before; fi
    _killed_at "$s" "$k" "$@"
    run_cmd tong delete --force "$id"
    what=$(_left "$id")
    [ "$RC" -eq 0 ] || what="delete --force: exit $RC: $ERR; $what"
    if [ -z "$what" ]; then
      run_cmd tong create --bundle "$T/b" "$id"
      [ "$RC" -eq 0 ] || what="create of the same id: $ERR"
      tong delete --force "$id" >/dev/null 2>&1 || true
    fi
    if [ -n "$what" ]; then
      bad+=("$s#$k: $(echo "$what" | xargs)")
      # Clean up by hand, so that the next point starts afresh.
      rm -rf "${ROOT:?}/$id"
      local cg
      cg=$(_cgroup_dir "$id")
      if [ -n "$cg" ] && [ -d "$cg" ]; then
        echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
        sleep 0.1
        rmdir "$cg" 2>/dev/null || true
      fi
    fi
  done < <(_kill_points "$log")
  echo "killed at $n points, ${#bad[@]} left something" >&2
  [ "$n" -gt 20 ] || fail "only $n kill points: the trace is too short"
  [ ${#bad[@]} -eq 0 ] || fail "left something at ${#bad[@]} of $n kill points: $(printf '%s; ' "${bad[@]}")"
  _assert_nothing_of "$id"
  assert_no_containers
}

test_interrupted_create_at_every_syscall ()
{
  _need_strace
  make_bundle "$T/b" sleep 30
  local id="kc$$"
  strace -qq -o "$T/trace" "$TONG" --root "$ROOT" create --bundle "$T/b" "$id" </dev/null
  tong delete --force "$id"
  _each_kill_point "$T/trace" "$id" "$TONG" --root "$ROOT" create --bundle "$T/b" "$id"
}

test_interrupted_run_at_every_syscall ()
{
  _need_strace
  make_bundle "$T/b" true
  local id="kr$$"
  strace -qq -o "$T/trace" "$TONG" --root "$ROOT" run --bundle "$T/b" "$id" </dev/null
  assert_no_containers
  _each_kill_point "$T/trace" "$id" "$TONG" --root "$ROOT" run --bundle "$T/b" "$id"
}

test_interrupted_delete_at_every_syscall ()
{
  _need_strace
  make_bundle "$T/b" sleep 30
  local id="kd$$"
  tong create --bundle "$T/b" "$id"
  strace -qq -o "$T/trace" "$TONG" --root "$ROOT" delete --force "$id" </dev/null
  _before () { tong create --bundle "$T/b" "$id"; }
  _each_kill_point "$T/trace" "$id" "$TONG" --root "$ROOT" delete --force "$id"
}

# A create killed after its cgroup exists and before state.json: `state`
# and `list` show it as stopped, a create of its id names it and says how to
# remove it, and `delete` (a stopped container needs no --force) removes
# its directory and its cgroup.
test_interrupted_create_is_listed_and_deleted ()
{
  _need_strace
  make_bundle "$T/b" sleep 30
  local st cg
  # clone3: the init's birth, once its cgroup exists with its limits (the
  # device filter, or cgroup v1's device lists) and before state.json
  _killed_at clone3 1 "$TONG" --root "$ROOT" create --bundle "$T/b" c1
  cg=$(_cgroup_dir c1)
  [ -z "$cg" ] || assert_file "$cg"
  assert_no_file "$ROOT/c1/state.json"
  st=$(tong state c1)
  assert_json "$st" '.status == "stopped" and .pid == 0 and .id == "c1" and .bundle == $b' --arg b "$T/b"
  assert_json "$(tong list --format json)" '[.[] | select(.id == "c1")] | .[0].status == "stopped"'
  assert_match "$(tong list)" '^c1 +0 +stopped '
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" "container with id exists: c1"
  assert_contains "$ERR" "tong delete --force c1"
  tong delete c1
  assert_no_file "$ROOT/c1"
  [ -z "$cg" ] || assert_no_file "$cg"
  tong create --bundle "$T/b" c1
  assert_eq "$(state_of c1)" created
  tong delete c1
  assert_no_containers
}

# While its creator lives (held here for 5 s before the init's clone3: time
# for the checks below on a loaded machine), a container
# without state.json is `creating`; `delete --force` does not pull it from
# under its creator: it waits for the create to end, then deletes what it made.
test_interrupted_delete_waits_for_a_live_create ()
{
  _need_strace
  make_bundle "$T/b" sleep 30
  local creator deleter st i
  strace -qq -o /dev/null -e trace=clone3 -e inject=clone3:delay_enter=5000000:when=1 \
    "$TONG" --root "$ROOT" create --bundle "$T/b" c1 </dev/null >"$T/create.log" 2>&1 &
  creator=$!
  on_exit "kill -9 $creator"
  wait_for 5 test -e "$ROOT/c1"
  for ((i = 0; i < 50; i++)); do
    [ -e "$(_cgroup_dir c1)" ] && break
    sleep 0.02
  done
  assert_no_file "$ROOT/c1/state.json"
  st=$(tong state c1)
  assert_json "$st" '.status == "creating" and .pid == 0'
  assert_json "$(tong list --format json)" '.[0].status == "creating"'
  assert_fail tong create --bundle "$T/b" c1
  assert_contains "$ERR" "being created"
  "$TONG" --root "$ROOT" delete --force c1 </dev/null >"$T/delete.log" 2>&1 &
  deleter=$!
  on_exit "kill -9 $deleter"
  sleep 0.5
  pid_alive "$deleter" || fail "delete --force did not wait for the create: $(cat "$T/delete.log")"
  wait "$creator" || fail "the create failed: $(cat "$T/create.log")"
  wait "$deleter" || fail "delete --force failed: $(cat "$T/delete.log")"
  assert_no_file "$ROOT/c1"
  _assert_nothing_of c1
  assert_no_containers
}
