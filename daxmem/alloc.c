// SPDX-License-Identifier: LGPL-2.1
/*
 * Range allocator over the free extents of one region. Extents are kept in
 * a sorted array: regions hold at most a few hundred devices, so a linear
 * walk is cheaper than anything cleverer and easy to check.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static uint64_t align_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

static uint64_t align_down(uint64_t x, uint64_t align)
{
	return x & ~(align - 1);
}

int daxmem_space_init(struct daxmem_space *space, uint64_t start, uint64_t size)
{
	memset(space, 0, sizeof(*space));
	if (!size || start + size < start)
		return -EINVAL;
	space->free = calloc(8, sizeof(*space->free));
	if (!space->free)
		return -ENOMEM;
	space->cap = 8;
	space->start = start;
	space->size = size;
	space->free[0] = (struct daxmem_extent){ start, size };
	space->nr_free = 1;
	space->free_bytes = size;
	return 0;
}

void daxmem_space_fini(struct daxmem_space *space)
{
	free(space->free);
	memset(space, 0, sizeof(*space));
}

static int space_insert_at(struct daxmem_space *space, size_t i, uint64_t start, uint64_t len)
{
	if (space->nr_free == space->cap) {
		size_t cap = space->cap * 2;
		struct daxmem_extent *n = realloc(space->free, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		space->free = n;
		space->cap = cap;
	}
	memmove(&space->free[i + 1], &space->free[i], (space->nr_free - i) * sizeof(*space->free));
	space->free[i] = (struct daxmem_extent){ start, len };
	space->nr_free++;
	return 0;
}

static void space_remove_at(struct daxmem_space *space, size_t i)
{
	memmove(&space->free[i], &space->free[i + 1],
		(space->nr_free - i - 1) * sizeof(*space->free));
	space->nr_free--;
}

int daxmem_space_take(struct daxmem_space *space, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	size_t i;

	if (!len || end < start)
		return -EINVAL;
	for (i = 0; i < space->nr_free; i++) {
		struct daxmem_extent *e = &space->free[i];
		uint64_t e_end = e->start + e->len;

		if (e->start > start)
			break;
		if (e_end < end)
			continue;
		if (e->start == start && e_end == end) {
			space_remove_at(space, i);
		} else if (e->start == start) {
			e->start = end;
			e->len = e_end - end;
		} else if (e_end == end) {
			e->len = start - e->start;
		} else {
			int rc = space_insert_at(space, i + 1, end, e_end - end);

			if (rc)
				return rc;
			space->free[i].len = start - space->free[i].start;
		}
		space->free_bytes -= len;
		return 0;
	}
	return -EBUSY;
}

int daxmem_space_exclude(struct daxmem_space *space, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	size_t i = 0;

	if (end < start)
		end = UINT64_MAX;
	while (i < space->nr_free) {
		struct daxmem_extent e = space->free[i];
		uint64_t s = e.start > start ? e.start : start;
		uint64_t t = e.start + e.len < end ? e.start + e.len : end;
		int rc;

		if (e.start >= end)
			break;
		if (s >= t) {
			i++;
			continue;
		}
		rc = daxmem_space_take(space, s, t - s);
		if (rc)
			return rc;
		/* the remainder after the cut, if any, sits at i or i + 1 */
		if (i < space->nr_free && space->free[i].start < t)
			i++;
	}
	return 0;
}

int daxmem_space_give(struct daxmem_space *space, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	size_t i;

	if (!len || end < start || start < space->start || end > space->start + space->size)
		return -EINVAL;
	for (i = 0; i < space->nr_free; i++)
		if (space->free[i].start >= start)
			break;
	if (i > 0 && space->free[i - 1].start + space->free[i - 1].len > start)
		return -EINVAL;
	if (i < space->nr_free && space->free[i].start < end)
		return -EINVAL;

	bool join_prev = i > 0 && space->free[i - 1].start + space->free[i - 1].len == start;
	bool join_next = i < space->nr_free && space->free[i].start == end;

	if (join_prev && join_next) {
		space->free[i - 1].len += len + space->free[i].len;
		space_remove_at(space, i);
	} else if (join_prev) {
		space->free[i - 1].len += len;
	} else if (join_next) {
		space->free[i].start = start;
		space->free[i].len += len;
	} else {
		int rc = space_insert_at(space, i, start, len);

		if (rc)
			return rc;
	}
	space->free_bytes += len;
	return 0;
}

