# The pageless module, built out of tree with Kbuild against Debian's headers
# (fetched by `make deps` into $(BUILD)/k/<ver>). KVER=6.12 (default) or 6.1;
# KDIR= overrides with any kernel build directory (e.g. /lib/modules/$(uname -r)/build).
# Sources are copied to $(BUILD)/kmod/<ver>/ so each kernel gets its own objects
# and the source tree stays clean.

KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild
KDIR ?= $(firstword $(wildcard $(BUILD)/k/$(KVER)/usr/src/linux-headers-*-amd64))
KMOD_OUT := $(BUILD)/kmod/$(KVER)

kmod: $(KMOD_OUT)/pdax.ko

$(KMOD_OUT)/pdax.ko: $(KMOD_SRCS)
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "kmod: no kernel headers for KVER=$(KVER); run 'make deps' or set KDIR=" >&2; exit 1; fi
	@mkdir -p $(KMOD_OUT)
	cp $(KMOD_SRCS) $(KMOD_OUT)/
	$(MAKE) -C $(KDIR) M=$(abspath $(KMOD_OUT)) modules

.PHONY: kmod-all
kmod-all:
	$(MAKE) KVER=6.12 kmod
	$(MAKE) KVER=6.1 kmod
