# Helpers for tong's integration tests (tests/integration/*.sh).
#
# tests/run.sh sources this file, then one test file, in a fresh bash process
# per test, and calls one test_* function with `set -e` in effect.  It exports:
#   TONG       the binary under test (absolute path)
#   ROOT       this test's --root state directory (empty at the start)
#   T          this test's temp directory (the current directory at the start)
#   TESTS_DIR  the tests/ directory of the source tree
#   BUILD_DIR  the build directory
#   CONSOLE_RECEIVER  path of tests/tools/console-receiver
#   TONG_TEST_MARK    a token unique to this test; make_bundle puts it in the
#              container's environment so the runner can find leftover processes
#
# Conventions: a test fails as soon as a command fails (set -e), so assertions
# are ordinary commands that print what they expected and return 1.  A test
# that keeps a container must delete it before it returns; cleanup of other
# things (background processes, host mounts) is registered with on_exit.

# ---------------------------------------------------------------- running tong

# tong ARGS...: run the binary under test with this test's --root.
tong ()
{
  "$TONG" --root "$ROOT" "$@"
}

# run_cmd CMD...: run CMD without failing the test; set RC, OUT (stdout) and
# ERR (stderr).  Both are also echoed to the test log.
run_cmd ()
{
  local o e
  o=$(mktemp "$T/.out.XXXXXX")
  e=$(mktemp "$T/.err.XXXXXX")
  RC=0
  "$@" >"$o" 2>"$e" </dev/null || RC=$?
  OUT=$(cat "$o")
  ERR=$(cat "$e")
  rm -f "$o" "$e"
  {
    echo "  -> exit $RC"
    [ -z "$OUT" ] || printf '  stdout: %s\n' "$OUT"
    [ -z "$ERR" ] || printf '  stderr: %s\n' "$ERR"
  } >&2
  return 0
}

# ---------------------------------------------------------------- assertions

fail ()
{
  echo "FAILED: $*" >&2
  return 1
}

# skip REASON: end the test now and report it as skipped.
skip ()
{
  printf '%s\n' "$*" >"$T/.skip"
  exit 0
}

assert_eq ()
{
  [ "$1" = "$2" ] || fail "expected '$2', got '$1'${3:+ ($3)}"
}

assert_ne ()
{
  [ "$1" != "$2" ] || fail "expected something other than '$2'${3:+ ($3)}"
}

assert_contains ()
{
  case "$1" in
  *"$2"*) return 0 ;;
  esac
  fail "expected output containing '$2', got: '$1'"
}

assert_not_contains ()
{
  case "$1" in
  *"$2"*) fail "expected output without '$2', got: '$1'" ;;
  esac
  return 0
}

# assert_match STRING ERE
assert_match ()
{
  printf '%s\n' "$1" | grep -Eq -- "$2" || fail "expected output matching /$2/, got: '$1'"
}

# assert_fail CMD...: CMD must exit non-zero; sets RC, OUT and ERR like run_cmd.
assert_fail ()
{
  run_cmd "$@"
  [ "$RC" -ne 0 ] || fail "expected failure of: $*"
}

# assert_ok CMD...: CMD must exit 0; sets RC, OUT and ERR like run_cmd.
assert_ok ()
{
  run_cmd "$@"
  [ "$RC" -eq 0 ] || fail "expected success (got exit $RC) of: $*"
}

assert_file ()
{
  [ -e "$1" ] || fail "expected file $1 to exist"
}

assert_no_file ()
{
  if [ -e "$1" ] || [ -L "$1" ]; then fail "expected $1 not to exist"; fi
}

# assert_json JSON JQ-EXPRESSION [JQ OPTIONS...]: the expression must be true.
assert_json ()
{
  local j=$1 e=$2 r
  shift 2
  r=$(printf '%s' "$j" | jq -e "$@" "$e" 2>&1) || fail "jq '$e' is not true (got '$r') for: $j"
}

# state_entries DIR: the entries of a state root (ls -A) but tong's own
# records (net:leases, seccomp:cache: no container id has ':').
state_entries ()
{
  ls -A "$1" 2>/dev/null | grep -v : || true
}

# assert_no_containers: --root holds no container state at all.
assert_no_containers ()
{
  local d left=
  for d in "$ROOT"/*; do
    # tong's own records (net:leases, seccomp:cache): no container id has ':'.
    [[ ${d##*/} == *:* ]] && continue
    [ -d "$d" ] && left="$left ${d##*/}"
  done
  [ -z "$left" ] || fail "container state left in --root:$left"
  local q
  q=$(tong list -q 2>/dev/null || true)
  [ -z "$q" ] || fail "tong list -q shows: $q"
}

