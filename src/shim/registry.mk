# src/shim: the registry client of tong-shim (image references, OCI
# distribution API over libcurl, auth).  tong itself never links it.
noinst_LIBRARIES += libtongreg.a
libtongreg_a_SOURCES = src/shim/reference.c src/shim/reference.h \
	src/shim/registry.h src/shim/registry-internal.h src/shim/registry.c \
	src/shim/registry-manifest.c src/shim/registry-blobs.c src/shim/registry-conf.c \
	src/shim/registry-auth.c src/shim/auth.c src/shim/auth.h
libtongreg_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS)
# Everything libtongreg.a needs, for tong-shim and the test programs.
TONGREG_LIBS = libtongreg.a $(TONG_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/test-reference
tests_unit_test_reference_SOURCES = tests/unit/test-reference.c
tests_unit_test_reference_LDADD = $(TONGREG_LIBS)

# A command-line client of the library, for tests/integration/registry.sh.
check_PROGRAMS += tests/tools/registry-get
tests_tools_registry_get_SOURCES = tests/tools/registry-get.c
tests_tools_registry_get_LDADD = $(TONGREG_LIBS)

check_PROGRAMS += tests/unit/test-registry-auth
tests_unit_test_registry_auth_SOURCES = tests/unit/test-registry-auth.c
tests_unit_test_registry_auth_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_registry_auth_LDADD = $(TONGREG_LIBS)
