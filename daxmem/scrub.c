// SPDX-License-Identifier: LGPL-2.1
/*
 * Zeroing a device through its character device. device-dax hands memory
 * from one device to the next as it is: whatever the previous owner wrote
 * stays readable. daxmem zeroes every device it creates unless the device is
 * marked preserved (its contents are the point of restoring it), from one
 * thread per CPU of the memory's NUMA node (DAXMEM_SCRUB_THREADS=N bounds
 * them; util/zero.c).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "util/file.h"
#include "util/zero.h"

/*
 * The CPUs to zero chardev's memory from: those of its NUMA node when sysfs
 * names one that has CPUs, else those this process may run on. Returns the
 * node, or -1.
 */
static int scrub_cpus(const char *chardev, cpu_set_t *set)
{
	char path[128], *buf = NULL, err[160];
	size_t len;
	int node = -1;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/numa_node", chardev);
	if (!util_read_file(path, 64, &buf, &len, err, sizeof(err)))
		node = atoi(buf);
	free(buf);
	buf = NULL;
	if (node >= 0) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
		if (!util_read_file(path, 4096, &buf, &len, err, sizeof(err)) &&
		    util_parse_cpulist(buf, set) > 0) {
			free(buf);
			return node;
		}
		free(buf);
	}
	if (sched_getaffinity(0, sizeof(*set), set)) {
		CPU_ZERO(set);
		CPU_SET(0, set);
	}
	return -1;
}

/* DAXMEM_SCRUB_THREADS=N: at most N threads (0 or unset: one per CPU). */
static unsigned int scrub_threads(void)
{
	const char *v = getenv("DAXMEM_SCRUB_THREADS");
	unsigned long n = v ? strtoul(v, NULL, 10) : 0;

	return n > UTIL_ZERO_MAX_THREADS ? UTIL_ZERO_MAX_THREADS : (unsigned int)n;
}

int daxmem_scrub_chardev(struct daxmem_ctx *ctx, const char *chardev, uint64_t size)
{
	struct timespec t0, t1;
	char path[96], where[24];
	cpu_set_t cpus;
	unsigned int used;
	uint64_t ns;
	void *map;
	int fd, rc, node;

	snprintf(path, sizeof(path), "/dev/%s", chardev);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		err(ctx, "scrub: open %s: %s", path, strerror(errno));
		return rc;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		rc = -errno;
		err(ctx, "scrub: mmap %s (%llu bytes): %s", path, (unsigned long long)size,
		    strerror(errno));
		close(fd);
		return rc;
	}
	node = scrub_cpus(chardev, &cpus);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	util_zero_parallel(map, size, scrub_threads(), &cpus, &used);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	munmap(map, size);
	close(fd);
	ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ULL + (uint64_t)(t1.tv_nsec - t0.tv_nsec);
	if (!ns)
		ns = 1;
	where[0] = 0;
	if (node >= 0)
		snprintf(where, sizeof(where), " on node %d", node);
	info(ctx, "%s: zeroed %llu bytes in %llu ms (%llu MiB/s, %u thread%s%s)", chardev,
	     (unsigned long long)size, (unsigned long long)(ns / 1000000),
	     (unsigned long long)((double)size / (1 << 20) * 1e9 / (double)ns), used,
	     used == 1 ? "" : "s", where);
	return 0;
}
