# Plain data (the annotations' parser) goes in libtong.a for the unit tests.
libtong_a_SOURCES += src/netns/annotations.c src/netns/annotations.h
tong_SOURCES += src/netns/loopback.c src/netns/loopback.h \
	src/netns/net.c src/netns/net.h src/netns/link.c src/netns/link.h \
	src/netns/ipam.c src/netns/ipam.h src/netns/nat.c src/netns/nat.h \
	src/netns/pasta.c src/netns/pasta.h \
	src/netns/nl-lib.c src/netns/nl-lib.h
# libmnl and libnftnl are dlopen()ed by nl-lib.c when a container asks for
# bridge networking: only their headers at build time.
tong_CFLAGS += $(MNL_CFLAGS) $(NFTNL_CFLAGS)
tong_LDADD += $(DL_LIBS)

check_PROGRAMS += tests/unit/test-net-annotations
tests_unit_test_net_annotations_SOURCES = tests/unit/test-net-annotations.c
tests_unit_test_net_annotations_LDADD = $(TONG_LIBS)
