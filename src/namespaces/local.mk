libtong_a_SOURCES += src/namespaces/mount-options.h src/namespaces/mount-options.c \
	src/namespaces/rootfs-plan.h src/namespaces/rootfs-plan.c \
	src/namespaces/rootfs-plan-parts.h src/namespaces/rootfs-plan-dev.c \
	src/namespaces/rootfs-plan-sysctl.c \
	src/namespaces/subid.h src/namespaces/subid.c \
	src/namespaces/idmap-helpers.h src/namespaces/idmap-helpers.c
tong_SOURCES += src/namespaces/rootfs.h src/namespaces/rootfs.c \
	src/namespaces/namespaces.h src/namespaces/namespaces.c \
	src/namespaces/paths.h src/namespaces/paths.c \
	src/namespaces/devices.h src/namespaces/devices.c \
	src/namespaces/protect.h src/namespaces/protect.c \
	src/namespaces/procfs.h src/namespaces/procfs.c \
	src/namespaces/sysctl.h src/namespaces/sysctl.c \
	src/namespaces/idmap.h src/namespaces/idmap.c \
	src/namespaces/rootless.h src/namespaces/rootless.c

check_PROGRAMS += tests/unit/test-mount-options
tests_unit_test_mount_options_SOURCES = tests/unit/test-mount-options.c
tests_unit_test_mount_options_LDADD = $(TONG_LIBS)

check_PROGRAMS += tests/unit/test-rootfs-plan
tests_unit_test_rootfs_plan_SOURCES = tests/unit/test-rootfs-plan.c
tests_unit_test_rootfs_plan_LDADD = $(TONG_LIBS)
