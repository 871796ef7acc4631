# daxmem: pageless guest memory for KVM.
#
#   make            build everything (library, daxmemctl, tinyvmm, module)
#   make deps       install build/test dependencies from Debian, fetch kernels
#   make unit       Criterion unit tests and a short fuzz pass
#   make vmtest     testbed tests (real kernels under QEMU, nested KVM)
#   make test       deps + build + unit + vmtest, ends with "N passed, N failed"
#   make demo       the main story, in the testbed
#   make bench      benchmarks, writes docs/results.md and plots
#   make install    tools, library, headers, daxmem.pc, man pages, systemd
#                   units, DKMS source (PREFIX=/usr/local, DESTDIR=); uninstall
#   make deb        Debian packages into build/deb (docs/deploy.md)
#   make pkg-check  build, install and use the packages on this host
#
# Variables: KVER=6.12|6.1 (module target kernel), KDIR= (explicit kernel
# build dir), SANITIZE=1 (ASan+UBSan userspace in build/san).

# the release: --version of the tools, daxmem.pc, the DKMS tree, debian/changelog
VERSION  := 0.1
BUILD    ?= build
KVER     ?= 6.12
CC       ?= gcc
CFLAGS   ?= -O2 -g
SANITIZE ?=

ifeq ($(SANITIZE),1)
BUILD    := build/san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2
CPPFLAGS += -D_GNU_SOURCE -I. -Idaxmem/include -DDAXMEM_VERSION='"$(VERSION)"'
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(CPPFLAGS) -MMD -MP

BIN := $(BUILD)/bin
LIB := $(BUILD)/lib
OBJ := $(BUILD)/obj

# Parts append their outputs to these.
PROGRAMS :=
LIBS     :=
UNIT_BINS :=


.PHONY: all deps unit unit-bins vmtest test demo bench fuzz clean kmod format
all:

include util/build.mk
include daxmem/build.mk
include tools/build.mk
include vmm/build.mk
include kmod/build.mk
include tests/unit/build.mk
include tests/vm/build.mk
-include tests/bench/build.mk
-include tests/fuzz/build.mk
include dist/build.mk

all: $(LIBS) $(PROGRAMS) $(KMODS)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# the kernels stay in build/k; a sanitized build links them into its tree
deps:
	@tests/vm/deps.sh
ifeq ($(SANITIZE),1)
	@mkdir -p $(BUILD) && ln -sfn ../k $(BUILD)/k
endif

test: deps
	@$(MAKE) --no-print-directory all unit-bins
	@BUILD=$(abspath $(BUILD)) SANITIZE=$(SANITIZE) tests/run-all

vmtest: all
	@BUILD=$(abspath $(BUILD)) tests/run-all --vm-only

unit-bins: $(UNIT_BINS)

unit: $(UNIT_BINS)
	@BUILD=$(abspath $(BUILD)) SANITIZE=$(SANITIZE) tests/run-all --unit-only

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/vm/run --timeout 900 examples/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/run

fuzz:
	@tests/fuzz/run

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)/bin $(BUILD)/lib $(BUILD)/obj $(BUILD)/kmod $(BUILD)/vm-mod $(BUILD)/tests $(BUILD)/guest $(BUILD)/guest-bin $(BUILD)/san $(BUILD)/vm \
		$(BUILD)/dist $(BUILD)/deb $(BUILD)/pkg-check

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
