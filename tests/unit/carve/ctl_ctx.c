// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The commands under test take their library context from daxmemctl's
 * main program (tools/daxmemctl.c), which these tests do not link: this is
 * the same context without the global options, on $DAXMEM_STATE, logging
 * errors to stderr.
 */
#include <stdio.h>
#include <string.h>

#include <daxmem/libdaxmem.h>

struct daxmem_ctx *ctl_ctx(void);

static void log_stderr(struct daxmem_ctx *ctx, int priority, const char *fmt, va_list args)
{
	fputs("daxmemctl: ", stderr);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

struct daxmem_ctx *ctl_ctx(void)
{
	struct daxmem_ctx *ctx;
	int rc = daxmem_new(&ctx);

	if (rc) {
		fprintf(stderr, "daxmemctl: daxmem_new: %s\n", strerror(-rc));
		return NULL;
	}
	daxmem_set_log_fn(ctx, log_stderr);
	return ctx;
}
