# Linux security modules: AppArmor profiles, SELinux labels.
libtong_a_SOURCES += src/lsm.c src/lsm.h
