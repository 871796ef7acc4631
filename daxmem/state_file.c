// SPDX-License-Identifier: LGPL-2.1
/*
 * The state file on disk. Writers hold an exclusive flock on "<state>.lock"
 * (a separate file: the state file itself is replaced by rename and would
 * lose a lock held on it) and replace the file atomically: write a temporary
 * file in the same directory, fsync it, rename it over the state file, fsync
 * the directory. Readers therefore see either the old or the new document.
 * A scan outside a change holds the lock shared: the kernel's device
 * attributes are then never read while a writer adds or removes devices
 * (on 6.12, reading a device-dax mapping while it is removed deadlocks).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "util/file.h"

#define STATE_MAX_BYTES (64u << 20)

static int mkdir_parents(struct daxmem_ctx *ctx, const char *path)
{
	char why[512];
	int rc = util_mkdir_parents(path, 0755, why, sizeof(why));

	if (rc)
		err(ctx, "%s", why);
	return rc;
}

/* wait for flock(fd, op) up to the context's lock timeout */
static int lock_wait(struct daxmem_ctx *ctx, int fd, int op, const char *lock_path)
{
	struct timespec start, now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int rc = -errno;

			err(ctx, "flock %s: %s", lock_path, strerror(errno));
			return rc;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= (long)ctx->lock_timeout_ms) {
			err(ctx,
			    "timed out after %u ms waiting for the lock on %s: another daxmemctl is changing the state",
			    ctx->lock_timeout_ms, lock_path);
			return -ETIMEDOUT;
		}
		usleep(10000);
	}
}

int daxmem_state_lock(struct daxmem_ctx *ctx)
{
	char *lock_path;
	int fd, rc;

	if (ctx->lock_fd >= 0)
		return 0;
	rc = mkdir_parents(ctx, ctx->state_path);
	if (rc)
		return rc;
	if (asprintf(&lock_path, "%s.lock", ctx->state_path) < 0)
		return -ENOMEM;
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		err(ctx, "open %s: %s", lock_path, strerror(errno));
		free(lock_path);
		return rc;
	}
	rc = lock_wait(ctx, fd, LOCK_EX, lock_path);
	free(lock_path);
	if (rc) {
		close(fd);
		return rc;
	}
	ctx->lock_fd = fd;
	return 0;
}

int daxmem_state_lock_shared(struct daxmem_ctx *ctx, int *fdp)
{
	char *lock_path;
	int fd, rc;

	*fdp = -1;
	if (asprintf(&lock_path, "%s.lock", ctx->state_path) < 0)
		return -ENOMEM;
	fd = open(lock_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* no writer has run yet, or this user may not read the lock */
		dbg(ctx, "open %s: %s; reading without the lock", lock_path, strerror(errno));
		free(lock_path);
		return 0;
	}
	rc = lock_wait(ctx, fd, LOCK_SH, lock_path);
	free(lock_path);
	if (rc) {
		close(fd);
		return rc;
	}
	*fdp = fd;
	return 0;
}

void daxmem_state_unlock(struct daxmem_ctx *ctx)
{
	if (ctx->lock_fd < 0)
		return;
	close(ctx->lock_fd);
	ctx->lock_fd = -1;
}

int daxmem_state_load(struct daxmem_ctx *ctx, const char *path, struct daxmem_state *st)
{
	char errbuf[256] = "", why[512];
	size_t len;
	char *text;
	int rc;

	daxmem_state_init(st);
	rc = util_read_file(path, STATE_MAX_BYTES, &text, &len, why, sizeof(why));
	if (rc == -ENOENT)
		return 0;
	if (rc == -EFBIG) {
		err(ctx, "state file %s", why);
		return rc;
	}
	if (rc) {
		err(ctx, "%s", why);
		return rc;
	}
	rc = daxmem_state_parse(text, len, st, errbuf, sizeof(errbuf));
	free(text);
	if (rc == -EPROTONOSUPPORT) {
		err(ctx, "state file %s: %s; use a newer daxmemctl", path, errbuf);
	} else if (rc) {
		err(ctx,
		    "state file %s is corrupt (%s); it was left untouched: move it aside (mv %s %s.corrupt) and run 'daxmemctl save' to record what the kernel holds",
		    path, errbuf, path, path);
	}
	return rc;
}

int daxmem_state_store(struct daxmem_ctx *ctx, const char *path, const struct daxmem_state *st)
{
	char why[512];
	char *text;
	int rc;

	rc = mkdir_parents(ctx, path);
	if (rc)
		return rc;
	text = daxmem_state_format(st);
	if (!text)
		return -ENOMEM;
	rc = util_write_atomic(path, text, strlen(text), 0644, why, sizeof(why));
	if (rc)
		err(ctx, "%s", why);
	free(text);
	return rc;
}
