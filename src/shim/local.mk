# tong-shim: images, the content store and containers of images (see docs/shim.md).
bin_PROGRAMS += tong-shim
tong_shim_SOURCES = src/shim/main.c src/shim/shim.h \
	src/shim/store.c src/shim/store.h src/shim/db.c src/shim/db.h \
	src/shim/image.c src/shim/image.h src/shim/layout.c src/shim/layout.h \
	src/shim/load.c \
	src/shim/users.c src/shim/users.h src/shim/run_spec.c src/shim/run_spec.h \
	src/shim/bundle.c src/shim/bundle.h \
	src/shim/container.c src/shim/container.h src/shim/userns.c src/shim/userns.h src/shim/lookup.c src/shim/lookup.h src/shim/run.c src/shim/ps-logs-stop-rm-exec.c \
	src/shim/images-rmi-inspect.c src/shim/save.c src/shim/check.c src/shim/prune.c src/shim/pull.c
tong_shim_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SQLITE_CFLAGS) $(ARCHIVE_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS)
tong_shim_LDADD = libtongreg.a libtongimage.a libtong.a $(YAJL_LIBS) $(SQLITE_LIBS) $(ARCHIVE_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS) -lm

check_PROGRAMS += tests/unit/test-shim-image tests/unit/test-shim-run
tests_unit_test_shim_image_SOURCES = tests/unit/test-shim-image.c
tests_unit_test_shim_image_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_shim_image_LDADD = $(TONG_LIBS)
tests_unit_test_shim_run_SOURCES = tests/unit/test-shim-run.c \
	src/shim/run_spec.c src/shim/users.c src/shim/bundle.c src/shim/layout.c src/shim/store.c
tests_unit_test_shim_run_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SQLITE_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_shim_run_LDADD = $(TONG_LIBS) $(CRYPTO_LIBS) -lm
