# Test programs and the test runner (tests/run.sh).

# The cgroup v2 suite in a Debian kernel under qemu (tests/vm/run.sh);
# tests/run.sh also runs it after the integration tests.
.PHONY: check-vm
check-vm: tong$(EXEEXT)
	$(abs_top_srcdir)/tests/vm/run.sh --build-dir $(abs_top_builddir) $(VM_FILTER)

# The systemd cgroup driver against systemd as PID 1 in the same VM
# (tests/vm/systemd.sh); tests/run.sh runs it too.
.PHONY: check-vm-systemd
check-vm-systemd: tong$(EXEEXT)
	$(abs_top_srcdir)/tests/vm/systemd.sh --build-dir $(abs_top_builddir) $(VM_FILTER)
