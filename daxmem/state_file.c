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
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

#define STATE_MAX_BYTES (64u << 20)

static int mkdir_parents(struct daxmem_ctx *ctx, const char *path)
{
	char *copy = strdup(path), *p;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) && errno != EEXIST) {
			int rc = -errno;

			err(ctx, "mkdir %s: %s", copy, strerror(errno));
			free(copy);
			return rc;
		}
		*p = '/';
	}
	free(copy);
	return 0;
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
	char errbuf[256] = "";
	struct stat sb;
	char *text;
	ssize_t got;
	size_t len = 0;
	int fd, rc;

	daxmem_state_init(st);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		err(ctx, "open %s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &sb)) {
		rc = -errno;
		err(ctx, "fstat %s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if (sb.st_size > STATE_MAX_BYTES) {
		err(ctx, "state file %s is larger than %u bytes", path, STATE_MAX_BYTES);
		close(fd);
		return -EFBIG;
	}
	text = malloc(sb.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)sb.st_size) {
		got = read(fd, text + len, sb.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += got;
	}
	close(fd);
	text[len] = '\0';
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

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

int daxmem_state_store(struct daxmem_ctx *ctx, const char *path, const struct daxmem_state *st)
{
	char *text, *tmp = NULL, *dir_copy = NULL;
	int fd = -1, dfd, rc;

	rc = mkdir_parents(ctx, path);
	if (rc)
		return rc;
	text = daxmem_state_format(st);
	if (!text)
		return -ENOMEM;
	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0) {
		tmp = NULL;
		rc = -ENOMEM;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		err(ctx, "open %s: %s", tmp, strerror(errno));
		goto out;
	}
	rc = write_all(fd, text, strlen(text));
	if (rc) {
		err(ctx, "write %s: %s", tmp, strerror(-rc));
		goto out_unlink;
	}
	if (fsync(fd)) {
		rc = -errno;
		err(ctx, "fsync %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path)) {
		rc = -errno;
		err(ctx, "rename %s to %s: %s", tmp, path, strerror(errno));
		goto out_unlink;
	}
	dir_copy = strdup(path);
	if (!dir_copy) {
		rc = -ENOMEM;
		goto out;
	}
	dfd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd)) {
		rc = -errno;
		err(ctx, "fsync directory of %s: %s", path, strerror(errno));
	}
	if (dfd >= 0)
		close(dfd);
	goto out;
out_unlink:
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	free(dir_copy);
	free(tmp);
	free(text);
	return rc;
}
