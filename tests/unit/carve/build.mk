# Carve planner and savings unit tests: build/bin/unit-carve.
# Links the two daxmemctl commands (savings with its measurement and report)
# and the static libdaxmem (planner, model, counters, parsers): no shared
# library, no kernel.
UNIT_CARVE_SRCS := $(wildcard tests/unit/carve/*.c)
UNIT_CARVE_OBJS := $(UNIT_CARVE_SRCS:%.c=$(OBJ)/%.o) \
	$(OBJ)/tools/cmd_carve.o $(OBJ)/tools/cmd_savings.o \
	$(OBJ)/tools/savings_measure.o $(OBJ)/tools/savings_report.o

$(UNIT_CARVE_SRCS:%.c=$(OBJ)/%.o): CPPFLAGS += -Itools $(DAXMEM_PKG_CFLAGS)

$(BIN)/unit-carve: $(UNIT_CARVE_OBJS) $(DAXMEM_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_CARVE_OBJS) $(DAXMEM_A) -lcriterion $(DAXMEM_PKG_LIBS) -lm

UNIT_BINS += $(BIN)/unit-carve
