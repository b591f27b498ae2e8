# linux.cgroupsPath on a pure cgroup v1 host: the same directory in every
# hierarchy, for the default (none), a relative and an absolute path.  The
# test's shell first moves into /caller of every hierarchy, so that the
# runtime's own cgroup is not the root.

# shellcheck source=tests/vm/v1-cases/helpers.sh
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

# _path_case ID EXPECTED: run a container of the bundle $T/b, check its init
# is in EXPECTED everywhere, delete it, check EXPECTED is gone everywhere.
_path_case ()
{
  tong run -d --bundle "$T/b" "$1" </dev/null
  assert_paths_everywhere "$(init_pid "$1")" "$2"
  tong delete --force "$1"
  local h
  for h in $(v1_hierarchies); do
    assert_no_file "$(v1_mountpoint "$h")$2"
  done
  assert_no_containers
}

# The spec leaves the default to the runtime: tong's is tong/<id> under its
# own cgroup, runc's <id> there.
test_v1_default_path_is_under_the_runtime_cgroup ()
{
  enter_cgroup caller
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" 'del(.linux.cgroupsPath)'
  if is_runc; then
    _path_case def /caller/def
  else
    _path_case def /caller/tong/def
  fi
}

test_v1_relative_path_is_under_the_runtime_cgroup ()
{
  enter_cgroup caller
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "rel/x"'
  _path_case rel /caller/rel/x
}

test_v1_absolute_path_is_from_the_root ()
{
  enter_cgroup caller
  local h
  for h in $(v1_hierarchies); do
    on_exit "find '$(v1_mountpoint "$h")/tong-test' -depth -type d -exec rmdir {} +"
  done
  make_bundle "$T/b" sleep 1000
  cfg_set "$T/b" '.linux.cgroupsPath = "/tong-test/x"'
  _path_case abs /tong-test/x
}
