// SPDX-License-Identifier: LGPL-2.1
/* Whole-file read, atomic replacement and mkdir -p (see file.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

#define READ_CHUNK 65536

static int fail(int rc, char *err, size_t errlen, const char *what, const char *path)
{
	if (err && errlen)
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(-rc));
	return rc;
}

int util_read_file(const char *path, size_t max, char **out, size_t *outlen, char *err,
		   size_t errlen)
{
	size_t len = 0, cap = READ_CHUNK;
	struct stat sb;
	char *buf, *n;
	ssize_t got;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(-errno, err, errlen, "open", path);
	/* a regular file's size is known: read it in one buffer, then see its end */
	if (!fstat(fd, &sb) && S_ISREG(sb.st_mode) && sb.st_size >= 0 &&
	    (uint64_t)sb.st_size <= max)
		cap = (size_t)sb.st_size;
	if (cap > max)
		cap = max;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return fail(-ENOMEM, err, errlen, "read", path);
	}
	for (;;) {
		char probe;

		if (len < cap) {
			got = read(fd, buf + len, cap - len);
			if (got > 0)
				len += (size_t)got;
		} else {
			/* full: one byte more says whether the file goes on */
			got = read(fd, &probe, 1);
			if (got > 0 && cap >= max) {
				rc = -EFBIG;
				if (err && errlen)
					snprintf(err, errlen, "%s is larger than %zu bytes", path,
						 max);
				goto out_free;
			}
			if (got > 0) {
				cap = cap < READ_CHUNK ? READ_CHUNK : cap;
				cap = cap <= max / 2 ? cap * 2 : max;
				n = realloc(buf, cap + 1);
				if (!n) {
					rc = fail(-ENOMEM, err, errlen, "read", path);
					goto out_free;
				}
				buf = n;
				buf[len++] = probe;
			}
		}
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = fail(-errno, err, errlen, "read", path);
			goto out_free;
		}
		if (got == 0)
			break;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
out_free:
	close(fd);
	free(buf);
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
		len -= (size_t)n;
	}
	return 0;
}

int util_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err,
		      size_t errlen)
{
	char *tmp = NULL, *dir = NULL;
	int fd, dfd, rc;

	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
		return fail(-ENOMEM, err, errlen, "write", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = fail(-errno, err, errlen, "open", tmp);
		goto out;
	}
	rc = write_all(fd, data, len);
	if (rc) {
		fail(rc, err, errlen, "write", tmp);
		close(fd);
		goto out_unlink;
	}
	if (fsync(fd)) {
		rc = fail(-errno, err, errlen, "fsync", tmp);
		close(fd);
		goto out_unlink;
	}
	if (close(fd)) {
		rc = fail(-errno, err, errlen, "close", tmp);
		goto out_unlink;
	}
	if (rename(tmp, path)) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "rename %s to %s: %s", tmp, path, strerror(errno));
		goto out_unlink;
	}
	dir = strdup(path);
	if (!dir) {
		rc = fail(-ENOMEM, err, errlen, "fsync directory of", path);
		goto out;
	}
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd))
		rc = fail(-errno, err, errlen, "fsync directory of", path);
	if (dfd >= 0)
		close(dfd);
	goto out;
out_unlink:
	unlink(tmp);
out:
	free(dir);
	free(tmp);
	return rc;
}

/* create each directory of copy up to (without) its last component when last is false */
static int mkdir_walk(char *copy, mode_t mode, int last, char *err, size_t errlen)
{
	char *p;

	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) && errno != EEXIST)
			return fail(-errno, err, errlen, "mkdir", copy);
		*p = '/';
	}
	if (last && mkdir(copy, mode) && errno != EEXIST)
		return fail(-errno, err, errlen, "mkdir", copy);
	return 0;
}

int util_mkdir_p(const char *dir, mode_t mode, char *err, size_t errlen)
{
	char *copy = strdup(dir);
	int rc;

	if (!copy)
		return fail(-ENOMEM, err, errlen, "mkdir", dir);
	rc = mkdir_walk(copy, mode, 1, err, errlen);
	free(copy);
	return rc;
}

int util_mkdir_parents(const char *path, mode_t mode, char *err, size_t errlen)
{
	char *copy = strdup(path);
	int rc;

	if (!copy)
		return fail(-ENOMEM, err, errlen, "mkdir", path);
	rc = mkdir_walk(copy, mode, 0, err, errlen);
	free(copy);
	return rc;
}
