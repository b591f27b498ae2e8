# process: the container process (identity, capabilities, rlimits, the
# final execve), terminals, passwd lookups, security modules.
# In libtong.a so that the unit tests and test tools link the same code as tong.
libtong_a_SOURCES += src/process/passwd.c src/process/passwd.h \
	src/process/lsm.c src/process/lsm.h \
	src/process/process.h src/process/process.c src/process/execve.c src/process/attrs.c \
	src/process/caps.h src/process/caps.c src/process/console.h src/process/console.c

check_PROGRAMS += tests/unit/test-process tests/tools/console-receiver
tests_unit_test_process_SOURCES = tests/unit/test-process.c
tests_unit_test_process_LDADD = $(TONG_LIBS)
tests_tools_console_receiver_SOURCES = tests/tools/console-receiver.c
tests_tools_console_receiver_LDADD = $(TONG_LIBS)