/* the aligned part of a free extent */
static bool extent_piece(const struct daxmem_extent *e, uint64_t align, struct daxmem_extent *p)
{
	uint64_t a, b;

	if (e->start > UINT64_MAX - align)
		return false;
	a = align_up(e->start, align);
	b = align_down(e->start + e->len, align);
	if (b <= a)
		return false;
	p->start = a;
	p->len = b - a;
	return true;
}

uint64_t daxmem_space_usable(const struct daxmem_space *space, uint64_t align)
{
	struct daxmem_extent p;
	uint64_t sum = 0;
	size_t i;

	if (!is_pow2(align))
		return 0;
	for (i = 0; i < space->nr_free; i++)
		if (extent_piece(&space->free[i], align, &p))
			sum += p.len;
	return sum;
}

static int cmp_piece_len_desc(const void *a, const void *b)
{
	const struct daxmem_extent *x = a, *y = b;

	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_range_start(const void *a, const void *b)
{
	const struct daxmem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* index of the smallest piece holding len, or -1 */
static long best_fit(const struct daxmem_extent *p, size_t nr, uint64_t len)
{
	long best = -1;
	size_t i;

	for (i = 0; i < nr; i++)
		if (p[i].len >= len && (best < 0 || p[i].len < p[best].len))
			best = (long)i;
	return best;
}

int daxmem_space_alloc(struct daxmem_space *space, uint64_t size, uint64_t align,
		       struct daxmem_range **ranges, size_t *nr)
{
	struct daxmem_extent *pieces, *pick;
	struct daxmem_range *out = NULL;
	size_t nr_pieces = 0, nr_pick = 0, i;
	uint64_t left = size, offset = 0;
	long b;
	int rc;

	if (!is_pow2(align) || !size || size % align)
		return -EINVAL;
	if (daxmem_space_usable(space, align) < size)
		return -ENOSPC;

	pieces = calloc(space->nr_free, sizeof(*pieces));
	pick = calloc(space->nr_free, sizeof(*pick));
	if (!pieces || !pick) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < space->nr_free; i++)
		if (extent_piece(&space->free[i], align, &pieces[nr_pieces]))
			nr_pieces++;

	b = best_fit(pieces, nr_pieces, size);
	if (b >= 0) {
		pick[nr_pick++] = (struct daxmem_extent){ pieces[b].start, size };
	} else {
		/* fewest ranges: whole pieces, largest first, then the best fit for the rest */
		qsort(pieces, nr_pieces, sizeof(*pieces), cmp_piece_len_desc);
		for (i = 0; i < nr_pieces && left > pieces[i].len; i++) {
			pick[nr_pick++] = pieces[i];
			left -= pieces[i].len;
		}
		b = best_fit(pieces + i, nr_pieces - i, left);
		pick[nr_pick++] = (struct daxmem_extent){ pieces[i + b].start, left };
	}

	out = calloc(nr_pick, sizeof(*out));
	if (!out) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr_pick; i++) {
		out[i].start = pick[i].start;
		out[i].end = pick[i].start + pick[i].len - 1;
	}
	qsort(out, nr_pick, sizeof(*out), cmp_range_start);
	for (i = 0; i < nr_pick; i++) {
		rc = daxmem_space_take(space, out[i].start, daxmem_range_size(&out[i]));
		if (rc) {
			while (i--)
				daxmem_space_give(space, out[i].start, daxmem_range_size(&out[i]));
			free(out);
			out = NULL;
			goto out;
		}
		out[i].page_offset = offset;
		offset += daxmem_range_size(&out[i]);
	}
	*ranges = out;
	*nr = nr_pick;
	rc = 0;
out:
	free(pieces);
	free(pick);
	return rc;
}

int daxmem_ranges_validate(const struct daxmem_range *ranges, size_t nr, uint64_t align,
			   size_t *bad)
{
	uint64_t offset = 0;
	size_t i, j;

	if (!is_pow2(align))
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		const struct daxmem_range *r = &ranges[i];

		*bad = i;
		if (r->end < r->start || r->start % align || daxmem_range_size(r) % align ||
		    r->page_offset != offset)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (ranges[j].start <= r->end && r->start <= ranges[j].end)
				return -EINVAL;
		offset += daxmem_range_size(r);
	}
	return 0;
}
