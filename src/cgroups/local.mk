tong_SOURCES += src/cgroups/cgroup.c src/cgroups/cgroup.h
