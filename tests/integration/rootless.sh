# tong run by a user other than root: `tong spec --rootless` maps only the
# user's own ids, which tong writes itself; wider ranges go through the
# setuid helpers newuidmap/newgidmap and what /etc/subuid and /etc/subgid grant.

source "$TESTS_DIR/integration/rootless-lib.sh"

# _rl_bundle ARGS...: as the user, `tong spec --rootless` in ~/b, then set the
# process to run ARGS without a terminal, carrying the test's mark.
_rl_bundle ()
{
  as_user "rm -f b/config.json && tong spec --rootless --bundle b"
  local args
  args=$(json_array "$@")
  cfg_set "$RL_HOME/b" '.process.terminal = false
    | .process.args = $args
    | .process.env = ((.process.env // []) + ["TONG_TEST_MARK=" + $mark])
    | .root.readonly = false' \
    --argjson args "$args" --arg mark "$TONG_TEST_MARK"
  chown "$RL_UID:$RL_GID" "$RL_HOME/b/config.json"
}

# _rl_no_state: the user's default --root ($XDG_RUNTIME_DIR/tong) is empty.
_rl_no_state ()
{
  local left
  left=$(as_user "tong list -q")
  [ -z "$left" ] || fail "containers left in the user's state: $left"
}

test_rootless_spec_rootless_runs_as_root_inside ()
{
  _rl_setup
  _rl_bundle sh -c 'id -u; id -g; cat /proc/self/uid_map; cat /proc/self/gid_map;
    echo hello >/tmp/f && cat /tmp/f; ls /proc/1/ >/dev/null && echo proc-ok'
  local out
  out=$(as_user "tong run --bundle b rl-$$")
  assert_eq "$(sed -n 1p <<<"$out")" 0 "uid inside"
  assert_eq "$(sed -n 2p <<<"$out")" 0 "gid inside"
  assert_eq "$(sed -n 3p <<<"$out" | awk '{print $1, $2, $3}')" "0 $RL_UID 1" "uid_map"
  assert_eq "$(sed -n 4p <<<"$out" | awk '{print $1, $2, $3}')" "0 $RL_GID 1" "gid_map"
  assert_contains "$out" hello
  assert_contains "$out" proc-ok
  assert_eq "$(stat -c %u "$RL_HOME/run/tong")" "$RL_UID" "state under XDG_RUNTIME_DIR, the user's"
  _rl_no_state
}

test_rootless_create_start_delete ()
{
  _rl_setup
  _rl_bundle sleep 60
  as_user "tong create --bundle b rl-$$"
  local st
  st=$(as_user "tong state rl-$$")
  assert_json "$st" '.status == "created"'
  assert_json "$st" ".pid > 0"
  as_user "tong start rl-$$"
  st=$(as_user "tong state rl-$$")
  assert_json "$st" '.status == "running"'
  assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$(jq -r .pid <<<"$st")/status")" "$RL_UID" \
    "the container's root is the user on the host"
  as_user "tong kill rl-$$ KILL"
  as_user "tong delete --force rl-$$"
  _rl_no_state
}

# A full 65536-id range: container 0 is the user, 1..65535 its subordinate ids.
test_rootless_subordinate_range_through_newuidmap ()
{
  _rl_setup
  _rl_bundle sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map;
    touch /tmp/owned && chown 1000:1000 /tmp/owned && echo chown-ok'
  cfg_set "$RL_HOME/b" '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
      {containerID: 1, hostID: $s, size: 65535}]
    | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1},
      {containerID: 1, hostID: $s, size: 65535}]
    | .process.capabilities |= with_entries(.value += ["CAP_CHOWN"])' \
    --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson s "$_RL_SUB_START"
  local out
  out=$(as_user "tong run --bundle b rl-$$")
  assert_eq "$(sed -n 1p <<<"$out")" 0 "uid inside"
  assert_match "$out" "^ +1 +$_RL_SUB_START +65535$"
  assert_contains "$out" chown-ok
  assert_eq "$(stat -c %u:%g "$RL_HOME/b/rootfs/tmp/owned")" \
    "$((_RL_SUB_START + 999)):$((_RL_SUB_START + 999))" "owner on the host of uid 1000 inside"
  _rl_no_state
}

test_rootless_range_not_granted_names_newuidmap ()
{
  _rl_setup
  _rl_bundle true
  cfg_set "$RL_HOME/b" '.linux.uidMappings = [{containerID: 0, hostID: $s, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: $s, size: 65536}]' \
    --argjson s "$((_RL_SUB_START + _RL_SUB_COUNT))"
  run_cmd as_user "tong run --bundle b rl-$$"
  [ "$RC" -ne 0 ] || fail "a range outside /etc/subuid was mapped"
  assert_contains "$ERR" "linux.uidMappings"
  assert_contains "$ERR" "newuidmap"
  assert_contains "$ERR" "not allowed"
  _rl_no_state
}

