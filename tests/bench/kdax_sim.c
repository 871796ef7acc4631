// SPDX-License-Identifier: GPL-2.0
/*
 * Device-dax range placement, modelled step by step on dev_dax_resize(),
 * alloc_dev_dax_range(), adjust_dev_dax_range() and adjust_ok() in
 * drivers/dax/bus.c. The region's children live in a sorted array, the
 * same order the kernel's resource sibling list keeps them in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kdax_sim.h"

int kdax_region_init(struct kdax_region *r, uint64_t start, uint64_t size)
{
	memset(r, 0, sizeof(*r));
	if (!size)
		return -EINVAL;
	r->start = start;
	r->end = start + size - 1;
	r->cap = 1024;
	r->child = calloc(r->cap, sizeof(*r->child));
	return r->child ? 0 : -ENOMEM;
}

void kdax_region_fini(struct kdax_region *r)
{
	free(r->child);
	memset(r, 0, sizeof(*r));
}

uint64_t kdax_region_avail(const struct kdax_region *r)
{
	return r->end - r->start + 1 - r->used;
}

static int region_insert(struct kdax_region *r, size_t at, uint64_t start, uint64_t len,
			 uint32_t dev)
{
	if (r->nr_child == r->cap) {
		struct kdax_res *n = realloc(r->child, 2 * r->cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->child = n;
		r->cap *= 2;
	}
	memmove(&r->child[at + 1], &r->child[at], (r->nr_child - at) * sizeof(*r->child));
	r->child[at] = (struct kdax_res){ start, start + len - 1, dev };
	r->nr_child++;
	r->used += len;
	return 0;
}

static size_t region_find(const struct kdax_region *r, uint64_t start)
{
	size_t lo = 0, hi = r->nr_child;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->child[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* alloc_dev_dax_range(): a new child resource and a new range at the end of the device */
static int dev_add_range(struct kdax_region *r, size_t at, struct kdax_dev *dev, uint64_t start,
			 uint64_t len)
{
	struct kdax_range *ranges;
	uint64_t pgoff = 0;
	size_t i;
	int rc;

	ranges = realloc(dev->ranges, (dev->nr_range + 1) * sizeof(*ranges));
	if (!ranges)
		return -ENOMEM;
	dev->ranges = ranges;
	rc = region_insert(r, at, start, len, dev->id);
	if (rc)
		return rc;
	for (i = 0; i < dev->nr_range; i++)
		pgoff += (ranges[i].end - ranges[i].start + 1) >> 12;
	ranges[dev->nr_range++] = (struct kdax_range){ start, start + len - 1, pgoff };
	return 0;
}

/*
 * adjust_ok(): the resource is the device's own and is its last range, and
 * no earlier range sits at a higher page offset (always so here: ranges are
 * only ever appended).
 */
static int adjust_ok(const struct kdax_dev *dev, const struct kdax_res *res)
{
	const struct kdax_range *last;
	size_t i;

	if (!dev->nr_range || res->dev != dev->id)
		return 0;
	last = &dev->ranges[dev->nr_range - 1];
	if (last->start != res->start || last->end != res->end)
		return 0;
	for (i = 0; i + 1 < dev->nr_range; i++)
		if (dev->ranges[i].pgoff > last->pgoff)
			return 0;
	return 1;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* one pass of the retry loop: place part of to_alloc in the first hole; bytes placed */
static int64_t resize_step(struct kdax_region *r, struct kdax_dev *dev, uint64_t to_alloc)
{
	size_t i;
	int rc;

	if (!r->nr_child) {
		rc = dev_add_range(r, 0, dev, r->start, to_alloc);
		return rc ? rc : (int64_t)to_alloc;
	}
	for (i = 0; i < r->nr_child; i++) {
		struct kdax_res *res = &r->child[i];
		struct kdax_res *next = i + 1 < r->nr_child ? &r->child[i + 1] : NULL;
		uint64_t alloc = 0;

		/* space at the beginning of the region */
		if (i == 0 && res->start > r->start) {
			alloc = min_u64(res->start - r->start, to_alloc);
			rc = dev_add_range(r, 0, dev, r->start, alloc);
			return rc ? rc : (int64_t)alloc;
		}
		/* space between allocations */
		if (next && next->start > res->end + 1)
			alloc = min_u64(next->start - (res->end + 1), to_alloc);
		/* space at the end of the region */
		if (!alloc && !next && res->end < r->end)
			alloc = min_u64(r->end - res->end, to_alloc);
		if (!alloc)
			continue;
		if (adjust_ok(dev, res)) {
			res->end += alloc;
			dev->ranges[dev->nr_range - 1].end += alloc;
			r->used += alloc;
			return (int64_t)alloc;
		}
		rc = dev_add_range(r, i + 1, dev, res->end + 1, alloc);
		return rc ? rc : (int64_t)alloc;
	}
	return -ENOSPC;
}

int kdax_dev_grow(struct kdax_region *r, struct kdax_dev *dev, uint64_t bytes)
{
	uint64_t to_alloc = bytes;

	if (!bytes || bytes % dev->align)
		return -EINVAL;
	if (bytes > kdax_region_avail(r))
		return -ENOSPC;
	while (to_alloc) {
		int64_t placed = resize_step(r, dev, to_alloc);

		if (placed < 0)
			return (int)placed;
		to_alloc -= (uint64_t)placed;
	}
	return 0;
}

void kdax_dev_release(struct kdax_region *r, struct kdax_dev *dev)
{
	size_t i;

	for (i = dev->nr_range; i-- > 0;) {
		size_t at = region_find(r, dev->ranges[i].start);

		r->used -= r->child[at].end - r->child[at].start + 1;
		memmove(&r->child[at], &r->child[at + 1],
			(r->nr_child - at - 1) * sizeof(*r->child));
		r->nr_child--;
	}
	free(dev->ranges);
	dev->ranges = NULL;
	dev->nr_range = 0;
}

int kdax_dev_aligned(const struct kdax_dev *dev)
{
	size_t i;

	for (i = 0; i < dev->nr_range; i++)
		if (dev->ranges[i].start % dev->align)
			return 0;
	return 1;
}
