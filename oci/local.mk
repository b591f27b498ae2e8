# oci/: runtime-spec config.json parsing (yajl tree walked by field tables).
libtong_a_SOURCES += oci/spec.h oci/config.h oci/config.c \
	oci/json.h oci/json.c oci/json-tree.h oci/json-tree.c oci/jwalk.c oci/json-gen.h oci/json-gen.c \
	oci/config-process.c oci/config-linux.c oci/config-resources.c oci/config-seccomp.c \
	oci/defaults.h oci/defaults.c

check_PROGRAMS += tests/unit/test-oci-config
tests_unit_test_oci_config_SOURCES = tests/unit/test-oci-config.c
tests_unit_test_oci_config_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS)
tests_unit_test_oci_config_LDADD = $(TONG_LIBS)
# oci/image.c: image-spec manifests, indexes and configs (tong-shim only).
libtong_a_SOURCES += oci/image.h oci/image.c
