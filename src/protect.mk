tong_SOURCES += src/protect_exe.c src/protect_exe.h
