# Helpers that tests/integration/cve.sh copies into containers: static, so
# that they run in a busybox root filesystem.
check_PROGRAMS += tests/tools/exe-probe
tests_tools_exe_probe_SOURCES = tests/tools/exe-probe.c
tests_tools_exe_probe_LDFLAGS = -static
# Runs a command with clone3 refused (ENOSYS): tong's clone(2) fallback.
check_PROGRAMS += tests/tools/no-clone3
tests_tools_no_clone3_SOURCES = tests/tools/no-clone3.c
# The hostile image's ELF interpreter and preloaded library for the
# CVE-2019-5736 tests (tests/tools/exe-overwrite.c): no libc, x86_64.
if TONG_X86_64
check_PROGRAMS += tests/tools/exe-fake-loader tests/tools/exe-preload.so
tests_tools_exe_fake_loader_SOURCES = tests/tools/exe-overwrite.c
tests_tools_exe_fake_loader_CFLAGS = $(AM_CFLAGS) -DFAKE_LOADER -ffreestanding -fno-stack-protector -fno-builtin -fno-pie
tests_tools_exe_fake_loader_LDFLAGS = -static -nostdlib -no-pie
tests_tools_exe_preload_so_SOURCES = tests/tools/exe-overwrite.c
tests_tools_exe_preload_so_CFLAGS = $(AM_CFLAGS) -ffreestanding -fno-stack-protector -fno-builtin -fPIC
tests_tools_exe_preload_so_LDFLAGS = -shared -nostdlib
endif
# Exchanges two names in a directory forever: the host side of the race in
# tests/integration/cve.sh's procfs test.
check_PROGRAMS += tests/tools/swap-names
tests_tools_swap_names_SOURCES = tests/tools/swap-names.c
