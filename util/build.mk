# util/: the floor shared by libdaxmem, daxmemctl and tinyvmm (file I/O,
# atomic replacement, CRC-32). Position independent objects, linked into
# each: libdaxmem.sym keeps them local to the shared library, so daxmemctl
# links its own copy. The unit tests are in tests/unit/util/.
UTIL_SRCS := $(wildcard util/*.c)
UTIL_OBJS := $(UTIL_SRCS:%.c=$(OBJ)/%.o)

$(UTIL_OBJS): CFLAGS += -fPIC
