# linux.seccomp: the filter (libseccomp), its cache, and the SCMP_ACT_NOTIFY listener protocol.
libtong_a_SOURCES += src/seccomp/filter.c src/seccomp/filter.h \
	src/seccomp/lib.c src/seccomp/lib.h src/seccomp/cache.c src/seccomp/cache.h

check_PROGRAMS += tests/unit/test-seccomp tests/tools/seccomp-listener
tests_unit_test_seccomp_SOURCES = tests/unit/test-seccomp.c
tests_unit_test_seccomp_LDADD = $(TONG_LIBS)
tests_tools_seccomp_listener_SOURCES = tests/tools/seccomp-listener.c
tests_tools_seccomp_listener_LDADD = $(TONG_LIBS)
