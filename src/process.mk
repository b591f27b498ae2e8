# The container process (identity, capabilities, exec), terminals and hooks.
# In libtong.a so that the unit tests and test tools link the same code as tong.
libtong_a_SOURCES += src/process.h src/process.c src/process_exec.c src/process_attrs.c \
	src/caps.h src/caps.c src/console.h src/console.c src/hooks.h src/hooks.c

check_PROGRAMS += tests/unit/test-process tests/tools/console-receiver
tests_unit_test_process_SOURCES = tests/unit/test-process.c
tests_unit_test_process_LDADD = $(TONG_LIBS)
tests_tools_console_receiver_SOURCES = tests/tools/console-receiver.c
tests_tools_console_receiver_LDADD = $(TONG_LIBS)
