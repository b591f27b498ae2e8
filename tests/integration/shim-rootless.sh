# tong-shim run by a user other than root, as a CI job runs a build: the
# store under $XDG_DATA_HOME/tong, layers owned by the user's subordinate
# ids, the overlay mounted by tong inside the container's user namespace,
# the workspace bind-mounted with its files the user's, nothing left after
# --rm.
source "$TESTS_DIR/integration/rootless-lib.sh"
source "$TESTS_DIR/integration/shim-lib.sh"

# _srl_setup: the test user with tong-shim beside tong and the tests' busybox
# image, loaded into the user's store as localhost/busybox:latest.
_srl_setup ()
{
  _need_shim
  _rl_setup
  install -o "$RL_UID" -g "$RL_GID" -m 0755 "$SHIM" "$RL_HOME/bin/tong-shim"
  shim_layout "$T/img" localhost/busybox:latest
  cp -r "$T/img" "$RL_HOME/img"
  chown -R "$RL_UID:$RL_GID" "$RL_HOME/img"
  as_user "tong-shim load -i img" >/dev/null || fail "load as the user"
}

# _srl_clean: nothing of a container left in the user's store, runroot or
# tong's state, and no process of the user's running.
_srl_clean ()
{
  local left
  left=$(as_user "tong-shim ps -a -q")
  [ -z "$left" ] || fail "tong-shim ps -a still lists: $left"
  left=$(ls -A "$RL_HOME/.local/share/tong/containers" 2>/dev/null || true)
  [ -z "$left" ] || fail "upper/work dirs left in the user's store: $left"
  left=$(ls -A "$RL_HOME/run/tong-shim/containers" 2>/dev/null || true)
  [ -z "$left" ] || fail "bundles left in the user's runroot: $left"
  left=$(as_user "tong --root run/tong-shim/tong list -q" 2>/dev/null || true)
  [ -z "$left" ] || fail "tong still has containers: $left"
  left=$(ps -u "$RL_UID" -o pid=,args= || true)
  [ -z "$left" ] || fail "processes of the user left: $left"
}

test_shim_rootless_load_and_run ()
{
  _srl_setup
  local st
  st=$(stat -c %u "$RL_HOME/.local/share/tong/metadata.db")
  assert_eq "$st" "$RL_UID" "the store is the user's, under XDG_DATA_HOME's default"
  # The image's /home/app belongs to uid 1000: on the host, to the user's
  # subordinate uid 1000 - 1 above the range's start.
  local diff
  diff=$(ls -d "$RL_HOME"/.local/share/tong/layers/*/diff)
  assert_eq "$(stat -c %u "$diff/home/app")" $((_RL_SUB_START + 999)) "owner of /home/app on the host"
  assert_eq "$(stat -c %u "$diff/bin")" "$RL_UID" "root's files are the user's on the host"
  local out
  out=$(as_user "tong-shim run --rm localhost/busybox sh -c 'id -u; stat -c %u /home/app; echo hi >/tmp/x && cat /tmp/x; touch /newfile && echo wrote-root'")
  assert_eq "$(sed -n 1p <<<"$out")" 0 "uid inside"
  assert_eq "$(sed -n 2p <<<"$out")" 1000 "/home/app inside"
  assert_contains "$out" hi
  assert_contains "$out" wrote-root
  _srl_clean
}
