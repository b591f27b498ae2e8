# Helpers that tests/integration/cve.sh copies into containers: static, so
# that they run in a busybox root filesystem.
check_PROGRAMS += tests/tools/exe-probe
tests_tools_exe_probe_SOURCES = tests/tools/exe-probe.c
tests_tools_exe_probe_LDFLAGS = -static
# Runs a command with clone3 refused (ENOSYS): tong's clone(2) fallback.
check_PROGRAMS += tests/tools/no-clone3
tests_tools_no_clone3_SOURCES = tests/tools/no-clone3.c
