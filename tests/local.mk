# Test programs and the test runner (tests/run.sh).

# The cgroup v2 suite in a Debian kernel under qemu (tests/vm/run.sh);
# tests/run.sh also runs it after the integration tests.
.PHONY: check-vm
check-vm: tong$(EXEEXT)
	$(abs_top_srcdir)/tests/vm/run.sh --build-dir $(abs_top_builddir) $(VM_FILTER)
