# AppArmor for real, in the VM: the test kernel has AppArmor enabled, the
# host of the integration tests may not.  A profile written for the tests is
# loaded with apparmor_parser; the container's process (and an exec'd one)
# must run under it and be denied what it denies.  (tests/integration/lsm.sh
# covers the hosts without AppArmor: the clear errors.)

_aa_need ()
{
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
    skip "this kernel has no AppArmor enabled"
  command -v apparmor_parser >/dev/null || skip "apparmor_parser not found (package apparmor)"
  grep -q " /sys/kernel/security " /proc/mounts || mount -t securityfs securityfs /sys/kernel/security
  grep -qw apparmor /sys/kernel/security/lsm || skip "AppArmor is not an active LSM"
  cat >"$T/profile" <<'PROFILE'
profile tong-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  signal,
  ptrace,
  unix,
  deny /tmp/denied w,
}
PROFILE
  apparmor_parser -r -K "$T/profile" || fail "apparmor_parser could not load the test profile"
  on_exit "apparmor_parser -R -K '$T/profile' 2>/dev/null || true"
}

test_lsm_apparmor_profile_confines_the_process ()
{
  _aa_need
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.apparmorProfile = "tong-test"'
  local out
  out=$(in_container "$T/b" 'cat /proc/self/attr/current; echo;
    touch /tmp/ok && echo ok-written; touch /tmp/denied 2>/dev/null || echo denied-refused')
  assert_match "$out" '^tong-test \(enforce\)'
  assert_contains "$out" ok-written
  assert_contains "$out" denied-refused
  # unconfined without the field: the same write works
  make_bundle "$T/u"
  assert_contains "$(in_container "$T/u" 'touch /tmp/denied && echo written')" written
  assert_no_containers
}

test_lsm_apparmor_exec_flag_and_process_json ()
{
  _aa_need
  make_bundle "$T/b" sleep 1000
  tong run -d --bundle "$T/b" c1 </dev/null
  wait_status c1 running
  assert_match "$(tong exec --apparmor tong-test c1 cat /proc/self/attr/current)" '^tong-test \(enforce\)'
  run_cmd tong exec --apparmor tong-test c1 touch /tmp/denied
  assert_ne "$RC" 0 "write denied by the profile"
  jq -n '{args: ["cat", "/proc/self/attr/current"], cwd: "/", apparmorProfile: "tong-test"}' >"$T/p.json"
  assert_match "$(tong exec --process "$T/p.json" c1)" '^tong-test \(enforce\)'
  # without the flag: unconfined
  assert_match "$(tong exec c1 cat /proc/self/attr/current)" '^unconfined'
  tong delete --force c1
  assert_no_containers
}

test_lsm_apparmor_profile_not_loaded_fails ()
{
  _aa_need
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.apparmorProfile = "tong-no-such-profile"'
  run_cmd tong run --bundle "$T/b" c1
  assert_ne "$RC" 0
  assert_contains "$ERR" "tong-no-such-profile"
  tong delete --force c1 2>/dev/null || true
  assert_no_containers
}

# CVE-2025-52881, the AppArmor side: a writer of the rootfs (a second
# container, a shared volume) exchanges rootfs/proc with a decoy tree whose
# self/attr/apparmor/exec and self/attr/exec are plain files, while `tong run`
# and `tong exec` set the profile.  A profile written by the name /proc after
# pivot_root lands in the decoy, and the process runs unconfined: it may then
# write /tmp/denied.  The profile must reach this process's own attr files
# whatever the rootfs holds.  Each process that ran leaves a line in /ran, so
# that the test knows the race did not just make every run fail.
_aa_swap_race ()
{
  local b=$1 runs=$2 pid i
  : >"$b/rootfs/ran"
  : >"$b/rootfs/escaped"
  bg_start pid "$BUILD_DIR/tests/tools/swap-names" "$b/rootfs" proc proc.alt
  for i in $(seq "$runs"); do
    tong run --bundle "$b" "c$i" </dev/null >/dev/null 2>&1 || true
    tong delete -f "c$i" 2>/dev/null || true
    [ ! -s "$b/rootfs/escaped" ] || fail "run $i of $runs: the process ran unconfined (its profile went to a file of the rootfs)"
  done
  pid_alive "$pid" || fail "the swapping loop died: the race did not run"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  [ -s "$b/rootfs/ran" ] || fail "no container ran in $runs runs"
}

test_lsm_apparmor_profile_reaches_the_process_while_rootfs_proc_is_swapped ()
{
  _aa_need
  local probe='echo >>/ran; if echo x >/tmp/denied; then echo unconfined >>/escaped; fi 2>/dev/null; true'
  make_bundle "$T/b" sh -c "$probe"
  cfg_set "$T/b" '.process.apparmorProfile = "tong-test"'
  local f="$T/b/rootfs/proc.alt"
  mkdir -p "$f/self/attr/apparmor"
  : >"$f/self/attr/apparmor/exec"
  : >"$f/self/attr/exec"
  _aa_swap_race "$T/b" 150

  # tong exec --apparmor into a running container whose rootfs is swapped
  make_bundle "$T/e" sleep 1000
  mkdir -p "$T/e/rootfs/proc.alt/self/attr/apparmor"
  : >"$T/e/rootfs/proc.alt/self/attr/apparmor/exec"
  : >"$T/e/rootfs/proc.alt/self/attr/exec"
  : >"$T/e/rootfs/ran"
  tong run -d --bundle "$T/e" e1 </dev/null
  wait_status e1 running
  local pid i
  bg_start pid "$BUILD_DIR/tests/tools/swap-names" "$T/e/rootfs" proc proc.alt
  for i in $(seq 100); do
    tong exec --apparmor tong-test e1 sh -c "$probe" </dev/null >/dev/null 2>&1 || true
    [ ! -s "$T/e/rootfs/escaped" ] || fail "exec $i: the process ran unconfined (its profile went to a file of the rootfs)"
  done
  pid_alive "$pid" || fail "the swapping loop died: the race did not run"
  [ -s "$T/e/rootfs/ran" ] || fail "no exec ran in 100 tries"
  tong delete -f e1
  assert_no_containers
}