# assert_pid_gone PID [SECS]: the process has exited (a zombie counts as gone).
assert_pid_gone ()
{
  local i=0 n=$((${2:-5} * 10))
  while pid_alive "$1"; do
    i=$((i + 1))
    [ $i -lt $n ] || fail "process $1 is still alive"
    sleep 0.1
  done
}

# pid_alive PID: true if the process exists and is not a zombie.
pid_alive ()
{
  local s
  s=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

# ---------------------------------------------------------------- waiting

# wait_for SECS CMD...: retry CMD every 0.1 s until it succeeds.
wait_for ()
{
  local n=$(($1 * 10)) i=0 x=
  shift
  case $- in *x*) x=1; set +x ;; esac
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -ge $n ]; then
      [ -z "$x" ] || set -x
      fail "timed out waiting for: $*"
      return 1
    fi
    sleep 0.1
  done
  [ -z "$x" ] || set -x
  return 0
}

# state_of ID: the container's status, or "" when state fails.
state_of ()
{
  tong state "$1" 2>/dev/null | jq -r .status 2>/dev/null || true
}

_status_is ()
{
  [ "$(state_of "$1")" = "$2" ]
}

# wait_status ID STATUS [SECS]
wait_status ()
{
  wait_for "${3:-10}" _status_is "$1" "$2" || fail "container $1 never reached status $2 (now: '$(state_of "$1")')"
}

# ---------------------------------------------------------------- cleanup

_ON_EXIT=()

# on_exit 'SHELL COMMAND': run it when the test ends, whatever the outcome.
on_exit ()
{
  _ON_EXIT+=("$1")
}

