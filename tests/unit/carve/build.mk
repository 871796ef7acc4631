# Carve planner and savings model unit tests: build/bin/unit-carve.
# Links the pure objects directly, so it needs neither the library build
# nor a kernel.
UNIT_CARVE_SRCS := $(wildcard tests/unit/carve/*.c)
UNIT_CARVE_OBJS := $(UNIT_CARVE_SRCS:%.c=$(OBJ)/%.o) \
	$(OBJ)/daxmem/carve.o $(OBJ)/daxmem/iomem.o $(OBJ)/daxmem/savings_model.o

$(BIN)/unit-carve: $(UNIT_CARVE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcriterion

UNIT_BINS += $(BIN)/unit-carve
