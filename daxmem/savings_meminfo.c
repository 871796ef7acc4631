// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host memory counters a savings measurement reads: parsers of the
 * /proc texts (pure, unit tested), the thin readers over them, the settle
 * step that quiets the counters, and the median that takes the noise out
 * of repeated readings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <daxmem/savings.h>

#define PROC_FILE_MAX (16U << 20)

/* The value after "KEY" + @sep at the start of a line of @text, or -1. */
static int64_t line_value(const char *text, const char *key, char sep)
{
	size_t klen = strlen(key);
	const char *line = text;
	char *end;
	long long v;

	while (line && *line) {
		if (!strncmp(line, key, klen) && line[klen] == sep) {
			errno = 0;
			v = strtoll(line + klen + 1, &end, 10);
			if (errno || end == line + klen + 1 || v < 0)
				return -1;
			return v;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

int64_t daxmem_meminfo_value(const char *meminfo, const char *key)
{
	int64_t kb = line_value(meminfo, key, ':');

	return kb < 0 ? -1 : kb * 1024;
}

int64_t daxmem_vmstat_value(const char *vmstat, const char *key)
{
	return line_value(vmstat, key, ' ');
}

/*
 * Each zone lists its pagesets as "cpu: N" followed by indented
 * "count: N" (pages on that CPU's lists), "high:", "batch:" lines.
 */
int64_t daxmem_zoneinfo_pcp_pages(const char *zoneinfo)
{
	const char *line = zoneinfo;
	int64_t total = 0;
	bool found = false;

	while (line && *line) {
		const char *p = line + strspn(line, " \t");

		if (p != line && !strncmp(p, "count:", 6)) {
			total += strtoll(p + 6, NULL, 10);
			found = true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return found ? total : -1;
}

/* The whole of a /proc file, NUL terminated, malloc()ed; NULL with errno set. */
static char *read_text(const char *path)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap), *n;
	ssize_t got;
	int fd, e;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		free(buf);
		errno = e;
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= PROC_FILE_MAX) {
				e = EFBIG;
				goto fail;
			}
			n = realloc(buf, cap * 2);
			if (!n) {
				e = ENOMEM;
				goto fail;
			}
			buf = n;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			goto fail;
		}
		if (!got)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	close(fd);
	free(buf);
	errno = e;
	return NULL;
}

int daxmem_mem_sample_read(struct daxmem_mem_sample *s)
{
	char *text = read_text("/proc/meminfo");
	int64_t pcp;

	if (!text)
		return -errno;
	s->mem_total = daxmem_meminfo_value(text, "MemTotal");
	s->mem_free = daxmem_meminfo_value(text, "MemFree");
	free(text);
	if (s->mem_free < 0 || s->mem_total < 0)
		return -ENODATA;
	text = read_text("/proc/zoneinfo");
	if (text) {
		pcp = daxmem_zoneinfo_pcp_pages(text);
		if (pcp > 0)
			s->mem_free += pcp * (int64_t)DAXMEM_PAGE_SIZE;
		free(text);
	}
	s->memmap_pages = -1;
	text = read_text("/proc/vmstat");
	if (text) {
		s->memmap_pages = daxmem_vmstat_value(text, "nr_memmap_pages");
		free(text);
	}
	return 0;
}

static int knob_write(const char *path, const char *val)
{
	ssize_t n;
	int fd, rc;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	rc = n < 0 ? -errno : 0;
	close(fd);
	return rc;
}

int daxmem_mem_settle(unsigned int ms)
{
	int rc, first = 0;

	sync();
	rc = knob_write("/proc/sys/vm/drop_caches", "3");
	if (rc && !first)
		first = rc;
	rc = knob_write("/proc/sys/vm/compact_memory", "1");
	if (rc && !first)
		first = rc;
	usleep(ms * 1000U);
	return first;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t daxmem_median(int64_t *v, size_t n)
{
	int64_t lo, hi;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_i64);
	if (n % 2)
		return v[n / 2];
	lo = v[n / 2 - 1];
	hi = v[n / 2];
	/* no overflow for values of opposite sign or near the limits */
	return lo / 2 + hi / 2 + (lo % 2 + hi % 2) / 2;
}
