tong_SOURCES += src/cmd_spec.c src/cmd_features.c
