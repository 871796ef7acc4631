# daxmemctl: every tools/*.c (one file per command or concern), linked with
# the shared libdaxmem found next to it ($ORIGIN/../lib) and installed
# wherever build/lib goes.

DAXMEMCTL_SRCS := $(wildcard tools/*.c)
DAXMEMCTL_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(DAXMEMCTL_SRCS))

PROGRAMS += $(BIN)/daxmemctl

$(DAXMEMCTL_OBJS): CPPFLAGS += $(DAXMEM_PKG_CFLAGS)

$(BIN)/daxmemctl: $(DAXMEMCTL_OBJS) $(DAXMEM_SO) $(LIB)/libdaxmem.so
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(DAXMEMCTL_OBJS) -L$(LIB) -ldaxmem \
		-Wl,-rpath,'$$ORIGIN/../lib' $(DAXMEM_PKG_LIBS) -lm
