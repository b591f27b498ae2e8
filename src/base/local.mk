# base: what every part of tong uses and which uses nothing of tong's.
libtong_a_SOURCES += src/base/error.c src/base/error.h src/base/util.c src/base/util.h \
	src/base/files.c src/base/files.h src/base/text.c src/base/text.h \
	src/base/fdpass.c src/base/fdpass.h src/base/procfs.c src/base/procfs.h \
	src/base/spawn.c src/base/spawn.h src/base/log.c src/base/log.h src/base/syscalls.h \
	src/base/format.c src/base/format.h src/base/dl.c src/base/dl.h

check_PROGRAMS += tests/unit/test-util
tests_unit_test_util_SOURCES = tests/unit/test-util.c
tests_unit_test_util_LDADD = $(TONG_LIBS)
