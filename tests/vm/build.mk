# Testbed helpers: small programs run inside the testbed, copied to its PATH
# from $(BUILD)/tests/bin. (The testbed's self-test module is built with the
# project's module, see kmod/build.mk.)

TESTBED_HELPERS := $(patsubst tests/vm/helpers/%.c,$(BUILD)/tests/bin/%,$(wildcard tests/vm/helpers/*.c))
PROGRAMS += $(TESTBED_HELPERS)

$(BUILD)/tests/bin/%: tests/vm/helpers/%.c
	@mkdir -p $(dir $@) $(OBJ)/tests/vm/helpers
	$(CC) $(ALL_CFLAGS) -MF $(OBJ)/tests/vm/helpers/$*.d -o $@ $< $(LDFLAGS)

# statecpuid edits a tinyvmm state file through tinyvmm's own encoder.
$(BUILD)/tests/bin/statecpuid: tests/vm/helpers/statecpuid.c $(OBJ)/vmm/statefile.o $(OBJ)/util/crc32.o
	@mkdir -p $(dir $@) $(OBJ)/tests/vm/helpers
	$(CC) $(ALL_CFLAGS) -Ivmm -MF $(OBJ)/tests/vm/helpers/statecpuid.d -o $@ $^ $(LDFLAGS)
