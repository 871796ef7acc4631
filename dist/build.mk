# Installation: `make install` (PREFIX, DESTDIR and the directory variables
# below), `make uninstall`, `make deb` (Debian packages with dpkg-buildpackage
# into $(BUILD)/deb) and `make pkg-check` (tests/pkg/check: build, install and
# use the packages on this host). Installs the user-space parts only: the
# module goes in as DKMS source (/usr/src/pdax-VERSION, where dkms looks
# whatever PREFIX is) and is built for each
# installed kernel by DKMS.

PREFIX         ?= /usr/local
DESTDIR        ?=
BINDIR         ?= $(PREFIX)/bin
SBINDIR        ?= $(PREFIX)/sbin
LIBDIR         ?= $(PREFIX)/lib
LIBEXECDIR     ?= $(PREFIX)/libexec
INCLUDEDIR     ?= $(PREFIX)/include
PKGCONFIGDIR   ?= $(LIBDIR)/pkgconfig
MANDIR         ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DKMSSRCDIR     ?= /usr/src
INSTALL        ?= install

# What install takes from the build: userspace only, no kernel headers needed.
USER_TARGETS := $(DAXMEM_SO) $(LIB)/libdaxmem.so $(DAXMEM_A) $(BIN)/daxmemctl $(BIN)/tinyvmm
MAN_PAGES := docs/man/daxmemctl.8 docs/man/tinyvmm.1 docs/man/pdax.4
UNITS := dist/daxmem-restore.service dist/daxmem-liveupdate.service
PUBLIC_HEADERS := $(wildcard daxmem/include/daxmem/*.h)
KMOD_DKMS_SRCS := $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild

# @VAR@ in the .in files: the installed paths
DIST_SUBST = sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@PREFIX@|$(PREFIX)|g' \
	-e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	-e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
	-e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g'

.PHONY: user install uninstall deb pkg-check

user: $(USER_TARGETS)

$(BUILD)/dist/daxmem.pc: dist/daxmem.pc.in Makefile dist/build.mk
	@mkdir -p $(dir $@)
	$(DIST_SUBST) $< >$@

$(BUILD)/dist/%.service: dist/%.service.in Makefile dist/build.mk
	@mkdir -p $(dir $@)
	$(DIST_SUBST) $< >$@

$(BUILD)/dist/dkms.conf: kmod/dkms.conf Makefile
	@mkdir -p $(dir $@)
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' $< >$@

DIST_GEN := $(BUILD)/dist/daxmem.pc $(UNITS:dist/%.service=$(BUILD)/dist/%.service) \
	$(BUILD)/dist/dkms.conf

install: user $(DIST_GEN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(INCLUDEDIR)/daxmem $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(LIBEXECDIR)/daxmem $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man4 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(DKMSSRCDIR)/pdax-$(VERSION)
	$(INSTALL) -m 0755 $(BIN)/tinyvmm $(DESTDIR)$(BINDIR)/tinyvmm
	$(INSTALL) -m 0755 $(BIN)/daxmemctl $(DESTDIR)$(SBINDIR)/daxmemctl
	$(INSTALL) -m 0755 examples/host-live-update.sh $(DESTDIR)$(LIBEXECDIR)/daxmem/host-live-update
	$(INSTALL) -m 0644 $(DAXMEM_SO) $(DESTDIR)$(LIBDIR)/libdaxmem.so.$(DAXMEM_SO_VERSION)
	ln -sf libdaxmem.so.$(DAXMEM_SO_VERSION) $(DESTDIR)$(LIBDIR)/libdaxmem.so
	$(INSTALL) -m 0644 $(DAXMEM_A) $(DESTDIR)$(LIBDIR)/libdaxmem.a
	$(INSTALL) -m 0644 $(PUBLIC_HEADERS) $(DESTDIR)$(INCLUDEDIR)/daxmem/
	$(INSTALL) -m 0644 $(BUILD)/dist/daxmem.pc $(DESTDIR)$(PKGCONFIGDIR)/daxmem.pc
	$(INSTALL) -m 0644 docs/man/tinyvmm.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 docs/man/pdax.4 $(DESTDIR)$(MANDIR)/man4/
	$(INSTALL) -m 0644 docs/man/daxmemctl.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(UNITS:dist/%.service=$(BUILD)/dist/%.service) $(DESTDIR)$(SYSTEMDUNITDIR)/
	$(INSTALL) -m 0644 $(KMOD_DKMS_SRCS) $(DESTDIR)$(DKMSSRCDIR)/pdax-$(VERSION)/
	$(INSTALL) -m 0644 $(BUILD)/dist/dkms.conf $(DESTDIR)$(DKMSSRCDIR)/pdax-$(VERSION)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tinyvmm $(DESTDIR)$(SBINDIR)/daxmemctl \
		$(DESTDIR)$(LIBEXECDIR)/daxmem/host-live-update \
		$(DESTDIR)$(LIBDIR)/libdaxmem.so.$(DAXMEM_SO_VERSION) $(DESTDIR)$(LIBDIR)/libdaxmem.so \
		$(DESTDIR)$(LIBDIR)/libdaxmem.a $(DESTDIR)$(PKGCONFIGDIR)/daxmem.pc \
		$(PUBLIC_HEADERS:daxmem/include/%=$(DESTDIR)$(INCLUDEDIR)/%) \
		$(DESTDIR)$(MANDIR)/man1/tinyvmm.1 $(DESTDIR)$(MANDIR)/man4/pdax.4 \
		$(DESTDIR)$(MANDIR)/man8/daxmemctl.8 \
		$(UNITS:dist/%.service=$(DESTDIR)$(SYSTEMDUNITDIR)/%.service)
	rm -rf $(DESTDIR)$(DKMSSRCDIR)/pdax-$(VERSION)
	-rmdir $(DESTDIR)$(INCLUDEDIR)/daxmem $(DESTDIR)$(LIBEXECDIR)/daxmem 2>/dev/null

# The packages build from a copy of the tree (no build/, no .git), so the
# developer's build is left alone and the .deb files land in $(BUILD)/deb;
# none of this make's variables reach the copy's build.
DEB_DIR := $(BUILD)/deb
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || \
		{ echo "deb: needs dpkg-dev, debhelper and dh-dkms (tests/pkg/check --deps installs them)" >&2; exit 1; }
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/daxmem-$(VERSION)
	tar --exclude=./build --exclude=./.git --exclude='./fuzz-out' -cf - . | \
		tar -x -C $(DEB_DIR)/daxmem-$(VERSION)
	cd $(DEB_DIR)/daxmem-$(VERSION) && \
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD dpkg-buildpackage -b -us -uc -j2
	@ls $(DEB_DIR)/*.deb

pkg-check:
	@tests/pkg/check
