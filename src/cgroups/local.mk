# The driver interface (driver.h): which driver a container has (plain
# data, unit-tested) in libtong.a; the tables and the cgroupfs driver (v2.c)
# in tong.
libtong_a_SOURCES += src/cgroups/driver.h src/cgroups/driver-choose.c
# The host's hierarchies (v2, v1, hybrid) and linux.resources split between
# them: plain data, unit-tested.
libtong_a_SOURCES += src/cgroups/hierarchy.c src/cgroups/hierarchy.h src/cgroups/limits-split.c
tong_SOURCES += src/cgroups/driver.c src/cgroups/v2.c src/cgroups/v2.h \
	src/cgroups/v1.c src/cgroups/v1.h \
	src/cgroups/cgroup.c src/cgroups/cgroup.h \
	src/cgroups/limits.c src/cgroups/limits.h
# The parts the unit tests link (planning, controllers, the device program,
# update's merge, stats) in libtong.a.
libtong_a_SOURCES += src/cgroups/resources.c src/cgroups/resources.h \
	src/cgroups/controllers.c src/cgroups/controllers.h \
	src/cgroups/devices-bpf.c src/cgroups/devices-bpf.h \
	src/cgroups/resources-merge.c src/cgroups/resources-merge.h \
	src/cgroups/stats.c src/cgroups/stats.h

check_PROGRAMS += tests/unit/test-cgroup-resources tests/unit/test-cgroup-devices \
	tests/unit/test-cgroup-stats tests/unit/test-cgroup-driver
tests_unit_test_cgroup_resources_SOURCES = tests/unit/test-cgroup-resources.c
tests_unit_test_cgroup_resources_LDADD = $(TONG_LIBS)
tests_unit_test_cgroup_devices_SOURCES = tests/unit/test-cgroup-devices.c
tests_unit_test_cgroup_devices_LDADD = $(TONG_LIBS)

# The systemd driver: its plain data (unit-tested) in libtong.a, the D-Bus
# side (libsystemd loaded with dlopen: only the header at build time) in tong.
libtong_a_SOURCES += src/cgroups/systemd-unit.c src/cgroups/systemd-unit.h
tong_SOURCES += src/cgroups/systemd.c src/cgroups/systemd.h src/cgroups/systemd-driver.c \
	src/cgroups/systemd-bus.c src/cgroups/systemd-bus.h
tong_CFLAGS += $(SYSTEMD_CFLAGS)
tong_LDADD += $(DL_LIBS)
check_PROGRAMS += tests/unit/test-systemd-unit
tests_unit_test_systemd_unit_SOURCES = tests/unit/test-systemd-unit.c
tests_unit_test_systemd_unit_LDADD = $(TONG_LIBS)

tests_unit_test_cgroup_stats_SOURCES = tests/unit/test-cgroup-stats.c
tests_unit_test_cgroup_stats_LDADD = $(TONG_LIBS)
tests_unit_test_cgroup_driver_SOURCES = tests/unit/test-cgroup-driver.c
tests_unit_test_cgroup_driver_LDADD = $(TONG_LIBS)

# cgroup v1 stats and OOM counting (stats-v1.c), sharing stats.c's JSON
# writer and v2 sections (stats-json.h); in libtong.a for its unit test.
libtong_a_SOURCES += src/cgroups/stats-v1.c src/cgroups/stats-json.h
check_PROGRAMS += tests/unit/test-cgroup-stats-v1
tests_unit_test_cgroup_stats_v1_SOURCES = tests/unit/test-cgroup-stats-v1.c
tests_unit_test_cgroup_stats_v1_LDADD = $(TONG_LIBS)
# linux.resources as cgroup v1 writes (resources-v1.c): plain data in
# libtong.a, applied per controller by resources.c's cgroup_plan_apply_at.
libtong_a_SOURCES += src/cgroups/resources-v1.c
check_PROGRAMS += tests/unit/test-cgroup-resources-v1
tests_unit_test_cgroup_resources_v1_SOURCES = tests/unit/test-cgroup-resources-v1.c
tests_unit_test_cgroup_resources_v1_LDADD = $(TONG_LIBS)
# cgroup v1's devices controller: the rules both device filters
# read, and the exception lists that mean what the eBPF filter means, in
# libtong.a with their unit test.
libtong_a_SOURCES += src/cgroups/devices-rules.c src/cgroups/devices-rules.h \
	src/cgroups/devices-v1.c src/cgroups/devices-v1.h
check_PROGRAMS += tests/unit/test-cgroup-devices-v1
tests_unit_test_cgroup_devices_v1_SOURCES = tests/unit/test-cgroup-devices-v1.c
tests_unit_test_cgroup_devices_v1_LDADD = $(TONG_LIBS)
check_PROGRAMS += tests/unit/test-cgroup-hierarchy
tests_unit_test_cgroup_hierarchy_SOURCES = tests/unit/test-cgroup-hierarchy.c
tests_unit_test_cgroup_hierarchy_LDADD = $(TONG_LIBS)
