# Sanitizer self-check: $(BUILD)/selfcheck/unit-sancheck, a Criterion binary
# whose tests each commit one error (heap overflow, leak, signed overflow).
# Only with SANITIZE=1 SANCHECK=1, and outside $(BIN) and UNIT_BINS, so no
# normal build or unit run contains it; tests/run-all builds and runs it in
# sanitized runs and requires every error to be reported.
ifeq ($(SANCHECK),1)
ifneq ($(SANITIZE),1)
$(error SANCHECK=1 needs SANITIZE=1: the self-check tests a sanitized build)
endif
SANCHECK_SRCS := $(wildcard tests/unit/sancheck/*.c)
SANCHECK_OBJS := $(SANCHECK_SRCS:%.c=$(OBJ)/%.o)
SANCHECK_BIN := $(BUILD)/selfcheck/unit-sancheck

$(SANCHECK_OBJS): CPPFLAGS += -DDAXMEM_SANCHECK $(shell pkg-config --cflags criterion)

$(SANCHECK_BIN): $(SANCHECK_OBJS) $(DAXMEM_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(SANCHECK_OBJS) $(DAXMEM_A) \
		$(shell pkg-config --libs criterion) $(DAXMEM_PKG_LIBS) -lm

.PHONY: sancheck-bin
sancheck-bin: $(SANCHECK_BIN)
else
.PHONY: sancheck-bin
sancheck-bin:
	@echo "sancheck-bin: needs make SANITIZE=1 SANCHECK=1" >&2; exit 2
endif
