# Namespaces: new ones when the spec asks, the host's when it does not, joined
# ones by path; hostname, domainname, pid 1, time offsets, user mappings.

# The /proc/self/ns name of a spec namespace type.
_ns_file ()
{
  case $1 in
  network) echo net ;;
  mount) echo mnt ;;
  *) echo "$1" ;;
  esac
}

# _ns_new TYPE: with TYPE in the spec, the container's namespace differs.
_ns_new ()
{
  make_bundle "$T/b"
  cfg_ns "$T/b" "$1"
  local f inside
  f=$(_ns_file "$1")
  inside=$(in_container "$T/b" "readlink /proc/self/ns/$f")
  assert_match "$inside" "^$f:\[[0-9]+\]$"
  assert_ne "$inside" "$(host_ns "$f")" "a new $1 namespace"
  assert_no_containers
}

# _ns_absent TYPE: without TYPE in the spec, the container shares the host's.
_ns_absent ()
{
  make_bundle "$T/b"
  cfg_no_ns "$T/b" "$1"
  # a hostname needs a uts namespace of the container's own
  [ "$1" != uts ] || cfg_set "$T/b" 'del(.hostname)'
  local f inside
  f=$(_ns_file "$1")
  inside=$(in_container "$T/b" "readlink /proc/self/ns/$f")
  assert_eq "$inside" "$(host_ns "$f")" "the host's $1 namespace"
  assert_no_containers
}

test_namespaces_new_pid () { _ns_new pid; }
test_namespaces_new_network () { _ns_new network; }
test_namespaces_new_ipc () { _ns_new ipc; }
test_namespaces_new_uts () { _ns_new uts; }
test_namespaces_new_mount () { _ns_new mount; }
test_namespaces_new_cgroup () { _ns_new cgroup; }
test_namespaces_new_time () { _ns_new time; }

test_namespaces_absent_pid () { _ns_absent pid; }
test_namespaces_absent_network () { _ns_absent network; }
test_namespaces_absent_ipc () { _ns_absent ipc; }
test_namespaces_absent_uts () { _ns_absent uts; }
test_namespaces_absent_cgroup () { _ns_absent cgroup; }
test_namespaces_absent_user () { _ns_absent user; }
test_namespaces_absent_time () { _ns_absent time; }

test_namespaces_new_user_with_mappings ()
{
  make_bundle "$T/b"
  cfg_ns "$T/b" user
  cfg_set "$T/b" '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
  local out
  out=$(in_container "$T/b" 'readlink /proc/self/ns/user; cat /proc/self/uid_map /proc/self/gid_map; id -u')
  local ns uidmap gidmap uid
  ns=$(sed -n 1p <<<"$out")
  uidmap=$(sed -n 2p <<<"$out" | awk '{print $1, $2, $3}')
  gidmap=$(sed -n 3p <<<"$out" | awk '{print $1, $2, $3}')
  uid=$(sed -n 4p <<<"$out")
  assert_ne "$ns" "$(host_ns user)" "a new user namespace"
  assert_eq "$uidmap" "0 100000 65536" "uid_map"
  assert_eq "$gidmap" "0 100000 65536" "gid_map"
  assert_eq "$uid" 0 "uid inside"
  assert_no_containers
}

test_namespaces_user_process_runs_as_mapped_host_uid ()
{
  make_bundle "$T/b" sleep 30
  cfg_ns "$T/b" user
  cfg_set "$T/b" '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
  tong run -d --bundle "$T/b" c1 >/dev/null 2>&1
  local pid
  pid=$(tong state c1 | jq -r .pid)
  assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" 100000 "host uid of the container process"
  tong delete --force c1
  assert_no_containers
}

