# Linux security modules: process.apparmorProfile, process.selinuxLabel,
# linux.mountLabel and exec's --apparmor/--process-label.  On a host without
# the module, each is a clear error naming the field, before anything is
# spawned; with it, the label is the process's (or the mount's) after exec.

_have_apparmor ()
{
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] || return 1
  [ ! -r /sys/kernel/security/lsm ] || grep -qw apparmor /sys/kernel/security/lsm
}

_have_selinux ()
{
  [ -e /sys/fs/selinux/enforce ] || grep -qw selinux /sys/kernel/security/lsm 2>/dev/null
}

# An AppArmor profile that is loaded on the host, or nothing.
_loaded_apparmor_profile ()
{
  local p
  for p in docker-default containers-default-0.50.0 unconfined; do
    if grep -q "^$p " /sys/kernel/security/apparmor/profiles 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}

# _create_fails B FIELD: create from bundle B fails naming FIELD, with no
# container, state directory or process left behind.
_create_fails ()
{
  assert_fail tong create --bundle "$1" c1
  assert_contains "$ERR" "$2"
  assert_no_containers
  assert_eq "$(state_entries "$ROOT")" ""
}

test_lsm_apparmor_profile_without_apparmor_fails ()
{
  ! _have_apparmor || skip "this host has AppArmor: the error path is for hosts without it"
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.apparmorProfile = "tong-test-profile"'
  _create_fails "$T/b" 'process.apparmorProfile "tong-test-profile": this host has no AppArmor'
  # run too, and nothing started
  assert_fail tong run --bundle "$T/b" c2
  assert_contains "$ERR" "no AppArmor"
  assert_no_containers
}

test_lsm_selinux_label_without_selinux_fails ()
{
  ! _have_selinux || skip "this host has SELinux: the error path is for hosts without it"
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
  _create_fails "$T/b" 'process.selinuxLabel "system_u:system_r:container_t:s0": this host has no SELinux'
}

test_lsm_mount_label_without_selinux_fails ()
{
  ! _have_selinux || skip "this host has SELinux: the error path is for hosts without it"
  make_bundle "$T/b" true
  cfg_set "$T/b" '.linux.mountLabel = "system_u:object_r:container_file_t:s0"'
  _create_fails "$T/b" 'linux.mountLabel "system_u:object_r:container_file_t:s0": this host has no SELinux'
}

test_lsm_empty_labels_are_no_labels ()
{
  # "" is what many generators write for "none": nothing to apply, anywhere
  make_bundle "$T/b" sh -c 'echo ok'
  cfg_set "$T/b" '.process.apparmorProfile = "" | .process.selinuxLabel = "" | .linux.mountLabel = ""'
  assert_eq "$(tong run --bundle "$T/b" c1 </dev/null)" ok
  assert_no_containers
}

test_lsm_exec_flags_without_the_module_fail ()
{
  make_bundle "$T/b" sleep 1000
  tong run -d --bundle "$T/b" c1 </dev/null
  wait_status c1 running
  if ! _have_apparmor; then
    assert_fail tong exec --apparmor tong-test-profile c1 touch /tmp/ran
    assert_contains "$ERR" '--apparmor "tong-test-profile": this host has no AppArmor'
    jq -n '{args: ["touch", "/tmp/ran"], cwd: "/", apparmorProfile: "tong-test-profile"}' >"$T/aa.json"
    assert_fail tong exec --process "$T/aa.json" c1
    assert_contains "$ERR" "$T/aa.json: process.apparmorProfile \"tong-test-profile\": this host has no AppArmor"
  fi
  if ! _have_selinux; then
    assert_fail tong exec --process-label system_u:system_r:container_t:s0 c1 touch /tmp/ran
    assert_contains "$ERR" '--process-label "system_u:system_r:container_t:s0": this host has no SELinux'
    jq -n '{args: ["touch", "/tmp/ran"], cwd: "/", selinuxLabel: "system_u:system_r:container_t:s0"}' >"$T/se.json"
    assert_fail tong exec --process "$T/se.json" c1
    assert_contains "$ERR" "process.selinuxLabel"
  fi
  # nothing ran, the container is untouched
  assert_no_file "$T/b/rootfs/tmp/ran"
  assert_eq "$(tong exec c1 sh -c 'echo alive')" alive
  assert_eq "$(state_of c1)" running
  tong delete --force c1
  assert_no_containers
}

test_lsm_apparmor_profile_applied ()
{
  _have_apparmor || skip "this host has no AppArmor (tests/vm/cases/lsm.sh tests it in the VM)"
  local profile
  profile=$(_loaded_apparmor_profile)
  [ -n "$profile" ] || skip "no known AppArmor profile is loaded on this host"
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.apparmorProfile = $p' --arg p "$profile"
  assert_match "$(in_container "$T/b" 'cat /proc/self/attr/current')" "^$profile( |\$)"
  # exec --apparmor too
  make_bundle "$T/e" sleep 1000
  tong run -d --bundle "$T/e" c1 </dev/null
  wait_status c1 running
  assert_match "$(tong exec --apparmor "$profile" c1 cat /proc/self/attr/current)" "^$profile( |\$)"
  tong delete --force c1
  assert_no_containers
}

test_lsm_apparmor_unknown_profile_fails_at_start ()
{
  _have_apparmor || skip "this host has no AppArmor (tests/vm/cases/lsm.sh tests it in the VM)"
  make_bundle "$T/b" true
  cfg_set "$T/b" '.process.apparmorProfile = "tong-no-such-profile"'
  # the host has AppArmor: create succeeds; the profile is not loaded, so the
  # exec cannot happen and the container never runs its process
  run_cmd tong run --bundle "$T/b" c1
  assert_ne "$RC" 0
  tong delete --force c1 2>/dev/null || true
  assert_no_containers
}

test_lsm_selinux_label_applied ()
{
  _have_selinux || skip "this host has no SELinux"
  local label
  label=$(cat /proc/self/attr/current 2>/dev/null | tr -d '\0')
  [ -n "$label" ] || skip "this process has no SELinux context to reuse"
  make_bundle "$T/b"
  cfg_set "$T/b" '.process.selinuxLabel = $l' --arg l "$label"
  assert_eq "$(in_container "$T/b" 'cat /proc/self/attr/current' | tr -d '\0')" "$label"
}

test_lsm_mount_label_applied ()
{
  _have_selinux || skip "this host has no SELinux"
  local label
  label=$(stat -c %C /tmp 2>/dev/null || true)
  [ -n "$label" ] && [ "$label" != "?" ] || skip "no SELinux file context to reuse"
  make_bundle "$T/b"
  cfg_set "$T/b" '.linux.mountLabel = $l' --arg l "$label"
  cfg_mount "$T/b" '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}'
  assert_contains "$(in_container "$T/b" 'grep " /scratch " /proc/self/mounts')" "context="
}
