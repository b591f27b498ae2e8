# libtongimage.a: layer unpacking and overlay roots, for tong-shim only (tong
# itself must not link libarchive or libcrypto).
noinst_LIBRARIES += libtongimage.a
libtongimage_a_SOURCES = \
	src/overlay/unpack.h src/overlay/unpack.c \
	src/overlay/unpack-nodes.h src/overlay/unpack-nodes.c \
	src/overlay/unpack-meta.h src/overlay/unpack-meta.c \
	src/overlay/layer-path.h src/overlay/layer-path.c \
	src/overlay/layer-stream.h src/overlay/layer-stream.c \
	src/overlay/overlay.h src/overlay/overlay.c src/overlay/fuse.c
libtongimage_a_CFLAGS = $(AM_CFLAGS) $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS)
# What a program linking libtongimage.a needs (libtongimage.a uses libtong.a).
TONG_IMAGE_LIBS = libtongimage.a $(TONG_LIBS) $(ARCHIVE_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/test-unpack tests/tools/overlay-tool
tests_unit_test_unpack_SOURCES = tests/unit/test-unpack.c
tests_unit_test_unpack_CFLAGS = $(AM_CFLAGS) $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_unpack_LDADD = $(TONG_IMAGE_LIBS)
tests_tools_overlay_tool_SOURCES = tests/tools/overlay-tool.c
tests_tools_overlay_tool_LDADD = $(TONG_IMAGE_LIBS)
