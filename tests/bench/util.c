// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int bench_sysfs_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd, err;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		fprintf(stderr, "bench: open %s: %s\n", path, strerror(err));
		return -err;
	}
	n = write(fd, val, len);
	err = n < 0 ? errno : 0;
	close(fd);
	if (n < 0) {
		fprintf(stderr, "bench: write '%s' to %s: %s\n", val, path, strerror(err));
		return -err;
	}
	return 0;
}

int bench_sysfs_writef(const char *val, const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return bench_sysfs_write(path, val);
}

int bench_sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = n < 0 ? errno : 0;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

static int64_t find_counter(const char *file, const char *key, char sep, int64_t scale)
{
	size_t klen = strlen(key);
	char line[256];
	int64_t v = -1;
	FILE *f;

	f = fopen(file, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != sep)
			continue;
		v = strtoll(line + klen + 1, NULL, 10) * scale;
		break;
	}
	fclose(f);
	return v;
}

int64_t bench_meminfo(const char *key)
{
	return find_counter("/proc/meminfo", key, ':', 1024);
}

/*
 * Pages the per-CPU free lists hold are not in MemFree; adding them back
 * keeps a few MiB of noise out of memory deltas.
 */
int64_t bench_free_bytes(void)
{
	int64_t free = bench_meminfo("MemFree"), pcp = 0;
	char line[256];
	FILE *f;

	if (free < 0)
		return -1;
	f = fopen("/proc/zoneinfo", "re");
	if (!f)
		return free;
	while (fgets(line, sizeof(line), f)) {
		char *c = strstr(line, "count:");

		if (c && strspn(line, " ") == (size_t)(c - line))
			pcp += strtoll(c + 6, NULL, 10);
	}
	fclose(f);
	return free + pcp * 4096;
}

int64_t bench_vmstat(const char *key)
{
	return find_counter("/proc/vmstat", key, ' ', 1);
}

uint64_t bench_parse_size(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return 0;
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	case 't':
	case 'T':
		v <<= 40;
		end++;
		break;
	default:
		break;
	}
	return *end ? 0 : v;
}

void bench_settle(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "3", 1) < 0)
			fprintf(stderr, "bench: drop_caches: %s\n", strerror(errno));
		close(fd);
	}
	usleep(100000);
}
