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
