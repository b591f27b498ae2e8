#!/bin/sh
# Install what the build and the tests need (Debian 12, as root), build tong
# and the test programs, and run the whole test suite (tests/run.sh).
# Exits with the suite's status; its last line is `N passed, N failed`.
set -eu
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "tests/ci.sh: run me as root (it installs packages and runs containers)" >&2
  exit 1
fi

BUILD_DEPS="autoconf automake libtool pkg-config gcc make musl-tools gperf dpkg-dev libseccomp-dev libcap-dev libyajl-dev libmnl-dev libnl-3-dev libnl-route-3-dev libarchive-dev libssl-dev libsqlite3-dev libcurl4-openssl-dev libnftnl-dev libsystemd-dev"
TEST_DEPS="busybox-static strace clang-format cpio uidmap passt fuse-overlayfs jq iproute2 util-linux bsdutils docker-registry skopeo apache2-utils openssl python3 curl zstd apparmor qemu-system-x86 tar containerd podman conmon nftables systemd dbus libsystemd0"

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $BUILD_DEPS $TEST_DEPS </dev/null >/dev/null

# The runtime is built with musl (configure --with-musl): its three
# libraries from Debian's sources first.
scripts/musl-deps.sh
./autogen.sh
./configure --enable-werror --with-musl
make -j2
# check_PROGRAMS (unit tests, tests/tools/console-receiver) without running
# automake's own harness: tests/run.sh is the harness.
make -j2 check TESTS=

exec tests/run.sh
