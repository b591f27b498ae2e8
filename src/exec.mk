# tong exec: a further process in an existing container.
tong_SOURCES += src/cmd_exec.c src/exec.c src/exec.h
