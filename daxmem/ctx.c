// SPDX-License-Identifier: LGPL-2.1
/* The library context: lifetime, logging, state file location, scanning. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

static void log_stderr(struct daxmem_ctx *ctx, int priority, const char *fmt, va_list args)
{
	fprintf(stderr, "libdaxmem: ");
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

void daxmem_log(struct daxmem_ctx *ctx, int priority, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->log_fn || priority > ctx->log_priority)
		return;
	va_start(ap, fmt);
	ctx->log_fn(ctx, priority, fmt, ap);
	va_end(ap);
}

int daxmem_new(struct daxmem_ctx **out)
{
	struct daxmem_ctx *ctx = calloc(1, sizeof(*ctx));
	int rc;

	if (!ctx)
		return -ENOMEM;
	ctx->refcount = 1;
	ctx->log_fn = log_stderr;
	ctx->log_priority = LOG_ERR;
	ctx->lock_timeout_ms = DAXMEM_LOCK_TIMEOUT_MS_DEFAULT;
	ctx->lock_fd = -1;
	ctx->ops[DAXMEM_BACKEND_DEVDAX] = &daxmem_devdax_ops;
	ctx->ops[DAXMEM_BACKEND_PAGELESS] = &daxmem_pageless_ops;
	daxmem_state_init(&ctx->state);
	rc = daxmem_set_state_path(ctx, NULL);
	if (rc) {
		free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

struct daxmem_ctx *daxmem_ref(struct daxmem_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

void daxmem_unref(struct daxmem_ctx *ctx)
{
	int i;

	if (!ctx || --ctx->refcount > 0)
		return;
	daxmem_regions_clear(ctx);
	daxmem_state_unlock(ctx);
	for (i = 0; i < DAXMEM_NR_BACKENDS; i++) {
		const struct daxmem_backend_ops *ops = daxmem_backend_ops(ctx, i);

		if (ops && ops->fini)
			ops->fini(ctx);
	}
	daxmem_state_clear(&ctx->state);
	free(ctx->state_path);
	free(ctx);
}

void daxmem_set_log_fn(struct daxmem_ctx *ctx, daxmem_log_fn fn)
{
	ctx->log_fn = fn;
}

void daxmem_set_log_priority(struct daxmem_ctx *ctx, int priority)
{
	ctx->log_priority = priority;
}

int daxmem_get_log_priority(struct daxmem_ctx *ctx)
{
	return ctx->log_priority;
}

void daxmem_set_userdata(struct daxmem_ctx *ctx, void *userdata)
{
	ctx->userdata = userdata;
}

void *daxmem_get_userdata(struct daxmem_ctx *ctx)
{
	return ctx->userdata;
}

int daxmem_set_state_path(struct daxmem_ctx *ctx, const char *path)
{
	char *p;

	if (!path) {
		path = getenv(DAXMEM_STATE_ENV);
		if (!path || !*path)
			path = DAXMEM_STATE_PATH_DEFAULT;
	}
	if (!*path)
		return -EINVAL;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	free(ctx->state_path);
	ctx->state_path = p;
	ctx->scanned = false;
	return 0;
}

const char *daxmem_get_state_path(struct daxmem_ctx *ctx)
{
	return ctx->state_path;
}

void daxmem_set_lock_timeout(struct daxmem_ctx *ctx, unsigned int ms)
{
	ctx->lock_timeout_ms = ms;
}

const struct daxmem_backend_ops *daxmem_backend_ops(struct daxmem_ctx *ctx,
						    enum daxmem_backend backend)
{
	if (backend < 0 || backend >= DAXMEM_NR_BACKENDS)
		return NULL;
	return ctx->ops[backend];
}

int daxmem_set_backend_ops(struct daxmem_ctx *ctx, enum daxmem_backend backend,
			   const struct daxmem_backend_ops *ops)
{
	const struct daxmem_backend_ops *old = daxmem_backend_ops(ctx, backend);

	if (!old || !ops || ops->backend != backend)
		return -EINVAL;
	daxmem_regions_clear(ctx);
	if (old->fini)
		old->fini(ctx);
	ctx->ops[backend] = ops;
	return 0;
}

static int cmp_region(const void *a, const void *b)
{
	const struct daxmem_region *x = *(struct daxmem_region *const *)a;
	const struct daxmem_region *y = *(struct daxmem_region *const *)b;

	if (x->backend != y->backend)
		return x->backend < y->backend ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int scan_locked(struct daxmem_ctx *ctx)
{
	struct daxmem_state st;
	int i, rc;

	rc = daxmem_state_load(ctx, ctx->state_path, &st);
	if (rc)
		return rc;
	daxmem_regions_clear(ctx);
	daxmem_state_clear(&ctx->state);
	ctx->state = st;
	for (i = 0; i < DAXMEM_NR_BACKENDS; i++) {
		rc = daxmem_backend_ops(ctx, i)->scan(ctx);
		if (rc)
			return rc;
	}
	if (ctx->nr_regions)
		qsort(ctx->regions, ctx->nr_regions, sizeof(*ctx->regions), cmp_region);
	rc = daxmem_regions_settle(ctx);
	if (rc)
		return rc;
	ctx->scanned = true;
	return 0;
}

/*
 * Outside a change, the scan holds the state lock shared, so it never reads
 * the kernel's devices while another process adds or removes one.
 */
int daxmem_scan(struct daxmem_ctx *ctx)
{
	int fd, rc;

	if (ctx->lock_fd >= 0)
		return scan_locked(ctx);
	rc = daxmem_state_lock_shared(ctx, &fd);
	if (rc)
		return rc;
	rc = scan_locked(ctx);
	if (fd >= 0)
		close(fd);
	return rc;
}

int daxmem_lock_scan(struct daxmem_ctx *ctx)
{
	int rc = daxmem_state_lock(ctx);

	if (rc)
		return rc;
	rc = daxmem_scan(ctx);
	if (rc)
		daxmem_state_unlock(ctx);
	return rc;
}

int daxmem_refresh(struct daxmem_ctx *ctx)
{
	return daxmem_scan(ctx);
}
