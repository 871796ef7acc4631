/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Range allocator: the free extents of one region, pure (no I/O) so it can
 * be exercised without a kernel.
 */
#ifndef _DAXMEM_ALLOC_H_
#define _DAXMEM_ALLOC_H_

#include <stddef.h>
#include <stdint.h>

#include <daxmem/libdaxmem.h>

/* [start, start + len) */
struct daxmem_extent {
	uint64_t start;
	uint64_t len;
};

/**
 * struct daxmem_space - free space of one region
 * @start: first byte of the region
 * @size: bytes in the region
 * @free: free extents, sorted by address, never adjacent or overlapping
 * @nr_free: entries in @free
 * @free_bytes: sum of @free
 */
struct daxmem_space {
	uint64_t start;
	uint64_t size;
	struct daxmem_extent *free;
	size_t nr_free;
	size_t cap;
	uint64_t free_bytes;
};

int daxmem_space_init(struct daxmem_space *space, uint64_t start, uint64_t size);
void daxmem_space_fini(struct daxmem_space *space);
/* Take [start, start+len) out of the free space; -EBUSY if any byte is not free. */
int daxmem_space_take(struct daxmem_space *space, uint64_t start, uint64_t len);
/*
 * Take whatever part of [start, start+len) is free (for poison and for ranges
 * that may already be out of the space); never fails for lack of space.
 */
int daxmem_space_exclude(struct daxmem_space *space, uint64_t start, uint64_t len);
/* Give [start, start+len) back; -EINVAL if outside the region or any byte is already free. */
int daxmem_space_give(struct daxmem_space *space, uint64_t start, uint64_t len);
/* Bytes usable at this alignment, over any number of ranges. */
uint64_t daxmem_space_usable(const struct daxmem_space *space, uint64_t align);
/*
 * Allocate size bytes at align (a power of two, size a multiple of it): one
 * extent when one fits (the smallest that does), otherwise the fewest ranges
 * (largest pieces first). Ranges come back in address order with page_offsets
 * assigned; *ranges is malloc()ed. -ENOSPC when the space cannot hold size.
 */
int daxmem_space_alloc(struct daxmem_space *space, uint64_t size, uint64_t align,
		       struct daxmem_range **ranges, size_t *nr);
/*
 * Check exact ranges for a device: each start and size aligned, no two
 * overlapping, page_offsets contiguous from 0. -EINVAL (and *bad set to the
 * offending index) otherwise.
 */
int daxmem_ranges_validate(const struct daxmem_range *ranges, size_t nr, uint64_t align,
			   size_t *bad);

#endif /* _DAXMEM_ALLOC_H_ */