test_namespaces_join_by_path_of_process ()
{
  local pid
  bg_start pid unshare --ipc --uts --net sleep 30
  wait_for 10 eval "[ \"\$(readlink /proc/$pid/ns/ipc)\" != \"\$(readlink /proc/self/ns/ipc)\" ]"
  make_bundle "$T/b"
  cfg_ns "$T/b" ipc "/proc/$pid/ns/ipc"
  cfg_ns "$T/b" uts "/proc/$pid/ns/uts"
  cfg_ns "$T/b" network "/proc/$pid/ns/net"
  # joining a uts namespace: the spec must not set a hostname
  cfg_set "$T/b" 'del(.hostname)'
  local out
  out=$(in_container "$T/b" 'for n in ipc uts net; do readlink /proc/self/ns/$n; done')
  assert_eq "$out" "$(for n in ipc uts net; do readlink /proc/"$pid"/ns/$n; done)"
  assert_ne "$(sed -n 1p <<<"$out")" "$(host_ns ipc)"
  assert_no_containers
}

test_namespaces_join_running_container ()
{
  make_bundle "$T/a" sleep 30
  tong run -d --bundle "$T/a" a >/dev/null 2>&1
  local pid
  pid=$(tong state a | jq -r .pid)
  make_bundle "$T/b"
  cfg_ns "$T/b" ipc "/proc/$pid/ns/ipc"
  cfg_ns "$T/b" network "/proc/$pid/ns/net"
  cfg_ns "$T/b" pid "/proc/$pid/ns/pid"
  local out
  out=$(in_container "$T/b" 'for n in ipc net pid; do readlink /proc/self/ns/$n; done')
  assert_eq "$out" "$(for n in ipc net pid; do readlink /proc/"$pid"/ns/$n; done)"
  tong delete --force a
  assert_no_containers
}

test_namespaces_join_bad_path_fails ()
{
  make_bundle "$T/b" true
  cfg_ns "$T/b" ipc "$T/no-such-ns"
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "$T/no-such-ns"
  assert_no_containers
}

test_namespaces_hostname ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.hostname = "tong-test-host"'
  local host_before
  host_before=$(hostname)
  assert_eq "$(in_container "$T/b" hostname)" tong-test-host
  assert_eq "$(hostname)" "$host_before" "the host's hostname is unchanged"
  assert_no_containers
}

test_namespaces_domainname ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.hostname = "h" | .domainname = "tong.example"'
  local before
  before=$(cat /proc/sys/kernel/domainname)
  assert_eq "$(in_container "$T/b" 'cat /proc/sys/kernel/domainname')" tong.example
  assert_eq "$(cat /proc/sys/kernel/domainname)" "$before" "the host's domainname is unchanged"
  assert_no_containers
}

test_namespaces_hostname_without_uts_fails ()
{
  make_bundle "$T/b" true
  cfg_no_ns "$T/b" uts
  cfg_set "$T/b" '.hostname = "should-not-be-set"'
  local before
  before=$(hostname)
  assert_fail tong run --bundle "$T/b" c1
  assert_eq "$(hostname)" "$before"
  assert_no_containers
}

test_namespaces_pid_one ()
{
  make_bundle "$T/b"
  assert_eq "$(in_container "$T/b" 'echo $$')" 1
  # the container sees only its own processes
  assert_eq "$(in_container "$T/b" 'echo /proc/[0-9]*')" /proc/1
}

test_namespaces_time_offsets ()
{
  make_bundle "$T/b"
  cfg_ns "$T/b" time
  cfg_set "$T/b" '.linux.timeOffsets = {monotonic: {secs: 86400, nanosecs: 0}, boottime: {secs: 86400, nanosecs: 0}}'
  local host inside
  host=$(cut -d. -f1 /proc/uptime)
  inside=$(in_container "$T/b" 'cut -d. -f1 /proc/uptime')
  [ $((inside - host)) -ge 86000 ] && [ $((inside - host)) -le 86500 ] ||
    fail "uptime inside $inside, on the host $host: expected a day more"
  assert_no_containers
}

# A new network namespace gets its loopback device up (as runc and crun do);
# the host's network namespace is not touched.
test_namespaces_new_netns_loopback_up ()
{
  make_bundle "$T/b"
  cfg_ns "$T/b" network
  local flags
  flags=$(in_container "$T/b" 'cat /sys/class/net/lo/flags')
  assert_eq "$(( flags & 1 ))" 1 "lo is up"
  assert_eq "$(in_container "$T/b" 'ls /sys/class/net')" lo "only lo in a new network namespace"
  assert_no_containers
}
