# The runtime built with musl (configure --with-musl; src/self/twin.h).  automake
# knows one compiler: these rules compile the runtime's sources a second
# time, with musl-gcc, into musl/, and link tong from them.
if TONG_MUSL
MUSL_C_FILES = $(filter %.c,$(libtong_a_SOURCES) $(tong_SOURCES))
MUSL_OBJECTS = $(MUSL_C_FILES:%.c=musl/%.o)
# musl-gcc searches only musl's headers: MUSL_DIR/include has the libraries'
# and links to the kernel's; the netlink and sd-bus headers (code that runs
# in tong-full only) come last from the system's.
MUSL_CPPFLAGS = $(DEFS) -I$(top_srcdir) -I$(top_builddir) -I$(MUSL_DIR)/include \
	-idirafter $(includedir) -idirafter /usr/include \
	-DTONG_PKGLIBEXECDIR='"$(pkglibexecdir)"'
MUSL_LIBS = $(MUSL_DIR)/lib/libyajl.a $(MUSL_DIR)/lib/libcap.a

musl/%.o: %.c
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(MUSL_CC) $(MUSL_CPPFLAGS) $(AM_CFLAGS) $(TONG_SIZE_CFLAGS) $(CFLAGS) \
	  -MD -MP -MF musl/$*.d -c -o $@ $<

tong$(EXEEXT): $(MUSL_OBJECTS) $(MUSL_LIBS)
	$(AM_V_CCLD)$(MUSL_CC) $(CFLAGS) -Wl,--gc-sections -Wl,--build-id -o $@ $(MUSL_OBJECTS) $(MUSL_LIBS)

# dlopen()ed by tong for linux.seccomp, found beside it in the build tree.
libseccomp.so.2: $(MUSL_DIR)/lib/libseccomp.so.2
	$(AM_V_GEN)cp $(MUSL_DIR)/lib/libseccomp.so.2 $@

all-local: tong$(EXEEXT) libseccomp.so.2
# The VM suites run tong from the build tree, with its private files.
check-vm check-vm-systemd: tong-full$(EXEEXT) libseccomp.so.2

install-exec-local:
	$(MKDIR_P) $(DESTDIR)$(bindir) $(DESTDIR)$(pkglibexecdir)
	$(INSTALL_PROGRAM) tong$(EXEEXT) $(DESTDIR)$(bindir)/tong$(EXEEXT)
	$(INSTALL_DATA) libseccomp.so.2 $(DESTDIR)$(pkglibexecdir)/libseccomp.so.2

uninstall-local:
	rm -f $(DESTDIR)$(bindir)/tong$(EXEEXT) $(DESTDIR)$(pkglibexecdir)/libseccomp.so.2

clean-local:
	rm -rf musl tong$(EXEEXT) libseccomp.so.2

-include $(MUSL_OBJECTS:.o=.d)
endif
