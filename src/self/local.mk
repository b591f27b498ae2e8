# self: the runtime's own binary: where it is installed, the hand-over to
# tong-full, and the guard against CVE-2019-5736.
libtong_a_SOURCES += src/self/twin.c src/self/twin.h
tong_SOURCES += src/self/guard.c src/self/guard.h
