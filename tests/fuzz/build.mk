# Fuzzing: libFuzzer harnesses built with clang (ASan + UBSan) into
# $(BUILD)/fuzz. Each harness links the pure objects it exercises, compiled
# from the project's own sources with the same flags. `make fuzz` runs them
# (tests/fuzz/run); `make fuzz-bins` only builds them.

FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_OBJ := $(FUZZ_DIR)/obj
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(WARN) \
	-Wno-gnu-variable-sized-type-not-at-end -D_GNU_SOURCE \
	-I. -Idaxmem/include -Idaxmem -Ivmm -Itests/fuzz $(shell pkg-config --cflags json-c 2>/dev/null)
FUZZ_HARNESSES := parse iomem state alloc bzimage ioport vmstate meta control
FUZZ_BINS := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/fuzz-%)

# Pure objects each harness links, by source file.
FUZZ_LINK_parse := daxmem/parse.c daxmem/carve.c daxmem/iomem.c vmm/util.c
FUZZ_LINK_iomem := daxmem/iomem.c daxmem/carve.c daxmem/parse.c
FUZZ_LINK_state := daxmem/state.c daxmem/parse.c
FUZZ_LINK_alloc := daxmem/alloc.c
FUZZ_LINK_bzimage := vmm/boot.c vmm/e820.c vmm/layout.c
FUZZ_LINK_ioport := vmm/ioport.c vmm/serial.c vmm/i8042.c vmm/rtc.c
FUZZ_LINK_vmstate := vmm/snapshot.c vmm/statefile.c vmm/util.c util/crc32.c
FUZZ_LINK_meta := daxmem/metadata.c daxmem/iomem.c daxmem/carve.c daxmem/parse.c daxmem/state.c \
	util/crc32.c
FUZZ_LINK_control := vmm/control_proto.c
FUZZ_LIBS_state := $(shell pkg-config --libs json-c 2>/dev/null)
FUZZ_LIBS_meta := $(FUZZ_LIBS_state)
$(foreach h,$(FUZZ_HARNESSES),$(eval FUZZ_OBJS_$(h) := $(FUZZ_LINK_$(h):%.c=$(FUZZ_OBJ)/%.o)))

.PHONY: fuzz-bins
fuzz-bins: $(FUZZ_BINS)

$(FUZZ_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -MMD -MP -c -o $@ $<

.PRECIOUS: $(FUZZ_OBJ)/%.o
.SECONDEXPANSION:
$(FUZZ_DIR)/fuzz-%: $(FUZZ_OBJ)/tests/fuzz/fuzz_%.o $$(FUZZ_OBJS_$$*)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS_$*) -lpthread -lm

-include $(shell find $(FUZZ_OBJ) -name '*.d' 2>/dev/null)
