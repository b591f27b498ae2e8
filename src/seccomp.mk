# linux.seccomp: the filter (libseccomp), its cache, and the SCMP_ACT_NOTIFY listener protocol.
libtong_a_SOURCES += src/seccomp_filter.c src/seccomp_filter.h \
	src/seccomp_lib.c src/seccomp_lib.h src/seccomp_cache.c src/seccomp_cache.h

check_PROGRAMS += tests/unit/test-seccomp tests/tools/seccomp-listener
tests_unit_test_seccomp_SOURCES = tests/unit/test-seccomp.c
tests_unit_test_seccomp_LDADD = $(TONG_LIBS)
tests_tools_seccomp_listener_SOURCES = tests/tools/seccomp-listener.c
tests_tools_seccomp_listener_LDADD = $(TONG_LIBS)
