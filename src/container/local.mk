# container: create, the init's side, start, kill, delete, exec, the state
# store, the runtime-init protocol, hooks, the foreground loop.
libtong_a_SOURCES += src/container/hooks.h src/container/hooks.c \
	src/container/create-plan.h src/container/create-plan.c
tong_SOURCES += src/container/state.c src/container/state.h \
	src/container/create.c src/container/init.c src/container/init.h src/container/container.h src/container/globals.h src/container/lifecycle.c \
	src/container/supported.c src/container/sync.c src/container/sync.h \
	src/container/foreground.c src/container/foreground.h \
	src/container/exec.c src/container/exec.h src/container/launch.c src/container/launch.h src/container/status.c src/container/status.h \
	src/container/cgroup-ops.c src/container/cgroup-ops.h \
	src/container/cgroup-tree.c src/container/cgroup-tree.h

check_PROGRAMS += tests/unit/test-create-plan
tests_unit_test_create_plan_SOURCES = tests/unit/test-create-plan.c
tests_unit_test_create_plan_LDADD = $(TONG_LIBS)
