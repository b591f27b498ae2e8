libtong_a_SOURCES += src/error.c src/error.h src/util.c src/util.h src/log.c src/log.h src/syscalls.h \
	src/passwd.c src/passwd.h src/format.c src/format.h src/spawn.c src/spawn.h \
	src/dl.c src/dl.h src/twin.c src/twin.h
tong_SOURCES += src/main.c src/commands.h \
	src/cmd_create.c src/cmd_start.c src/cmd_run.c src/cmd_state.c src/cmd_kill.c \
	src/cmd_delete.c src/cmd_list.c src/cmd_pause.c src/cmd_ps.c \
	src/cmd_update.c src/cmd_events.c \
	src/state.c src/state.h src/container.c src/container.h \
	src/lifecycle.c src/support.c src/sync.c src/sync.h \
	src/foreground.c src/foreground.h
check_PROGRAMS += tests/unit/test-util
tests_unit_test_util_SOURCES = tests/unit/test-util.c
tests_unit_test_util_LDADD = $(TONG_LIBS)
include $(srcdir)/src/process.mk
include $(srcdir)/src/exec.mk
include $(srcdir)/src/commands-info.mk
include $(srcdir)/src/seccomp.mk
include $(srcdir)/src/protect.mk
include $(srcdir)/src/lsm.mk
