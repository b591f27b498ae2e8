# veth/bridge networking (org.tong.net.* annotations, docs/networking.md).
#
# Every test runs its body in a network namespace of its own that plays the
# host (as_host): tong, its bridge, veths and nftables rules live there, so no
# interface, route or rule of the machine is touched and no packet leaves it.
# The "internet" is a third namespace, joined to the test's host by a veth.

# as_host FN: run FN in a new network namespace, with lib.sh and this file.
as_host ()
{
  local tool
  for tool in nft ip unshare nsenter; do
    command -v "$tool" >/dev/null ||
      skip "$tool is not installed (Debian packages nftables, iproute2, util-linux)"
  done
  unshare --net -- bash -c '
    source "$TESTS_DIR/lib.sh" || exit 1
    source "$TESTS_DIR/integration/network.sh" || exit 1
    trap _run_on_exit EXIT
    set -eE -o pipefail
    P=n$$ # container ids unique on this machine (cgroup paths are per id)
    ip link set lo up
    "$1"' as-host "$1"
}

# net_bundle DIR ANNOTATIONS-JSON [ARGS...]: a bundle with a new network
# namespace, the given annotations and CAP_NET_RAW (for busybox ping).
net_bundle ()
{
  local b=$1 ann=$2
  shift 2
  if [ -f "$b/config.json" ]; then
    [ $# -eq 0 ] || cfg_args "$b" "$@"
  else
    make_bundle "$b" "$@"
  fi
  cfg_ns "$b" network
  cfg_set "$b" '.annotations = $a
    | .process.capabilities |= with_entries(.value = (.value - ["CAP_NET_RAW"]) + ["CAP_NET_RAW"])' --argjson a "$ann"
}

# Container ids are $P-NAME (set by as_host).

# ctr_up ID BUNDLE: create and start a container, force-deleted when the test ends.
ctr_up ()
{
  on_exit "tong delete --force $1"
  tong create --bundle "$2" "$1"
  tong start "$1"
}

# ctr_ip ID: the address `tong state` reports.
ctr_ip ()
{
  tong state "$1" | jq -r '.annotations["org.tong.net.ip"] // empty'
}

# ctr_sh ID CMD: run CMD in the container, print its output.
ctr_sh ()
{
  tong exec "$1" sh -c "$2"
}

# assert_net_clean: no veth, no bridge tong made, no nftables table, no lease.
assert_net_clean ()
{
  local veths
  veths=$(ip -o link show type veth | grep -o 'vtong[0-9a-f]*' || true)
  [ -z "$veths" ] || fail "veths left: $veths"
  if ip link show tong0 >/dev/null 2>&1; then fail "bridge tong0 left"; fi
  if nft list table ip tong >/dev/null 2>&1; then
    fail "nftables table ip tong left: $(nft list table ip tong)"
  fi
  assert_no_file "$ROOT/net:leases"
  assert_no_containers
}

# assert_create_fails BUNDLE ID TEXT: create fails naming TEXT and leaves nothing.
assert_create_fails ()
{
  assert_fail tong create --bundle "$1" "$2"
  assert_contains "$ERR" "$3"
  assert_net_clean
}

# netns_differs PID: PID is in another network namespace than ours.
netns_differs ()
{
  [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

# A web root for busybox httpd.
www ()
{
  mkdir -p "$1"
  echo "$2" >"$1/index.html"
}

# ---------------------------------------------------------------- tests

_two_containers ()
{
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge"}' sleep 1000
  ctr_up $P-c1 "$T/b"
  ctr_up $P-c2 "$T/b"
  local ip1 ip2 out
  ip1=$(ctr_ip $P-c1)
  ip2=$(ctr_ip $P-c2)
  assert_match "$ip1" '^10\.89\.0\.[0-9]+$'
  assert_match "$ip2" '^10\.89\.0\.[0-9]+$'
  assert_ne "$ip1" "$ip2"
  # eth0 in the container has the address `tong state` reports, lo is up
  out=$(ctr_sh $P-c1 'ip -o addr show dev eth0; ip -o link show lo; ip route')
  assert_contains "$out" "inet $ip1/24"
  assert_contains "$out" "default via 10.89.0.1 dev eth0"
  assert_match "$out" 'lo: <LOOPBACK,UP'
  ctr_sh $P-c2 "ping -c 1 -W 2 $ip1"
  ctr_sh $P-c1 "ping -c 1 -W 2 $ip2"
  # TCP echo with busybox nc: a server in c1, a client in c2
  tong exec -d $P-c1 nc -ll -p 7000 -e cat
  wait_for 5 ctr_sh $P-c1 'netstat -ltn | grep -q ":7000 "'
  out=$(ctr_sh $P-c2 "(echo hello-from-c2; sleep 1) | nc -w 3 $ip1 7000")
  assert_eq "$out" hello-from-c2
  tong delete --force $P-c1
  # c2 keeps its network while c1's goes
  assert_contains "$(ip -o link show master tong0)" vtong
  ctr_sh $P-c2 'ping -c 1 -W 2 10.89.0.1'
  tong delete --force $P-c2
  assert_net_clean
}
test_network_two_containers_on_a_bridge () { as_host _two_containers; }

_published_port ()
{
  # an address of the host's own, on a veth pair
  ip link add h0 type veth peer name h1
  ip addr add 192.0.2.10/24 dev h0
  ip link set h0 up
  ip link set h1 up
  www "$T/b/rootfs/www" published-hello
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.publish": "8080:80,127.0.0.1:8081:80"}' \
    httpd -f -p 80 -h /www
  ctr_up $P-web "$T/b"
  wait_for 5 ctr_sh $P-web 'netstat -ltn | grep -q ":80 "'
  local out
  out=$(timeout 3 "$BUSYBOX" wget -q -O - http://127.0.0.1:8080/)
  assert_eq "$out" published-hello
  out=$(timeout 3 "$BUSYBOX" wget -q -O - http://192.0.2.10:8080/)
  assert_eq "$out" published-hello
  out=$(timeout 3 "$BUSYBOX" wget -q -O - http://127.0.0.1:8081/)
  assert_eq "$out" published-hello
  # 8081 is published at 127.0.0.1 only
  assert_fail timeout 2 "$BUSYBOX" wget -q -O - http://192.0.2.10:8081/
  assert_contains "$(nft list table ip tong)" "dnat to $(ctr_ip $P-web):80"
  # another container reaches the port at the host's address (hairpin NAT)
  net_bundle "$T/c" '{"org.tong.net.mode": "bridge"}' sleep 1000
  ctr_up $P-client "$T/c"
  out=$(ctr_sh $P-client 'timeout 5 wget -q -O - http://192.0.2.10:8080/')
  assert_eq "$out" published-hello
  tong delete --force $P-client
  tong delete --force $P-web
  assert_fail timeout 2 "$BUSYBOX" wget -q -O - http://127.0.0.1:8080/
  assert_net_clean
}
test_network_published_port_from_host () { as_host _published_port; }

_outbound_nat ()
{
  local inet
  # the "internet": a namespace of its own, 198.51.100.2, with no route back
  # to the containers' subnet: only masquerade lets its answers come back
  bg_start inet unshare --net sleep 1000
  wait_for 5 netns_differs "$inet"
  ip link add wan0 type veth peer name inet0 netns "$inet"
  ip addr add 198.51.100.1/24 dev wan0
  ip link set wan0 up
  nsenter --net="/proc/$inet/ns/net" sh -c 'ip link set lo up && ip addr add 198.51.100.2/24 dev inet0 && ip link set inet0 up'
  www "$T/inet-www" hello-from-the-internet
  nsenter --net="/proc/$inet/ns/net" "$BUSYBOX" httpd -f -vv -p 80 -h "$T/inet-www" 2>"$T/httpd.log" &
  local httpd=$!
  on_exit "kill $httpd; wait $httpd"
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge"}' sleep 1000
  ctr_up $P-c1 "$T/b"
  ctr_sh $P-c1 'ping -c 1 -W 2 198.51.100.2'
  local out
  out=$(ctr_sh $P-c1 'timeout 5 wget -q -O - http://198.51.100.2/')
  assert_eq "$out" hello-from-the-internet
  # the server saw the host's address, not the container's
  wait_for 5 grep -q 198.51.100.1 "$T/httpd.log"
  assert_not_contains "$(cat "$T/httpd.log")" "$(ctr_ip $P-c1)"
  assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1
  tong delete --force $P-c1
  assert_net_clean
}
test_network_outbound_nat () { as_host _outbound_nat; }

_parallel_50 ()
{
  local i ids=() start=$SECONDS
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge"}' sleep 1000
  for i in $(seq 1 50); do
    ids+=("$P-p$i")
    on_exit "tong delete --force $P-p$i"
  done
  local pids=() p failed=0
  for i in "${ids[@]}"; do
    tong create --bundle "$T/b" "$i" >"$T/create-$i.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || failed=$((failed + 1))
  done
  [ $failed -eq 0 ] || fail "$failed creates failed: $(cat "$T"/create-*.log)"
  echo "50 parallel creates: $((SECONDS - start))s" >&2
  local addrs
  # what `tong state` reports, read from the state files in one go
  addrs=$(jq -r '.annotations["org.tong.net.ip"]' "$ROOT"/*/state.json | sort)
  assert_eq "$(ctr_ip $P-p1)" "$(jq -r '.annotations["org.tong.net.ip"]' "$ROOT/$P-p1/state.json")"
  assert_eq "$(wc -l <<<"$addrs")" 50
  assert_eq "$(sort -u <<<"$addrs" | grep -c '^10\.89\.0\.')" 50 "distinct addresses"
  assert_eq "$(ip -o link show master tong0 | wc -l)" 50 "veths on the bridge"
  assert_eq "$(grep -c '^lease ' "$ROOT/net:leases")" 50 "leases"
  pids=()
  for i in "${ids[@]}"; do
    tong delete --force "$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || failed=$((failed + 1))
  done
  [ $failed -eq 0 ] || fail "$failed deletes failed"
  echo "50 parallel creates and deletes: $((SECONDS - start))s" >&2
  assert_net_clean
}
test_network_parallel_creates_get_distinct_addresses () { as_host _parallel_50; }

_static_ip_and_mtu ()
{
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.subnet": "172.30.5.0/24",
    "org.tong.net.ip": "172.30.5.77", "org.tong.net.mtu": "1400", "org.tong.net.bridge": "tongtest1"}' sleep 1000
  ctr_up $P-c1 "$T/b"
  assert_eq "$(ctr_ip $P-c1)" 172.30.5.77
  local out
  out=$(ctr_sh $P-c1 'ip -o addr show dev eth0; ip -o link show dev eth0')
  assert_contains "$out" "inet 172.30.5.77/24"
  assert_contains "$out" "mtu 1400"
  assert_contains "$(ip -o addr show dev tongtest1)" "inet 172.30.5.1/24"
  # the same address twice: refused, naming the holder
  assert_fail tong create --bundle "$T/b" $P-c2
  assert_contains "$ERR" "172.30.5.77 is taken by container $P-c1"
  tong delete --force $P-c1
  if ip link show tongtest1 >/dev/null 2>&1; then fail "bridge tongtest1 left"; fi
  assert_net_clean
  # a static address without a subnet: the default /24 that holds it
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.ip": "10.89.7.9"}' sleep 1000
  ctr_up $P-c3 "$T/b"
  assert_eq "$(ctr_ip $P-c3)" 10.89.7.9
  assert_contains "$(ip -o addr show dev tong0)" "inet 10.89.7.1/24"
  tong delete --force $P-c3
  assert_net_clean
}
test_network_static_address_mtu_and_bridge_name () { as_host _static_ip_and_mtu; }

_existing_bridge ()
{
  ip link add br-pre type bridge
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.bridge": "br-pre"}' sleep 1000
  ctr_up $P-c1 "$T/b"
  ctr_sh $P-c1 'ping -c 1 -W 2 10.89.0.1'
  tong delete --force $P-c1
  ip link show br-pre >/dev/null || fail "the bridge that existed before was removed"
  assert_net_clean
}
test_network_existing_bridge_is_kept () { as_host _existing_bridge; }

_user_namespace ()
{
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge"}' sleep 1000
  cfg_ns "$T/b" user
  cfg_set "$T/b" '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
  chown -R 100000:100000 "$T/b/rootfs"
  ctr_up $P-c1 "$T/b"
  assert_contains "$(ctr_sh $P-c1 'ip -o addr show dev eth0')" "inet $(ctr_ip $P-c1)/24"
  ctr_sh $P-c1 'ping -c 1 -W 2 10.89.0.1'
  tong delete --force $P-c1
  assert_net_clean
}
test_network_container_with_user_namespace () { as_host _user_namespace; }

_stale_lease ()
{
  # a /30 holds one container: its address comes back once its init is dead
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.subnet": "10.99.0.0/30"}' sleep 1000
  ctr_up $P-c1 "$T/b"
  assert_eq "$(ctr_ip $P-c1)" 10.99.0.2
  local pid
  pid=$(tong state $P-c1 | jq -r .pid)
  kill -9 "$pid"
  wait_status $P-c1 stopped
  ctr_up $P-c2 "$T/b"
  assert_eq "$(ctr_ip $P-c2)" 10.99.0.2
  assert_eq "$(grep -c '^lease ' "$ROOT/net:leases")" 1
  # deleting the dead container leaves c2's network alone
  tong delete $P-c1
  ctr_sh $P-c2 'ping -c 1 -W 2 10.99.0.1'
  assert_contains "$(nft list table ip tong)" "post-$P-c2"
  # a container whose state is lost (dead, its directory gone): the next
  # create takes its lease back and removes its chains
  local cg
  cg=$(jq -r '.cgroup // empty' "$ROOT/$P-c2/state.json")
  pid=$(tong state $P-c2 | jq -r .pid)
  kill -9 "$pid"
  wait_status $P-c2 stopped
  rm -rf "${ROOT:?}/$P-c2"
  [ -z "$cg" ] || rmdir "$cg"
  ctr_up $P-c3 "$T/b"
  assert_eq "$(ctr_ip $P-c3)" 10.99.0.2
  assert_not_contains "$(nft list table ip tong)" "post-$P-c2"
  assert_eq "$(grep -c '^lease ' "$ROOT/net:leases")" 1
  tong delete --force $P-c3
  assert_net_clean
}
test_network_stale_lease_reclaimed () { as_host _stale_lease; }

# ---------------------------------------------------------------- bad input

_bad_subnet ()
{
  local s
  for s in 10.89.0.0/33 10.89.0/24 banana 10.89.0.5/24 10.89.0.0/31; do
    net_bundle "$T/b" "{\"org.tong.net.mode\": \"bridge\", \"org.tong.net.subnet\": \"$s\"}"
    assert_create_fails "$T/b" $P-c1 "org.tong.net.subnet \"$s\""
  done
  assert_contains "$ERR" "use /1 to /30"
}
test_network_malformed_subnet_fails () { as_host _bad_subnet; }

_subnet_collision ()
{
  ip link add h0 type veth peer name h1
  ip addr add 192.0.2.10/24 dev h0
  ip link set h0 up
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.subnet": "192.0.2.128/25"}'
  assert_create_fails "$T/b" $P-c1 "org.tong.net.subnet 192.0.2.128/25 collides with 192.0.2.0/24 (routed on h0)"
  # the default subnet steps around routed ones
  ip addr add 10.89.0.1/24 dev h0
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge"}' sleep 1000
  ctr_up $P-c1 "$T/b"
  assert_eq "$(ctr_ip $P-c1)" 10.89.1.2
  assert_contains "$(ip -o addr show dev tong0)" "inet 10.89.1.1/24"
  tong delete --force $P-c1
  ip addr del 10.89.0.1/24 dev h0
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.subnet": "10.88.0.0/16"}' sleep 1000
  ctr_up $P-c2 "$T/b"
  tong delete --force $P-c2
  assert_net_clean
}
test_network_colliding_subnet_fails () { as_host _subnet_collision; }

_pool_exhausted ()
{
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.subnet": "10.99.0.0/29"}' sleep 1000
  local i
  for i in 1 2 3 4 5; do
    ctr_up "$P-c$i" "$T/b"
  done
  assert_fail tong create --bundle "$T/b" $P-c6
  assert_contains "$ERR" "no free address in 10.99.0.0/29 on bridge tong0"
  assert_no_file "$ROOT/$P-c6"
  assert_eq "$(grep -c '^lease ' "$ROOT/net:leases")" 5
  assert_eq "$(ip -o link show master tong0 | wc -l)" 5
  for i in 1 2 3 4 5; do
    tong delete --force "$P-c$i"
  done
  assert_net_clean
}
test_network_exhausted_pool_fails () { as_host _pool_exhausted; }

_duplicate_port ()
{
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.publish": "8080:80,8080:81"}'
  assert_create_fails "$T/b" $P-c1 "host port 8080/tcp is published twice"
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.publish": "8080:80"}' sleep 1000
  ctr_up $P-c1 "$T/b"
  net_bundle "$T/b2" '{"org.tong.net.mode": "bridge", "org.tong.net.publish": "127.0.0.1:8080:90"}' sleep 1000
  assert_fail tong create --bundle "$T/b2" $P-c2
  assert_contains "$ERR" "host port 8080/tcp is already published by container $P-c1"
  assert_no_file "$ROOT/$P-c2"
  # the same number over udp is another port
  net_bundle "$T/b2" '{"org.tong.net.mode": "bridge", "org.tong.net.publish": "8080:90/udp"}' sleep 1000
  ctr_up $P-c2 "$T/b2"
  tong delete --force $P-c2
  tong delete --force $P-c1
  # a port a program of the host listens on
  local l
  bg_start l "$BUSYBOX" nc -l -p 9090
  wait_for 5 sh -c 'netstat -ltn | grep -q ":9090 "'
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.publish": "9090:80"}'
  assert_create_fails "$T/b" $P-c3 "host port 0.0.0.0:9090/tcp is in use on the host"
  # an address the host does not have
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.publish": "203.0.113.9:8080:80"}'
  assert_create_fails "$T/b" $P-c3 "203.0.113.9 is not an address of this host"
}
test_network_duplicate_port_fails () { as_host _duplicate_port; }

_port_range ()
{
  local p
  for p in 8080:70000 8080:0 0:80 8080:abc 1:2:3:4 8080:80/sctp; do
    net_bundle "$T/b" "{\"org.tong.net.mode\": \"bridge\", \"org.tong.net.publish\": \"$p\"}"
    assert_create_fails "$T/b" $P-c1 "published port \"$p\""
  done
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.publish": "8080:70000"}'
  assert_create_fails "$T/b" $P-c1 "container port \"70000\" is not in 1..65535"
}
test_network_container_port_out_of_range_fails () { as_host _port_range; }

_bad_annotations ()
{
  net_bundle "$T/b" '{"org.tong.net.mode": "nat"}'
  assert_create_fails "$T/b" $P-c1 'org.tong.net.mode "nat": use "none", "bridge" or "pasta"'
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.colour": "blue"}'
  assert_create_fails "$T/b" $P-c1 "unknown annotation org.tong.net.colour"
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.mtu": "9"}'
  assert_create_fails "$T/b" $P-c1 'org.tong.net.mtu "9" is not a number in 68..65535'
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.subnet": "10.99.0.0/24", "org.tong.net.ip": "10.98.0.2"}'
  assert_create_fails "$T/b" $P-c1 "org.tong.net.ip 10.98.0.2 is not in org.tong.net.subnet 10.99.0.0/24"
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.ip": "10.89.0.1"}'
  assert_create_fails "$T/b" $P-c1 "org.tong.net.ip 10.89.0.1 is the gateway"
  net_bundle "$T/b" '{"org.tong.net.publish": "8080:80"}'
  assert_create_fails "$T/b" $P-c1 "annotation org.tong.net.publish needs org.tong.net.mode=bridge"
  # a network namespace given by path (containerd, Kubernetes) is left alone
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge"}'
  cfg_no_ns "$T/b" network
  assert_create_fails "$T/b" $P-c1 "org.tong.net.mode=bridge needs a network namespace that tong creates"
}
test_network_bad_annotations_fail () { as_host _bad_annotations; }

_mode_none ()
{
  # no annotation: a new network namespace with lo only, nothing on the host
  net_bundle "$T/b" '{}' sleep 1000
  ctr_up $P-c1 "$T/b"
  assert_eq "$(ctr_sh $P-c1 'ip -o link | cut -d: -f2' | tr -d ' ')" lo
  assert_eq "$(ctr_ip $P-c1)" ""
  assert_no_file "$ROOT/$P-c1/net.json"
  tong delete --force $P-c1
  assert_net_clean
}
test_network_mode_none_leaves_host_alone () { as_host _mode_none; }

_run_and_failed_hook ()
{
  # `tong run`: connected while it runs, nothing left when it returns
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge"}' sh -c 'ip -o addr show dev eth0 && ping -c 1 -W 2 10.89.0.1'
  local out
  out=$(tong run --bundle "$T/b" $P-r1 </dev/null)
  assert_contains "$out" "inet 10.89.0.2/24"
  assert_net_clean
  # a create that fails after the network was set up (a prestart hook) undoes it
  cfg_set "$T/b" '.hooks.prestart = [{path: "/bin/false"}]'
  assert_create_fails "$T/b" $P-r2 "prestart"
}
test_network_run_and_failed_create_leave_nothing () { as_host _run_and_failed_hook; }

_two_state_roots ()
{
  # two state roots in one network namespace share bridge tong0 and table
  # ip tong: one root's delete must not take away what the other uses
  local root2=$T/state2
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.subnet": "10.77.0.0/24"}' sleep 1000
  ctr_up $P-a "$T/b"
  on_exit "$TONG --root $root2 delete --force $P-b"
  # each root has its own pool (docs/networking.md): a static address here
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.subnet": "10.77.0.0/24", "org.tong.net.ip": "10.77.0.200"}' sleep 1000
  "$TONG" --root "$root2" create --bundle "$T/b" $P-b
  "$TONG" --root "$root2" start $P-b
  tong delete --force $P-a
  ip link show tong0 >/dev/null || fail "bridge tong0 removed while a container of another root uses it"
  assert_contains "$(nft list table ip tong)" "post-$P-b"
  "$TONG" --root "$root2" exec $P-b ping -c 1 -W 2 10.77.0.1
  "$TONG" --root "$root2" delete --force $P-b
  assert_no_file "$root2/net:leases"
  # the second root found tong0 made: it leaves it (docs/networking.md)
  ip link del tong0
  assert_net_clean
}
test_network_two_state_roots_share_a_bridge () { as_host _two_state_roots; }

_delete_from_another_netns ()
{
  # delete run in another network namespace than create's touches no link
  # or rule there or here: it only releases the lease, and says so
  net_bundle "$T/b" '{"org.tong.net.mode": "bridge", "org.tong.net.publish": "8080:80"}' sleep 1000
  ctr_up $P-c1 "$T/b"
  unshare --net -- "$TONG" --root "$ROOT" delete --force $P-c1 2>"$T/err"
  assert_contains "$(cat "$T/err")" "connected from another network namespace"
  assert_no_file "$ROOT/net:leases"
  assert_no_containers
  # its chains stay where they were made, for whoever runs there to remove
  assert_contains "$(nft list table ip tong)" "post-$P-c1"
  nft delete table ip tong
  ip link del tong0
  assert_net_clean
}
test_network_delete_from_another_namespace_touches_nothing () { as_host _delete_from_another_netns; }
