# Helpers of the cgroup v1 cases (tests/vm/v1-cases/*.sh source this file;
# it defines no test).  The VM is a pure v1 host (tests/vm/init, CGROUP=v1):
# every hierarchy is mounted at /sys/fs/cgroup/<its controllers> (name=systemd
# at /sys/fs/cgroup/systemd), and a test runs in the root cgroup of each.
# A container's directories are read from its processes' /proc/PID/cgroup,
# so the cases do not depend on how the runtime records them.

V1=/sys/fs/cgroup

# v1_lines PID: "HIERARCHY PATH" for each v1 hierarchy holding PID, sorted;
# HIERARCHY is /proc/PID/cgroup's second field (cpu,cpuacct, name=systemd).
v1_lines ()
{
  awk -F: '$1 != 0 { print $2, $3 }' "/proc/$1/cgroup" | sort
}

# v1_hierarchies: every v1 hierarchy of the VM (its PID 1 is in all of them).
v1_hierarchies ()
{
  awk -F: '$1 != 0 { print $2 }' /proc/1/cgroup | sort
}

# v1_mountpoint HIERARCHY: where the VM's init mounted it.
v1_mountpoint ()
{
  echo "$V1/${1#name=}"
}

# v1_dir_of PID CONTROLLER: the directory of CONTROLLER's hierarchy (or of
# name=systemd) that holds PID.
v1_dir_of ()
{
  local h p
  while read -r h p; do
    case ",$h," in
    *",$2,"*)
      [ "$p" = / ] && p=
      echo "$(v1_mountpoint "$h")$p"
      return 0
      ;;
    esac
  done < <(v1_lines "$1")
  fail "process $1 is in no $2 hierarchy: $(cat "/proc/$1/cgroup")"
}

# init_pid ID: the host pid of the container's init.
init_pid ()
{
  tong state "$1" | jq -r .pid
}

# ctr_dir ID CONTROLLER: the container's directory in CONTROLLER's hierarchy.
ctr_dir ()
{
  local pid
  pid=$(init_pid "$1")
  v1_dir_of "$pid" "$2"
}

# v1_dirs: every cgroup directory below the hierarchies' roots, sorted.
v1_dirs ()
{
  find "$V1" -mindepth 2 -type d | sort
}

# is_runc: the runtime under test is runc (used to prove these cases), whose
# choices differ where the spec leaves them to the runtime.
is_runc ()
{
  "$TONG" --version 2>/dev/null | grep -q '^runc'
}

# enter_cgroup NAME: move this test's shell (and so the runtime it starts)
# into /NAME of every hierarchy, so that "the runtime's own cgroup" is not
# the root; undone when the test ends, with whatever was made below NAME.
enter_cgroup ()
{
  local h d
  for h in $(v1_hierarchies); do
    d=$(v1_mountpoint "$h")/$1
    mkdir -p "$d"
    # A new cpuset has no CPUs nor memory nodes: nothing could join it.
    if [ -e "$d/cpuset.cpus" ]; then
      cat "$V1/cpuset/cpuset.cpus" >"$d/cpuset.cpus"
      cat "$V1/cpuset/cpuset.mems" >"$d/cpuset.mems"
    fi
    echo $$ >"$d/cgroup.procs"
    on_exit "echo $$ >'$(v1_mountpoint "$h")/cgroup.procs'; find '$d' -depth -type d -exec rmdir {} +"
  done
}

# own_path HIERARCHY: this shell's path in HIERARCHY.
own_path ()
{
  awk -F: -v h="$1" '$1 != 0 && $2 == h { print $3 }' /proc/$$/cgroup
}

# assert_paths_everywhere PID PATH: PID is in PATH of every hierarchy but
# misc, which the OCI spec does not name and runc 1.1 does not know (the
# init_and_exec test of verbs.sh holds every hierarchy, misc too).
assert_paths_everywhere ()
{
  local h p n=0
  while read -r h p; do
    [ "$h" != misc ] || continue
    assert_eq "$p" "$2" "the $h directory of process $1"
    grep -qx "$1" "$(v1_mountpoint "$h")$p/cgroup.procs" || fail "$1 is not in $h's $p/cgroup.procs"
    n=$((n + 1))
  done < <(v1_lines "$1")
  [ $n -ge 2 ] || fail "process $1 is in $n v1 hierarchies"
}
