# util/ unit tests: build/bin/unit-util, linked with the util objects only.
UNIT_UTIL_SRCS := $(wildcard tests/unit/util/*.c)
UNIT_UTIL_OBJS := $(UNIT_UTIL_SRCS:%.c=$(OBJ)/%.o)

$(UNIT_UTIL_OBJS): CPPFLAGS += $(shell pkg-config --cflags criterion)

$(BIN)/unit-util: $(UNIT_UTIL_OBJS) $(UTIL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs criterion)

UNIT_BINS += $(BIN)/unit-util
