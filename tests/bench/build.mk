# Benchmarks (`make bench` runs tests/bench/run). The programs go to
# $(BUILD)/tests/bin so the testbed has them on its PATH as well.
#   bench-churn   allocator churn: libdaxmem's range allocator against a model
#                 of the kernel's device-dax allocator (host only, pure)
#   bench-dev     create / enable / scrub / first-map of one dax device, the
#                 host memory it costs, faults and populate time (testbed)
#   bench-boot    times a VMM from launch to marker lines of its guest (testbed)

BENCH_BIN := $(BUILD)/tests/bin
BENCH_PROGRAMS := $(BENCH_BIN)/bench-churn $(BENCH_BIN)/bench-dev $(BENCH_BIN)/bench-boot
PROGRAMS += $(BENCH_PROGRAMS)

bench-programs: $(BENCH_PROGRAMS)
.PHONY: bench-programs

# bench-churn measures the allocator object the library is built from.
$(OBJ)/tests/bench/churn.o: CPPFLAGS += -Idaxmem

$(BENCH_BIN)/bench-churn: $(OBJ)/tests/bench/churn.o $(OBJ)/tests/bench/kdax_sim.o $(OBJ)/daxmem/alloc.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BENCH_BIN)/bench-dev: $(OBJ)/tests/bench/dev.o $(OBJ)/tests/bench/map.o $(OBJ)/tests/bench/util.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BENCH_BIN)/bench-boot: $(OBJ)/tests/bench/boot.o $(OBJ)/tests/bench/util.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
