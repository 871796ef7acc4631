# Device core unit tests: build/bin/unit-core. The static libdaxmem with an
# in-memory kernel (fake_kernel.c) in both backend slots: create, destroy,
# save/restore, merging and poison run without sysfs, libdaxctl or the
# module. The fake is linked into this binary only; the shared library
# never contains it.
UNIT_CORE_SRCS := $(wildcard tests/unit/core/*.c)
UNIT_CORE_OBJS := $(UNIT_CORE_SRCS:%.c=$(OBJ)/%.o)

$(UNIT_CORE_OBJS): CPPFLAGS += $(DAXMEM_PKG_CFLAGS) -Idaxmem $(shell pkg-config --cflags criterion)

$(BIN)/unit-core: $(UNIT_CORE_OBJS) $(DAXMEM_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(UNIT_CORE_OBJS) $(DAXMEM_A) \
		$(shell pkg-config --libs criterion) $(DAXMEM_PKG_LIBS) -lm

UNIT_BINS += $(BIN)/unit-core
