# Benchmarks (`make bench` runs tests/bench/run). The programs go to
# $(BUILD)/tests/bin so the testbed has them on its PATH as well.
#   bench-churn   allocator churn: libdaxmem's range allocator against a model
#                 of the kernel's device-dax allocator (host only, pure)
#   bench-dev     create / enable / scrub / first-map of one dax device, the
#                 host memory it costs, faults and populate time (testbed)
#   bench-boot    times a VMM from launch to marker lines of its guest (testbed)
#   bench-zero    zeroing (scrub) bandwidth against memset's (host, pure)
#   unit-bench    Criterion tests of the device-dax placement model

BENCH_BIN := $(BUILD)/tests/bin
BENCH_PROGRAMS := $(BENCH_BIN)/bench-churn $(BENCH_BIN)/bench-dev $(BENCH_BIN)/bench-boot \
	$(BENCH_BIN)/bench-zero
PROGRAMS += $(BENCH_PROGRAMS)

bench-programs: $(BENCH_PROGRAMS)
.PHONY: bench-programs

# bench-churn measures the library's own allocator (daxmem/alloc.c, private
# header): linked from the static library when it is part of the build.
BENCH_DAXMEM := $(or $(DAXMEM_A),$(OBJ)/daxmem/alloc.o)
$(OBJ)/tests/bench/churn.o: CPPFLAGS += -Idaxmem

$(BENCH_BIN)/bench-churn: $(OBJ)/tests/bench/churn.o $(OBJ)/tests/bench/kdax_sim.o $(BENCH_DAXMEM)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

# unit tests of the device-dax placement model
UNIT_BENCH_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/unit/bench/*.c))
UNIT_BINS += $(BIN)/unit-bench
$(UNIT_BENCH_OBJS): CPPFLAGS += -Itests/bench $(shell pkg-config --cflags criterion)

$(BIN)/unit-bench: $(UNIT_BENCH_OBJS) $(OBJ)/tests/bench/kdax_sim.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs criterion)

$(BENCH_BIN)/bench-dev: $(OBJ)/tests/bench/dev.o $(OBJ)/tests/bench/map.o $(OBJ)/tests/bench/util.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BENCH_BIN)/bench-boot: $(OBJ)/tests/bench/boot.o $(OBJ)/tests/bench/util.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BENCH_BIN)/bench-zero: $(OBJ)/tests/bench/zero.o $(OBJ)/util/zero.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