_run_on_exit ()
{
  local i
  for ((i = ${#_ON_EXIT[@]} - 1; i >= 0; i--)); do
    eval "${_ON_EXIT[$i]}" >/dev/null 2>&1 || true
  done
}

# bg_start VAR CMD...: start CMD in the background (killed when the test
# ends) and store its pid in VAR.
bg_start ()
{
  local var=$1
  shift
  "$@" </dev/null >/dev/null 2>&1 &
  local _bg_pid=$!
  on_exit "kill -9 $_bg_pid; wait $_bg_pid"
  printf -v "$var" '%s' "$_bg_pid"
}

# ---------------------------------------------------------------- bundles

: "${BUSYBOX:=/bin/busybox}"

# Applets linked into every rootfs (busybox --list, so everything is there).
_make_rootfs ()
{
  local r=$1 a
  mkdir -p "$r/bin" "$r/etc" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/root" "$r/run"
  chmod 1777 "$r/tmp"
  cp "$BUSYBOX" "$r/bin/busybox"
  # busybox links its applets to its own path: run it inside the rootfs so
  # that the links point to /bin/busybox there (one process, not ~270).
  if ! chroot "$r" /bin/busybox --install -s /bin 2>/dev/null; then
    for a in $("$r/bin/busybox" --list); do
      [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
    done
  fi
  ln -s bin "$r/sbin"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$r/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$r/etc/group"
}

# The runner builds one rootfs per run ($TONG_TEST_ROOTFS) and bundles copy
# it: making ~270 applet links per test would cost seconds each time.
_copy_rootfs ()
{
  if [ -n "${TONG_TEST_ROOTFS:-}" ] && [ -d "$TONG_TEST_ROOTFS" ]; then
    mkdir -p "$1"
    cp -a "$TONG_TEST_ROOTFS/." "$1/"
  else
    _make_rootfs "$1"
  fi
}

# make_bundle DIR [ARGS...]: a bundle in DIR with a busybox rootfs and a
# config.json from `tong spec`, edited so that: the process does not use a
# terminal, runs ARGS (default: sh), has TONG_TEST_MARK in its environment,
# and the root filesystem is writable.
make_bundle ()
{
  local b=$1
  shift
  [ $# -gt 0 ] || set -- sh
  mkdir -p "$b"
  _copy_rootfs "$b/rootfs"
  "$TONG" spec --bundle "$b" || fail "tong spec --bundle $b failed"
  local args
  args=$(json_array "$@")
  cfg_set "$b" '.process.terminal = false
    | .process.args = $args
    | .process.env = ((.process.env // []) + ["TONG_TEST_MARK=" + $mark])
    | .root.readonly = false' \
    --argjson args "$args" --arg mark "$TONG_TEST_MARK"
}

# cfg_set DIR 'jq expression' [jq options...]: edit DIR/config.json in place.
cfg_set ()
{
  local b=$1 expr=$2
  shift 2
  jq "$@" "$expr" "$b/config.json" >"$b/config.json.new" || {
    rm -f "$b/config.json.new"
    fail "jq edit failed: $expr"
  }
  mv "$b/config.json.new" "$b/config.json"
}

# cfg_args DIR ARGS...: set process.args.
cfg_args ()
{
  local b=$1
  shift
  cfg_set "$b" '.process.args = $a' --argjson a "$(json_array "$@")"
}

# cfg_ns DIR TYPE [PATH]: add (or replace) a namespace entry.
cfg_ns ()
{
  if [ -n "${3:-}" ]; then
    cfg_set "$1" '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{type: $t, path: $p}])' \
      --arg t "$2" --arg p "$3"
  else
    cfg_set "$1" '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{type: $t}])' --arg t "$2"
  fi
}

# cfg_no_ns DIR TYPE: remove a namespace from the spec.
cfg_no_ns ()
{
  cfg_set "$1" '.linux.namespaces = [.linux.namespaces[] | select(.type != $t)]' --arg t "$2"
}

# cfg_mount DIR JSON: append a mount.
cfg_mount ()
{
  cfg_set "$1" '.mounts += [$m]' --argjson m "$2"
}

# ---------------------------------------------------------------- misc

# json_array ARGS...: print ARGS as a JSON array of strings.
json_array ()
{
  if [ $# -eq 0 ]; then
    echo '[]'
  else
    { printf '%s\0' "$@"; printf end; } | jq -Rsc 'split("\u0000") | .[:-1]'
  fi
}

# host_ns TYPE: the inode link of the test's own namespace.
host_ns ()
{
  readlink "/proc/self/ns/$1"
}

# in_container B CMD: `tong run` a one-off container with bundle B running
# `sh -c CMD`; prints its stdout; fails the test if it exits non-zero.
in_container ()
{
  local b=$1
  shift
  cfg_args "$b" sh -c "$1"
  _CTR_N=$((${_CTR_N:-0} + 1))
  tong run --bundle "$b" "ctr-$$-$_CTR_N" </dev/null
}

# ---------------------------------------------------------------- cgroups

# own_cgroup_dirs: the test's own cgroup directory in every hierarchy (v1
# and v2), one per line: where a relative linux.cgroupsPath lands.
own_cgroup_dirs ()
{
  awk -F: 'NR == FNR { if ($9 == "cgroup" || $9 == "cgroup2") { split($0, a, " - "); split(a[2], f, " ");
           n = split(f[3], o, ","); key = ""
           for (i = 1; i <= n; i++) if (o[i] != "rw" && o[i] != "ro" && o[i] !~ /^(xattr|noprefix|clone_children|nsdelegate|release_agent=.*|memory_.*|favordynmods|cpuset_v2_mode)$/) key = key (key == "" ? "" : ",") o[i]
           if (f[1] == "cgroup2") key = ""; split($0, g, " "); if (!(key in mnt)) mnt[key] = g[5] }; next }
         ($2 in mnt) { p = $3; sub(/\/$/, "", p); print mnt[$2] p }' FS=' ' /proc/self/mountinfo FS=: /proc/self/cgroup
}

# rm_own_cgroup REL: remove REL below the test's own cgroup in every
# hierarchy (what a relative cgroupsPath made; only empty ones go).
rm_own_cgroup ()
{
  local d
  for d in $(own_cgroup_dirs); do
    rmdir "$d/$1" 2>/dev/null || true
  done
}

# abs_cgroup_parent NAME: an absolute cgroup path NAME below the test's own
# memory cgroup (its v2 one on a host without v1 memory), for a client that
# reads the cgroups it names from the hierarchies' roots (podman): the same
# path in every hierarchy, below the machine's memory limit.
abs_cgroup_parent ()
{
  local own
  own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
  [ -n "$own" ] || own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  echo "${own%/}/$1"
}

# rm_abs_cgroup PATH: remove PATH in every hierarchy, and the levels above
# it that are left empty (those other hierarchies made for it).
rm_abs_cgroup ()
{
  local m p
  for m in $(awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo); do
    p=$1
    while [ -n "$p" ] && [ "$p" != / ] && rmdir "$m$p" 2>/dev/null; do
      p=${p%/*}
    done
  done
}
