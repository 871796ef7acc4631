// SPDX-License-Identifier: LGPL-2.1
/*
 * Zeroing a device through its character device. device-dax hands memory
 * from one device to the next as it is: whatever the previous owner wrote
 * stays readable. daxmem zeroes every device it creates unless the device is
 * marked preserved (its contents are the point of restoring it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

#define SCRUB_CHUNK (64ULL << 20)

int daxmem_scrub_chardev(struct daxmem_ctx *ctx, const char *chardev, uint64_t size)
{
	struct timespec t0, t1;
	char path[96];
	uint64_t off;
	void *map;
	int fd, rc;

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
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (off = 0; off < size; off += SCRUB_CHUNK) {
		uint64_t n = size - off < SCRUB_CHUNK ? size - off : SCRUB_CHUNK;

		memset((char *)map + off, 0, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	munmap(map, size);
	close(fd);
	info(ctx, "%s: zeroed %llu bytes in %ld ms", chardev, (unsigned long long)size,
	     (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return 0;
}
