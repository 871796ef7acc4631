# libdaxmem: build/lib/libdaxmem.so (versioned by daxmem/libdaxmem.sym) and
# build/lib/libdaxmem.a, from every daxmem/*.c. Objects are position
# independent so both libraries share them; both carry util/ too. The Criterion unit tests in
# tests/unit/daxmem/ link the static library.

DAXMEM_SO_VERSION := 1
DAXMEM_SRCS := $(wildcard daxmem/*.c)
DAXMEM_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(DAXMEM_SRCS))
DAXMEM_PKGS := libdaxctl json-c
DAXMEM_PKG_CFLAGS := $(shell pkg-config --cflags $(DAXMEM_PKGS) 2>/dev/null)
DAXMEM_PKG_LIBS := $(shell pkg-config --libs $(DAXMEM_PKGS) 2>/dev/null)
DAXMEM_SO := $(LIB)/libdaxmem.so.$(DAXMEM_SO_VERSION)
DAXMEM_A := $(LIB)/libdaxmem.a

LIBS += $(DAXMEM_SO) $(LIB)/libdaxmem.so $(DAXMEM_A)

$(DAXMEM_OBJS): CPPFLAGS += $(DAXMEM_PKG_CFLAGS)
$(DAXMEM_OBJS): CFLAGS += -fPIC -fvisibility=default

$(DAXMEM_SO): $(DAXMEM_OBJS) $(UTIL_OBJS) daxmem/libdaxmem.sym
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libdaxmem.so.$(DAXMEM_SO_VERSION) \
		-Wl,--version-script=daxmem/libdaxmem.sym -Wl,--no-undefined \
		$(LDFLAGS) -o $@ $(DAXMEM_OBJS) $(UTIL_OBJS) $(DAXMEM_PKG_LIBS) -lm

$(LIB)/libdaxmem.so: $(DAXMEM_SO)
	ln -sf $(notdir $<) $@

$(DAXMEM_A): $(DAXMEM_OBJS) $(UTIL_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $(DAXMEM_OBJS) $(UTIL_OBJS)

# unit tests: Criterion, linked with the static library
UNIT_DAXMEM_SRCS := $(wildcard tests/unit/daxmem/*.c)
UNIT_DAXMEM_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(UNIT_DAXMEM_SRCS))
UNIT_BINS += $(BIN)/unit-daxmem

$(UNIT_DAXMEM_OBJS): CPPFLAGS += $(DAXMEM_PKG_CFLAGS) -Idaxmem $(shell pkg-config --cflags criterion)

$(BIN)/unit-daxmem: $(UNIT_DAXMEM_OBJS) $(DAXMEM_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(UNIT_DAXMEM_OBJS) $(DAXMEM_A) \
		$(shell pkg-config --libs criterion) $(DAXMEM_PKG_LIBS) -lm
