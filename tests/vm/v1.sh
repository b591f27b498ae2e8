#!/bin/bash
# tong's cgroup v1 tests, on a pure cgroup v1 host.
#
#   tests/vm/v1.sh [--build-dir DIR] [--cases DIR] [FILTER...]
#
# The VM of tests/vm/run.sh booted with --cgroup v1: no cgroup2 mounted
# anywhere, a tmpfs at /sys/fs/cgroup with one v1 hierarchy per controller of
# the kernel's /proc/cgroups (cpu,cpuacct and net_cls,net_prio co-mounted,
# each name a symlink to its pair, as distributions' systemd mounts them) and
# the named hierarchy name=systemd at /sys/fs/cgroup/systemd.  The cases are
# DIR/*.sh (default tests/vm/v1-cases), named vm-v1/FILE/TEST.  Options,
# output and environment are tests/vm/run.sh's; TONG may name another runtime
# with the same CLI (runc) to check the cases themselves.

exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --cgroup v1 "$@"
