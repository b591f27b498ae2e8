# The container process: args, env, cwd, user and groups, umask, rlimits,
# no_new_privs, capabilities, oom_score_adj, executable lookup.

test_process_args ()
{
  make_bundle "$T/b" sh -c 'printf "[%s]" "$@"' x 'a b' '' 'c"d'
  assert_eq "$(tong run --bundle "$T/b" c1 </dev/null)" '[a b][][c"d]'
  assert_no_containers
}

test_process_env ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.env += ["FOO=bar baz", "EMPTY=", "WITH_EQ=a=b"]'
  local out
  out=$(in_container "$T/b" 'echo "$FOO|$EMPTY|$WITH_EQ|$PATH"')
  assert_eq "$out" "bar baz||a=b|$(jq -r '.process.env[] | select(startswith("PATH=")) | .[5:]' "$T/b/config.json")"
  # nothing of the caller's environment leaks in
  assert_eq "$(FROM_CALLER=leak in_container "$T/b" 'echo "${FROM_CALLER:-none}"')" none
  assert_no_containers
}

test_process_home_from_passwd ()
{
  # runc sets HOME from the container's /etc/passwd when the spec has none
  make_bundle "$T/b"
  assert_eq "$(in_container "$T/b" 'echo "$HOME"')" /root
  cfg_set "$T/b" '.process.env += ["HOME=/custom"]'
  assert_eq "$(in_container "$T/b" 'echo "$HOME"')" /custom
}

test_process_cwd ()
{
  make_bundle "$T/b"
  mkdir -p "$T/b/rootfs/srv/app"
  cfg_set "$T/b" '.process.cwd = "/srv/app"'
  assert_eq "$(in_container "$T/b" pwd)" /srv/app
  assert_no_containers
}

test_process_user_and_groups ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.user = {uid: 1000, gid: 1001, additionalGids: [10, 20]}'
  local out
  out=$(in_container "$T/b" 'id -u; id -g; grep -E "^(Uid|Gid|Groups):" /proc/self/status')
  assert_eq "$(sed -n 1p <<<"$out")" 1000
  assert_eq "$(sed -n 2p <<<"$out")" 1001
  assert_eq "$(sed -n 3p <<<"$out" | awk '{print $2, $3, $4, $5}')" "1000 1000 1000 1000"
  assert_eq "$(sed -n 4p <<<"$out" | awk '{print $2, $3, $4, $5}')" "1001 1001 1001 1001"
  assert_eq "$(sed -n 5p <<<"$out" | cut -f2 | xargs)" "10 20"
  assert_no_containers
}

test_process_user_root_has_no_supplementary_groups ()
{
  make_bundle "$T/b"
  assert_eq "$(in_container "$T/b" 'grep "^Groups:" /proc/self/status | cut -f2 | xargs')" ""
}

test_process_umask ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.user.umask = 23' # 0027
  assert_eq "$(in_container "$T/b" umask)" 0027
  # the default is 0022
  cfg_set "$T/b" 'del(.process.user.umask)'
  assert_eq "$(in_container "$T/b" umask)" 0022
}

test_process_rlimits ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1234, hard: 2345}, {type: "RLIMIT_NPROC", soft: 777, hard: 888}]'
  assert_eq "$(in_container "$T/b" 'ulimit -n; ulimit -Hn; ulimit -u; ulimit -Hu')" "$(printf '1234\n2345\n777\n888')"
  assert_no_containers
}

test_process_rlimit_invalid_type_fails ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.rlimits = [{type: "RLIMIT_NOSUCH", soft: 1, hard: 1}]'
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" RLIMIT_NOSUCH
  assert_no_containers
}

test_process_no_new_privileges ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.noNewPrivileges = true'
  assert_eq "$(in_container "$T/b" 'grep NoNewPrivs /proc/self/status | cut -f2')" 1
  cfg_set "$T/b" '.process.noNewPrivileges = false'
  assert_eq "$(in_container "$T/b" 'grep NoNewPrivs /proc/self/status | cut -f2')" 0
}

test_process_capabilities ()
{
  make_bundle "$T/b"
  # CAP_KILL (5) and CAP_NET_BIND_SERVICE (10): 0x420
  cfg_set "$T/b" '.process.capabilities = {
      bounding: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      inheritable: ["CAP_KILL"],
      ambient: ["CAP_KILL"] }'
  local out
  out=$(in_container "$T/b" 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status | cut -f2')
  assert_eq "$out" "$(printf '%s\n' 0000000000000020 0000000000000420 0000000000000420 0000000000000420 0000000000000020)"
  assert_no_containers
}

test_process_capabilities_empty ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.capabilities = {bounding: [], effective: [], permitted: [], inheritable: [], ambient: []}'
  local out
  out=$(in_container "$T/b" 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status | cut -f2 | sort -u')
  assert_eq "$out" 0000000000000000
  # without capabilities, root cannot do what needs one (CAP_CHOWN)
  assert_eq "$(in_container "$T/b" 'chown 1 /tmp 2>/dev/null && echo chowned || echo denied')" denied
}

test_process_capabilities_of_non_root_user ()
{
  # A non-root process keeps capabilities across execve only through the
  # ambient set.
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.user = {uid: 1000, gid: 1000}
    | .process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"],
                               inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"]}'
  assert_eq "$(in_container "$T/b" 'grep -E "^Cap(Eff|Amb):" /proc/self/status | cut -f2')" \
    "$(printf '%s\n' 0000000000000020 0000000000000020)"
  cfg_set "$T/b" 'del(.process.capabilities.ambient)'
  assert_eq "$(in_container "$T/b" 'grep -E "^CapEff:" /proc/self/status | cut -f2')" 0000000000000000
}

test_process_unknown_capability_fails ()
{
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.capabilities.bounding += ["CAP_NO_SUCH_THING"]'
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" CAP_NO_SUCH_THING
  assert_no_containers
}

test_process_oom_score_adj ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.oomScoreAdj = 123'
  assert_eq "$(in_container "$T/b" 'cat /proc/self/oom_score_adj')" 123
  assert_no_containers
}

test_process_executable_not_found ()
{
  make_bundle "$T/b" no-such-command arg
  run_cmd tong create --bundle "$T/b" c1
  if [ "$RC" -eq 0 ]; then
    assert_fail tong start c1
    tong delete --force c1
  fi
  assert_contains "$ERR" "not found"
  assert_contains "$ERR" "no-such-command"
  assert_no_containers
}

test_process_executable_not_found_run ()
{
  make_bundle "$T/b" /bin/no-such-command
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "/bin/no-such-command"
  assert_no_containers
}

test_process_executable_not_executable ()
{
  make_bundle "$T/b" /notexec
  echo 'just text' >"$T/b/rootfs/notexec"
  chmod 644 "$T/b/rootfs/notexec"
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" /notexec
  assert_no_containers
}

test_process_path_lookup_uses_container_path ()
{
  make_bundle "$T/b" only-in-container
  mkdir -p "$T/b/rootfs/opt/tools"
  printf '#!/bin/sh\necho found-in-opt\n' >"$T/b/rootfs/opt/tools/only-in-container"
  chmod 755 "$T/b/rootfs/opt/tools/only-in-container"
  cfg_set "$T/b" '.process.env = [.process.env[] | select(startswith("PATH=") | not)] + ["PATH=/opt/tools:/bin"]'
  assert_eq "$(tong run --bundle "$T/b" c1 </dev/null)" found-in-opt
  assert_no_containers
}
