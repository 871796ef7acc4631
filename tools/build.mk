# daxmemctl: every tools/*.c (one file per command or concern), linked with
# the shared libdaxmem: found through $ORIGIN/../lib when build/bin and
# build/lib move together, and through the build tree's absolute path when
# the binary is copied alone (the testbed resolves libraries with ldd on the
# copy and installs them in its standard library directory).

DAXMEMCTL_SRCS := $(wildcard tools/*.c)
DAXMEMCTL_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(DAXMEMCTL_SRCS))

PROGRAMS += $(BIN)/daxmemctl
DAXMEMCTL_RPATH ?= -Wl,-rpath,'$$ORIGIN/../lib:$(abspath $(LIB))'

$(DAXMEMCTL_OBJS): CPPFLAGS += $(DAXMEM_PKG_CFLAGS)

$(BIN)/daxmemctl: $(DAXMEMCTL_OBJS) $(UTIL_OBJS) $(DAXMEM_SO) $(LIB)/libdaxmem.so
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(DAXMEMCTL_OBJS) $(UTIL_OBJS) -L$(LIB) -ldaxmem \
		$(DAXMEMCTL_RPATH) $(DAXMEM_PKG_LIBS) -lm
