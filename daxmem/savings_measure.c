// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The measured half of the savings report: what one device of a given size,
 * mode and align really costs the host, and how long it takes to create and
 * first map. Uses only the public device API; the counters come from
 * daxmem/savings_meminfo.c.
 *
 * device-dax builds a device's memmap when the device is enabled (at
 * create); pdax compound devices build it when the device is first opened
 * and drop it at the last close (memremap_pages() in pdax_open()). So the
 * cost is read with the device created and open but not yet mapped: the
 * mapping adds only page tables of this process, which go with munmap().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <daxmem/savings.h>

#include "private.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int settled_sample(struct daxmem_ctx *ctx, unsigned int ms, struct daxmem_mem_sample *s)
{
	int rc;

	daxmem_mem_settle(ms);
	rc = daxmem_mem_sample_read(s);
	if (rc)
		err(ctx, "savings: read /proc/meminfo: %s", strerror(-rc));
	return rc;
}

static int open_dev(struct daxmem_ctx *ctx, const char *chardev)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", chardev);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fd = -errno;
		err(ctx, "savings: open %s: %s", path, strerror(errno));
	}
	return fd;
}

/* mmap the whole device and read the first byte of every align unit */
static int first_map(struct daxmem_ctx *ctx, int fd, const char *chardev, uint64_t size,
		     unsigned long align, int64_t *ns)
{
	volatile const unsigned char *p;
	unsigned char sum = 0;
	int64_t t0 = now_ns();
	uint64_t off;
	void *map;
	int rc;

	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		rc = -errno;
		err(ctx, "savings: mmap /dev/%s (%llu bytes): %s", chardev,
		    (unsigned long long)size, strerror(errno));
		return rc;
	}
	p = map;
	for (off = 0; off < size; off += align)
		sum += p[off];
	*ns = now_ns() - t0;
	dbg(ctx, "savings: %s: touched %llu units (sum %u)", chardev,
	    (unsigned long long)(size / align), sum);
	munmap(map, size);
	return 0;
}

int daxmem_savings_measure_once(struct daxmem_region *region,
				const struct daxmem_savings_measure_spec *spec,
				struct daxmem_savings_sample *out)
{
	struct daxmem_ctx *ctx = daxmem_region_get_ctx(region);
	struct daxmem_dev_spec dspec = {
		.label = spec->label,
		.size = spec->size,
		.align = spec->align,
		.mode = spec->mode,
		.preserve = true,
	};
	struct daxmem_mem_sample before, created, opened, gone;
	struct daxmem_dev *dev = NULL;
	int64_t t0;
	int fd = -1, rc, drc;

	memset(out, 0, sizeof(*out));
	rc = settled_sample(ctx, spec->settle_ms, &before);
	if (rc)
		return rc;
	t0 = now_ns();
	rc = daxmem_dev_create(region, &dspec, &dev);
	out->create_ns = now_ns() - t0;
	if (rc)
		return rc;
	snprintf(out->chardev, sizeof(out->chardev), "%s", daxmem_dev_get_chardev(dev));
	rc = settled_sample(ctx, spec->settle_ms, &created);
	if (!rc) {
		t0 = now_ns();
		fd = open_dev(ctx, out->chardev);
		out->open_ns = now_ns() - t0;
		rc = fd < 0 ? fd : 0;
	}
	if (!rc) {
		rc = settled_sample(ctx, spec->settle_ms, &opened);
		if (!rc)
			rc = first_map(ctx, fd, out->chardev, spec->size, spec->align,
				       &out->map_ns);
		close(fd);
	}
	drc = daxmem_dev_destroy(dev);
	daxmem_dev_unref(dev);
	if (drc) {
		err(ctx, "savings: destroy %s: %s; it is left behind (daxmemctl destroy %s)",
		    out->chardev, strerror(-drc), out->chardev);
		return drc;
	}
	if (rc)
		return rc;
	rc = settled_sample(ctx, spec->settle_ms, &gone);
	if (rc)
		return rc;
	out->memfree_created = before.mem_free - created.mem_free;
	out->memfree_drop = before.mem_free - opened.mem_free;
	out->memtotal_drop = before.mem_total - opened.mem_total;
	out->memmap_known = before.memmap_pages >= 0 && opened.memmap_pages >= 0;
	if (out->memmap_known)
		out->memmap_pages = opened.memmap_pages - before.memmap_pages;
	out->memfree_left = before.mem_free - gone.mem_free;
	return 0;
}

void daxmem_savings_median(const struct daxmem_savings_sample *samples, size_t n,
			   struct daxmem_savings_sample *out)
{
	int64_t v[8][DAXMEM_SAVINGS_MAX_REPS];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	if (n > DAXMEM_SAVINGS_MAX_REPS)
		n = DAXMEM_SAVINGS_MAX_REPS;
	snprintf(out->chardev, sizeof(out->chardev), "%s", samples[n - 1].chardev);
	out->memmap_known = true;
	for (i = 0; i < n; i++) {
		v[0][i] = samples[i].memfree_drop;
		v[1][i] = samples[i].memtotal_drop;
		v[2][i] = samples[i].memmap_pages;
		v[3][i] = samples[i].memfree_left;
		v[4][i] = samples[i].create_ns;
		v[5][i] = samples[i].map_ns;
		v[6][i] = samples[i].memfree_created;
		v[7][i] = samples[i].open_ns;
		out->memmap_known &= samples[i].memmap_known;
	}
	out->memfree_drop = daxmem_median(v[0], n);
	out->memtotal_drop = daxmem_median(v[1], n);
	out->memmap_pages = out->memmap_known ? daxmem_median(v[2], n) : 0;
	out->memfree_left = daxmem_median(v[3], n);
	out->create_ns = daxmem_median(v[4], n);
	out->map_ns = daxmem_median(v[5], n);
	out->memfree_created = daxmem_median(v[6], n);
	out->open_ns = daxmem_median(v[7], n);
}
