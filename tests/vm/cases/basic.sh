# Sanity of the VM itself and what tong does with cgroup v2 without limits.

test_vm_cgroup2_controllers ()
{
  assert_eq "$(stat -f -c %T /sys/fs/cgroup)" cgroup2fs
  local c
  for c in cpuset cpu io memory hugetlb pids; do
    assert_contains " $(cat /sys/fs/cgroup/cgroup.controllers) " " $c "
  done
}
