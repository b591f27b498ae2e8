tong_SOURCES += src/netns/loopback.c src/netns/loopback.h
