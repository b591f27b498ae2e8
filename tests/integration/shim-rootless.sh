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
  # A detached container's monitor may still be on its way out.
  local i
  for i in $(seq 20); do
    left=$(ps -u "$RL_UID" -o pid=,stat=,args= | awk '$2 !~ /^Z/' || true)
    [ -n "$left" ] || break
    sleep 0.1
  done
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

# _srl_workspace DIR NAME: a workspace in the user's home with sources and
# a build script (busybox sh) that reads them and writes artifacts to out/.
_srl_workspace ()
{
  local ws=$RL_HOME/$1
  mkdir -p "$ws/src"
  printf 'banana\napple\n' >"$ws/src/a.txt"
  printf 'cherry\n' >"$ws/src/b.txt"
  cat >"$ws/build.sh" <<SH
set -e
mkdir -p out
cat src/*.txt | sort >out/sorted.txt
wc -l <out/sorted.txt >out/count
echo "$2 \$(id -u)" >out/who
sleep \${BUILD_SLEEP:-0}
SH
  chown -R "$RL_UID:$RL_GID" "$ws"
}

test_shim_rootless_build_in_a_workspace ()
{
  _srl_setup
  _srl_workspace ws job
  assert_ok as_user 'cd ws && tong-shim run --rm -v "$PWD:/src" -w /src localhost/busybox sh build.sh'
  assert_eq "$(cat "$RL_HOME/ws/out/sorted.txt" | tr '\n' ' ')" "apple banana cherry " "artifact"
  assert_eq "$(tr -d ' ' <"$RL_HOME/ws/out/count")" 3 "count"
  assert_eq "$(cat "$RL_HOME/ws/out/who")" "job 0" "the build ran as the container's root"
  local f
  for f in out out/sorted.txt out/count out/who; do
    assert_eq "$(stat -c %u:%g "$RL_HOME/ws/$f")" "$RL_UID:$RL_GID" "$f belongs to the user"
  done
  _srl_clean
}

test_shim_rootless_parallel_builds_do_not_interfere ()
{
  _srl_setup
  _srl_workspace ws1 one
  _srl_workspace ws2 two
  as_user 'cd ws1 && tong-shim run --rm -e BUILD_SLEEP=1 -v "$PWD:/src" -w /src localhost/busybox sh build.sh' >"$T/b1" 2>&1 &
  local p1=$!
  as_user 'cd ws2 && tong-shim run --rm -e BUILD_SLEEP=1 -v "$PWD:/src" -w /src localhost/busybox sh build.sh' >"$T/b2" 2>&1 &
  local p2=$!
  wait "$p1" || fail "build one failed: $(cat "$T/b1")"
  wait "$p2" || fail "build two failed: $(cat "$T/b2")"
  assert_eq "$(cat "$RL_HOME/ws1/out/who")" "one 0" "workspace one"
  assert_eq "$(cat "$RL_HOME/ws2/out/who")" "two 0" "workspace two"
  assert_eq "$(stat -c %u "$RL_HOME/ws2/out/sorted.txt")" "$RL_UID" "owner"
  _srl_clean
}

test_shim_rootless_detached_exec_stop_rm ()
{
  _srl_setup
  local id
  id=$(as_user "tong-shim run -d --name web localhost/busybox sleep 300") || fail "run -d: $id"
  assert_eq "$(as_user "tong-shim ps -q" | wc -l)" 1 "one running"
  assert_eq "$(as_user "tong-shim exec web id -u")" 0 "exec as root"
  assert_eq "$(as_user "tong-shim exec -u app web id -u")" 1000 "exec -u app, resolved in the image"
  assert_ok as_user "tong-shim stop --time 1 web"
  assert_ok as_user "tong-shim rm web"
  _srl_clean
}

test_shim_rootless_pull_with_whiteouts ()
{
  _need_shim
  command -v skopeo >/dev/null || skip "skopeo is not installed (apt-get install skopeo)"
  source "$TESTS_DIR/registry.sh"
  source "$TESTS_DIR/images.sh"
  registry_start
  image_build_busybox "$T/pimg" --layers 3 --whiteouts
  image_push "$T/pimg" "$REGISTRY/test/busybox:v1"
  _srl_setup
  assert_ok as_user "tong-shim pull --insecure $REGISTRY/test/busybox:v1"
  assert_ok as_user "tong-shim check"
  # Whiteouts and opaque dirs (user.overlay.* in a rootless store) hold.
  assert_ok as_user "tong-shim run --rm $REGISTRY/test/busybox:v1 sh -c 'ls /data /data/dir; cat /etc/tong-layer-3'"
  assert_contains "$OUT" keep
  assert_not_contains "$OUT" gone
  assert_contains "$OUT" new
  assert_not_contains "$OUT" old
  assert_contains "$OUT" "layer 3"
  assert_ok as_user "tong-shim rmi $REGISTRY/test/busybox:v1"
  assert_ok as_user "tong-shim prune"
  _srl_clean
}

test_shim_rootless_command_lookup_and_read_only ()
{
  _srl_setup
  # The lookup runs in tong-shim's user namespace: its message comes back.
  assert_fail as_user "tong-shim run --rm localhost/busybox no-such-command"
  assert_eq "$RC" 127 "exit status of a missing command"
  assert_contains "$ERR" "no-such-command"
  assert_ok as_user "tong-shim run --rm --read-only localhost/busybox sh -c 'touch /x 2>&1; echo tmp >/tmp/ok && cat /tmp/ok'"
  assert_contains "$OUT" "Read-only file system"
  assert_contains "$OUT" tmp
  assert_ok as_user "tong-shim run --rm -u app -w /home/app localhost/busybox sh -c 'id -u; pwd; touch mine && stat -c %u mine'"
  assert_eq "$OUT" "1000
/home/app
1000" "-u app in the image's /home/app"
  _srl_clean
}

test_shim_rootless_without_subordinate_ids ()
{
  _need_shim
  _rl_setup
  install -o "$RL_UID" -g "$RL_GID" -m 0755 "$SHIM" "$RL_HOME/bin/tong-shim"
  sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
  shim_layout "$T/img" localhost/busybox:latest
  cp -r "$T/img" "$RL_HOME/img"
  chown -R "$RL_UID:$RL_GID" "$RL_HOME/img"
  assert_fail as_user "tong-shim load -i img"
  assert_eq "$RC" 125 "exit status"
  assert_contains "$ERR" "no subordinate ids in /etc/subuid and /etc/subgid"
  assert_contains "$ERR" "usermod --add-subuids"
  [ ! -e "$RL_HOME/.local/share/tong" ] || fail "a store was made: $(ls -A "$RL_HOME/.local/share/tong")"
}

# _srl_tun: pasta opens /dev/net/tun inside the container's namespaces as
# the user.  Debian's udev makes it 0666; a host that has it 0600 gets that
# mode for the test's duration.
_srl_tun ()
{
  command -v pasta >/dev/null || skip "pasta not found (package passt)"
  [ -c /dev/net/tun ] || skip "no /dev/net/tun on this host"
  local mode
  mode=$(stat -c %a /dev/net/tun)
  if [ "$mode" != 666 ]; then
    on_exit "chmod $mode /dev/net/tun"
    chmod 0666 /dev/net/tun
  fi
}

test_shim_rootless_pasta_published_port ()
{
  _srl_tun
  source "$TESTS_DIR/registry.sh"
  _srl_setup
  local port
  port=$(free_port)
  assert_ok as_user "tong-shim run -d --name web --net pasta -p 127.0.0.1:$port:8080 localhost/busybox sh -c 'echo hello-from-pasta >/tmp/index.html; exec httpd -f -p 8080 -h /tmp'"
  wait_for 10 sh -c "busybox wget -q -O - http://127.0.0.1:$port/index.html 2>/dev/null | grep -q hello-from-pasta" ||
    fail "the published port does not answer"
  # The container has the host's address on its own interface, not just lo.
  run_cmd as_user "tong-shim exec web ip -4 -o addr show"
  assert_match "$OUT" "inet [0-9.]+/"
  assert_contains "$(ps -u "$RL_UID" -o args=)" pasta
  assert_ok as_user "tong-shim stop --time 1 web"
  assert_ok as_user "tong-shim rm web"
  # delete stopped pasta: the port is free again, no process of the user left.
  _srl_clean
  run_cmd busybox wget -q -T 2 -O - "http://127.0.0.1:$port/index.html"
  [ "$RC" -ne 0 ] || fail "port $port still answers after rm"
}

test_shim_rootless_network_errors ()
{
  _srl_tun
  _srl_setup
  assert_fail as_user "tong-shim run --rm --net bridge localhost/busybox true"
  assert_contains "$ERR" "--net bridge needs root"
  assert_contains "$ERR" "--net pasta"
  assert_fail as_user "tong-shim run --rm -p 8080:80 localhost/busybox true"
  assert_contains "$ERR" "-p needs --net bridge (as root) or --net pasta"
  # A port the host already holds: named, and nothing left.
  python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$T/held" &
  local holder=$! port=
  on_exit "kill $holder 2>/dev/null"
  wait_for 5 test -s "$T/held" || fail "no port held"
  port=$(cat "$T/held")
  assert_fail as_user "tong-shim run --rm --net pasta -p 127.0.0.1:$port:80 localhost/busybox true"
  assert_contains "$ERR" "127.0.0.1:$port/tcp is in use"
  _srl_clean
}

# _srl_fuse: fuse-overlayfs opens /dev/fuse as the user (Debian: mode 0666;
# a host that has it 0600 gets 0666 for the test's duration).
_srl_fuse ()
{
  command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs not found (package fuse-overlayfs)"
  [ -c /dev/fuse ] || skip "no /dev/fuse on this host"
  local mode
  mode=$(stat -c %a /dev/fuse)
  if [ "$mode" != 666 ]; then
    on_exit "chmod $mode /dev/fuse"
    chmod 0666 /dev/fuse
  fi
}

_srl_no_fuse_left ()
{
  local left
  left=$(ps -u "$RL_UID" -o pid=,stat=,args= | awk '$2 !~ /^Z/ && /fuse-overlayfs/' || true)
  [ -z "$left" ] || fail "fuse-overlayfs still runs: $left"
}

test_shim_rootless_fuse_overlayfs_build ()
{
  _srl_fuse
  _srl_setup
  _srl_workspace ws job
  assert_ok as_user 'cd ws && tong-shim --mount-program fuse-overlayfs run --rm -v "$PWD:/src" -w /src localhost/busybox sh -c "stat -c %u /home/app; grep -c \" / / .* - fuse\" /proc/self/mountinfo; sh build.sh"'
  assert_eq "$(sed -n 1p <<<"$OUT")" 1000 "/home/app inside"
  assert_eq "$(sed -n 2p <<<"$OUT")" 1 "the root is the FUSE overlay"
  assert_eq "$(cat "$RL_HOME/ws/out/who")" "job 0" "the build ran as the container's root"
  assert_eq "$(stat -c %u:%g "$RL_HOME/ws/out/sorted.txt")" "$RL_UID:$RL_GID" "artifact belongs to the user"
  _srl_clean
  _srl_no_fuse_left
}

test_shim_rootless_fuse_overlayfs_detached_exec ()
{
  _srl_fuse
  _srl_setup
  assert_ok as_user "tong-shim --mount-program fuse-overlayfs run -d --name bg localhost/busybox sh -c 'echo upper >/in-upper; exec sleep 300'"
  wait_for 10 as_user "tong-shim exec bg cat /in-upper" || fail "exec into the FUSE root"
  assert_eq "$(as_user "tong-shim exec -u app bg id -u")" 1000 "exec -u app"
  assert_ok as_user "tong-shim stop --time 1 bg"
  assert_ok as_user "tong-shim rm bg"
  _srl_clean
  _srl_no_fuse_left
}

test_shim_rootless_falls_back_to_fuse_where_the_kernel_refuses ()
{
  _srl_fuse
  # The kernel will not take an overlayfs as an upper dir: the user's store
  # on one (made by root, on the host) makes it refuse.
  _need_shim
  _rl_setup
  local store=$RL_HOME/.local/share/tong
  mkdir -p "$T/sl" "$T/su" "$T/sw" "$store"
  chown "$RL_UID:$RL_GID" "$T/sl" "$RL_HOME/.local" "$RL_HOME/.local/share" "$store"
  mount -t overlay overlay -o "lowerdir=$T/sl,upperdir=$T/su,workdir=$T/sw" "$store"
  on_exit "umount -l '$store'"
  chown "$RL_UID:$RL_GID" "$store"
  install -o "$RL_UID" -g "$RL_GID" -m 0755 "$SHIM" "$RL_HOME/bin/tong-shim"
  shim_layout "$T/img" localhost/busybox:latest
  cp -r "$T/img" "$RL_HOME/img"
  chown -R "$RL_UID:$RL_GID" "$RL_HOME/img"
  assert_ok as_user "tong-shim load -i img"
  assert_ok as_user "tong-shim --debug run --rm localhost/busybox sh -c 'grep -c \" / / .* - fuse\" /proc/self/mountinfo'"
  assert_eq "$(tail -n 1 <<<"$OUT")" 1 "the root is the FUSE overlay"
  assert_contains "$ERR" "the kernel refused overlayfs in the user namespace"
  _srl_clean
  _srl_no_fuse_left
}
test_shim_rootless_fuse_overlayfs_with_pasta ()
{
  # tong runs as root of tong-shim's user namespace here: pasta must keep that.
  _srl_tun
  _srl_fuse
  source "$TESTS_DIR/registry.sh"
  _srl_setup
  local port
  port=$(free_port)
  assert_ok as_user "tong-shim --mount-program fuse-overlayfs run -d --name web --net pasta -p 127.0.0.1:$port:8080 localhost/busybox sh -c 'echo hello-from-pasta >/tmp/index.html; exec httpd -f -p 8080 -h /tmp'"
  wait_for 10 sh -c "busybox wget -q -O - http://127.0.0.1:$port/index.html 2>/dev/null | grep -q hello-from-pasta" || fail "no answer: $(as_user 'tong-shim logs web')"
  assert_ok as_user "tong-shim rm -f web"
  _srl_clean
}