test_rootless_missing_helper_names_the_package ()
{
  _rl_setup
  _rl_bundle true
  cfg_set "$RL_HOME/b" '.linux.uidMappings = [{containerID: 0, hostID: $s, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: $s, size: 65536}]' \
    --argjson s "$_RL_SUB_START"
  # A PATH without the helpers.
  run_cmd as_user "PATH=\$HOME/bin tong run --bundle b rl-$$"
  [ "$RC" -ne 0 ] || fail "ran without newuidmap"
  assert_contains "$ERR" "newuidmap"
  assert_contains "$ERR" "uidmap"
  _rl_no_state
}

# A spec without a user namespace (as `tong spec` writes it for root): the
# user's container gets one anyway, its root the user, ids 1.. the range
# /etc/subuid grants, so the default mounts (devpts gid=5…) work.
test_rootless_user_namespace_added_when_the_spec_has_none ()
{
  _rl_setup
  as_user "rm -f b/config.json"
  "$TONG" spec --bundle "$RL_HOME/b"
  local args
  args=$(json_array sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map;
    touch /tmp/owned && chown 1000:1000 /tmp/owned && echo chown-ok')
  cfg_set "$RL_HOME/b" '.process.terminal = false | .process.args = $args | .root.readonly = false
    | .process.env += ["TONG_TEST_MARK=" + $mark]
    | .process.capabilities |= with_entries(.value += ["CAP_CHOWN"])' \
    --argjson args "$args" --arg mark "$TONG_TEST_MARK"
  assert_json "$(cat "$RL_HOME/b/config.json")" '[.linux.namespaces[].type] | index(["user"]) == null'
  chown "$RL_UID:$RL_GID" "$RL_HOME/b/config.json"
  local out
  out=$(as_user "tong run --bundle b rl-$$")
  assert_eq "$(sed -n 1p <<<"$out")" 0 "uid inside"
  assert_match "$out" "^ +0 +$RL_UID +1$"
  assert_match "$out" "^ +1 +$_RL_SUB_START +$_RL_SUB_COUNT$"
  assert_match "$out" "^ +0 +$RL_GID +1$"
  assert_contains "$out" chown-ok
  assert_eq "$(stat -c %u:%g "$RL_HOME/b/rootfs/tmp/owned")" \
    "$((_RL_SUB_START + 999)):$((_RL_SUB_START + 999))" "owner on the host of uid 1000 inside"
  _rl_no_state
}

# Without a subordinate range only the user itself is mapped: a spec whose
# process runs as root still works when it needs no other id.
test_rootless_user_namespace_added_without_a_range ()
{
  _rl_setup
  sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
  _rl_bundle sh -c 'cat /proc/self/uid_map; id -u'
  cfg_set "$RL_HOME/b" 'del(.linux.uidMappings) | del(.linux.gidMappings)
    | .linux.namespaces |= map(select(.type != "user"))'
  local out
  out=$(as_user "tong run --bundle b rl-$$")
  assert_match "$out" "^ +0 +$RL_UID +1$"
  assert_eq "$(sed -n 2p <<<"$out")" 0 "uid inside"
  assert_eq "$(wc -l <<<"$out")" 2 "one map line"
  _rl_no_state
}

# A user who may not create a cgroup runs containers without one, told so
# once, with what it costs and how to get one.
test_rootless_without_a_cgroup_said_once ()
{
  _rl_setup
  [ -n "$(_rl_cg_writable)" ] && skip "the test user may write to this cgroup: nothing to say"
  _rl_bundle true
  local first second
  first=$(as_user "tong run --bundle b rl-$$ 2>&1")
  second=$(as_user "tong run --bundle b rl-$$ 2>&1")
  assert_contains "$first" "run without a cgroup"
  assert_contains "$first" "Delegate=yes"
  assert_not_contains "$second" "without a cgroup"
  _rl_no_state
}

# _rl_cg_writable: the cgroup v2 directory the user's containers would go
# below, if the user may write to it.
_rl_cg_writable ()
{
  local m own
  m=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
  [ -n "$m" ] || return 0
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  as_user "test -w '$m$own' && echo yes" 2>/dev/null || true
}

test_rootless_exec_joins_the_user_namespace_first ()
{
  _rl_setup
  _rl_bundle sleep 60
  as_user "tong run -d --bundle b rl-$$" >/dev/null 2>&1 || as_user "tong create --bundle b rl-$$ && tong start rl-$$"
  # The pid namespace belongs to the container's user namespace: an
  # unprivileged tong joins that first, or the kernel refuses.
  local out
  out=$(as_user "tong exec rl-$$ sh -c 'id -u; cat /proc/self/uid_map; echo \$\$'") || fail "exec: $out"
  assert_eq "$(sed -n 1p <<<"$out")" 0 "uid inside"
  assert_eq "$(sed -n 2p <<<"$out" | awk '{print $1, $2}')" "0 $RL_UID" "in the container's user namespace"
  [ "$(sed -n 3p <<<"$out")" -lt 100 ] || fail "not in the container's pid namespace: pid $(sed -n 3p <<<"$out")"
  as_user "tong kill rl-$$ KILL"
  as_user "tong delete --force rl-$$"
  _rl_no_state
}

# _rl_delegate: a cgroup v2 directory of the host's hierarchy owned by the
# test user, as a systemd user session's Delegate=yes scope is.  Sets
# RL_CGROUP.  Only the unified hierarchy is touched: v1 memberships stay.
_rl_delegate ()
{
  local mnt=/sys/fs/cgroup
  [ "$(stat -f -c %T "$mnt")" = cgroup2fs ] || mnt=/sys/fs/cgroup/unified
  [ "$(stat -f -c %T "$mnt" 2>/dev/null)" = cgroup2fs ] || skip "no cgroup v2 hierarchy on this host"
  RL_CGROUP=$mnt/tongtest-deleg-$$
  mkdir "$RL_CGROUP" || skip "cannot create a cgroup in $mnt"
  on_exit "find '$RL_CGROUP' -depth -type d -exec rmdir {} + 2>/dev/null"
  chown "$RL_UID:$RL_GID" "$RL_CGROUP" "$RL_CGROUP/cgroup.procs" "$RL_CGROUP/cgroup.subtree_control" \
    "$RL_CGROUP/cgroup.threads"
}

# as_user_in_cgroup 'SHELL COMMAND': as_user, started in RL_CGROUP (root
# moves the shell there, then drops to the user).
as_user_in_cgroup ()
{
  local procs=$RL_CGROUP/cgroup.procs
  (
    echo "$BASHPID" >"$procs" || exit 1
    as_user "$1"
  )
}

test_rootless_delegated_cgroup_used ()
{
  _rl_setup
  _rl_delegate
  _rl_bundle sleep 60
  as_user_in_cgroup "tong run -d --bundle b rl-$$ >/dev/null 2>&1 || { tong create --bundle b rl-$$ && tong start rl-$$; }" ||
    fail "run in the delegated cgroup"
  local pid cg
  pid=$(as_user "tong state rl-$$" | jq -r .pid)
  cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  assert_match "$cg" "/tongtest-deleg-$$/tong/rl-$$\$" "the container's cgroup, below the user's"
  assert_file "$RL_CGROUP/tong/rl-$$/cgroup.procs"
  assert_no_file "$RL_HOME/run/tong/.no-cgroup-said"
  # What a cgroup gives: ps, pause (cgroup.freeze), kill --all.
  assert_contains "$(as_user "tong ps rl-$$")" "$pid"
  as_user "tong pause rl-$$"
  assert_json "$(as_user "tong state rl-$$")" '.status == "paused"'
  as_user "tong resume rl-$$"
  as_user "tong kill --all rl-$$ KILL"
  as_user "tong delete --force rl-$$"
  assert_no_file "$RL_CGROUP/tong/rl-$$"
  _rl_no_state
}

# CVE-2019-5736 as a user other than root (tests/integration/
# exe-attack-lib.sh): the user's own tong, which the container's root (the
# user, on the host) may write.  A user cannot clone a mount of the host's:
# tong runs from a sealed copy, which is what the attack reaches.
test_rootless_cve_2019_5736_self_exe ()
{
  source "$TESTS_DIR/integration/exe-attack-lib.sh"
  _rl_setup
  _rl_bundle /entry
  local sum
  sum=$(sha256sum <"$RL_HOME/bin/tong")
  _exe_image_files "$RL_HOME/b" "$RL_HOME/bin/tong" fake
  chown -R "$RL_UID:$RL_GID" "$RL_HOME/b"
  as_user "tong run -d --bundle b rl-$$"
  _exe_verdict "$RL_HOME/b" "$RL_HOME/bin/tong" "$sum" copy
  as_user "tong delete --force rl-$$"
  _rl_no_state
}
