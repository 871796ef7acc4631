# vmm: tinyvmm, its unit tests and the freestanding test guest.

VMM_SRCS := $(wildcard vmm/*.c)
VMM_OBJS := $(VMM_SRCS:%.c=$(OBJ)/%.o)
# Pure parts, linked into the unit tests without KVM.
VMM_PURE := layout e820 boot mptable ioport serial i8042 rtc util statefile mce_status control_proto \
	console cpuid_filter pvclock
VMM_PURE_OBJS := $(VMM_PURE:%=$(OBJ)/vmm/%.o)
VMM_PURE_OBJS += $(OBJ)/vmm/cpuid_model.o

PROGRAMS += $(BIN)/tinyvmm
$(BIN)/tinyvmm: $(VMM_OBJS) $(OBJ)/util/crc32.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread

VMM_UNIT_SRCS := $(wildcard tests/unit/vmm/*.c)
VMM_UNIT_OBJS := $(VMM_UNIT_SRCS:%.c=$(OBJ)/%.o)
$(OBJ)/tests/unit/vmm/%.o: ALL_CFLAGS += -Ivmm
UNIT_BINS += $(BIN)/unit-vmm
$(BIN)/unit-vmm: $(VMM_UNIT_OBJS) $(filter $(VMM_OBJS),$(VMM_PURE_OBJS)) $(OBJ)/util/crc32.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcriterion -lpthread

# The test guest: a flat image with a Linux setup header, so tinyvmm boots
# it through the same bzImage path as a real kernel.
GUEST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -mno-red-zone -mno-sse -mno-mmx -mgeneral-regs-only \
	-mcmodel=small -fno-delete-null-pointer-checks -nostdlib -fno-asynchronous-unwind-tables
GUEST_IMAGES := $(BUILD)/guest/memtest
all: $(GUEST_IMAGES)
$(BUILD)/guest/memtest: vmm/guest/head.S vmm/guest/memtest.c vmm/guest/guest.lds vmm/guest/guest.h
	@mkdir -p $(dir $@) $(OBJ)/vmm/guest
	$(CC) $(GUEST_CFLAGS) -c -o $(OBJ)/vmm/guest/head.o vmm/guest/head.S
	$(CC) $(GUEST_CFLAGS) -c -o $(OBJ)/vmm/guest/memtest.o vmm/guest/memtest.c
	$(LD) -nostdlib -static -T vmm/guest/guest.lds -o $(OBJ)/vmm/guest/memtest.elf \
		$(OBJ)/vmm/guest/head.o $(OBJ)/vmm/guest/memtest.o
	objcopy -O binary $(OBJ)/vmm/guest/memtest.elf $@

# Static Linux programs for the L2 guest's initramfs (tests/vm/run copies
# $(BUILD)/guest-bin into its /bin).
GUEST_BINS := $(BUILD)/guest-bin/ckloop $(BUILD)/guest-bin/poisonme $(BUILD)/guest-bin/clockwatch
all: $(GUEST_BINS)
$(BUILD)/guest-bin/%: vmm/guest/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -static -o $@ $<

# A second, differently built tinyvmm: live restart must also work across
# binaries that differ (tests/vm/scripts/vmm-restart.sh).
PROGRAMS += $(BIN)/tinyvmm-alt
VMM_ALT_OBJS := $(VMM_SRCS:%.c=$(OBJ)/alt/%.o)
$(OBJ)/alt/vmm/%.o: vmm/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 -DTINYVMM_BUILD='"alt"' -c -o $@ $<
$(BIN)/tinyvmm-alt: $(VMM_ALT_OBJS) $(OBJ)/util/crc32.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread
