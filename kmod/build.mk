# Out-of-tree modules, built with Kbuild against Debian's headers unpacked by
# `make deps` under $(BUILD)/k/<ver>:
#   pdax.ko          the pageless driver (kmod/)
#   testbed_warn.ko  testbed self-test module (tests/vm/warnmod/)
# `make kmod` builds both for KVER (default 6.12); `make` builds them for 6.12
# and 6.1 so the testbed can boot either. KDIR=<kernel build dir> builds for
# any other kernel into $(BUILD)/kmod/custom (e.g. KDIR=/lib/modules/$(uname -r)/build).
# Sources are copied to the output directory so each kernel gets its own
# objects and the source tree stays clean.

KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild
WARNMOD_SRCS := tests/vm/warnmod/testbed_warn.c tests/vm/warnmod/Kbuild
KMOD_VERSIONS := 6.12 6.1
kdir_of = $(firstword $(wildcard $(BUILD)/k/$(1)/usr/src/linux-headers-*-amd64))

# $(1): version tag, $(2): kernel build dir
define kmod_rules
$(BUILD)/kmod/$(1)/pdax.ko: $(KMOD_SRCS)
	@if [ -z "$(2)" ] || [ ! -d "$(2)" ]; then \
		echo "kmod: no kernel headers for $(1); run 'make deps' or set KDIR=" >&2; exit 1; fi
	@mkdir -p $(BUILD)/kmod/$(1)
	@cp $(KMOD_SRCS) $(BUILD)/kmod/$(1)/
	$(MAKE) -C $(2) M=$(abspath $(BUILD)/kmod/$(1)) modules

$(BUILD)/vm-mod/$(1)/testbed_warn.ko: $(WARNMOD_SRCS)
	@mkdir -p $(BUILD)/vm-mod/$(1)
	@cp $(WARNMOD_SRCS) $(BUILD)/vm-mod/$(1)/
	$(MAKE) -C $(2) M=$(abspath $(BUILD)/vm-mod/$(1)) modules
endef

ifneq ($(origin KDIR),undefined)
$(eval $(call kmod_rules,custom,$(KDIR)))
kmod: $(BUILD)/kmod/custom/pdax.ko
KMODS := $(BUILD)/kmod/custom/pdax.ko
else
$(foreach v,$(KMOD_VERSIONS),$(eval $(call kmod_rules,$(v),$(call kdir_of,$(v)))))
kmod: $(BUILD)/kmod/$(KVER)/pdax.ko $(BUILD)/vm-mod/$(KVER)/testbed_warn.ko
KMODS := $(foreach v,$(KMOD_VERSIONS),$(BUILD)/kmod/$(v)/pdax.ko $(BUILD)/vm-mod/$(v)/testbed_warn.ko)
endif

# The handover script (dax_hmem <-> pdax) is installed next to the tools.
PROGRAMS += $(BIN)/pdax-handover
$(BIN)/pdax-handover: kmod/pdax-handover.sh
	@mkdir -p $(dir $@)
	install -m 0755 $< $@
