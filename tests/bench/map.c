// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "map.h"
#include "util.h"

static uint64_t minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

static void *map(int fd, uint64_t size, int flags)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | flags, fd, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "bench: mmap %llu bytes%s: %s\n", (unsigned long long)size,
			flags & MAP_POPULATE ? " MAP_POPULATE" : "", strerror(errno));
		return NULL;
	}
	return p;
}

uint64_t bench_map_scrub(int fd, uint64_t size)
{
	uint64_t t0 = bench_now_ns();
	void *p = map(fd, size, 0);

	if (!p)
		return 0;
	memset(p, 0, size);
	munmap(p, size);
	return bench_now_ns() - t0;
}

uint64_t bench_map_first(int fd, uint64_t size, uint64_t align)
{
	uint64_t t0 = bench_now_ns(), off;
	volatile char *p = map(fd, size, 0);

	if (!p)
		return 0;
	for (off = 0; off < size; off += align)
		p[off] = 1;
	munmap((void *)p, size);
	return bench_now_ns() - t0;
}

int bench_map_touch(int fd, uint64_t size, int populate, struct bench_touch *t)
{
	uint64_t t0, t1, f0, f1, off;
	volatile char *p;

	f0 = minflt();
	t0 = bench_now_ns();
	p = map(fd, size, populate ? MAP_POPULATE : 0);
	if (!p)
		return -EIO;
	t1 = bench_now_ns();
	f1 = minflt();
	for (off = 0; off < size; off += 4096)
		p[off] = (char)off;
	t->mmap_ns = t1 - t0;
	t->touch_ns = bench_now_ns() - t1;
	t->mmap_flt = f1 - f0;
	t->touch_flt = minflt() - f1;
	munmap((void *)p, size);
	return 0;
}
