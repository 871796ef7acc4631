// SPDX-License-Identifier: GPL-2.0
/* Sanitizer self-check: each test commits one error the sanitized build must report. */
/*
 * Built only by "make SANITIZE=1 SANCHECK=1 sancheck-bin" into
 * $(BUILD)/selfcheck/unit-sancheck, never into the unit binaries, so a normal
 * unit run never sees these deliberate errors. tests/run-all runs each test on
 * its own in sanitized builds and requires it to be judged a failure with the
 * named sanitizer report: if the flags, the runtime or a suppression ever stop
 * errors from being reported, that check fails instead of the gate going blind.
 */
#ifndef DAXMEM_SANCHECK
#error "only for make SANITIZE=1 SANCHECK=1: every test in this file fails on purpose"
#endif

#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <daxmem/libdaxmem.h>

/* AddressSanitizer: heap-buffer-overflow, one byte past a malloc'd buffer */
Test(sancheck, heap_buffer_overflow)
{
	/* volatile: the compiler must not see (and refuse) the overflow */
	volatile size_t len = 16;
	volatile char *buf = malloc(len);

	cr_assert_not_null(buf);
	memset((char *)buf, 0, len);
	cr_log_info("byte past the end: %d", buf[len]);
	free((char *)buf);
}

/*
 * LeakSanitizer: a libdaxmem context never released. The test itself passes;
 * the report comes at the worker's exit, after Criterion has counted it, and
 * the allocation is the project's own, so no suppression may hide it.
 */
Test(sancheck, leak)
{
	struct daxmem_ctx *ctx;

	cr_assert_eq(daxmem_new(&ctx), 0);
}

/* UndefinedBehaviorSanitizer: signed integer overflow */
Test(sancheck, signed_overflow)
{
	volatile int big = INT_MAX;

	cr_log_info("INT_MAX + 1 = %d", big + 1);
}
