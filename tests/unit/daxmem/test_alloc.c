// SPDX-License-Identifier: LGPL-2.1
/* Range allocator: placement rules and a randomized property test. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define K4 4096ULL
#define M2 (2ULL << 20)
#define G1 (1ULL << 30)
#define BASE 0x100000000ULL

static void check_extents(const struct daxmem_space *s)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < s->nr_free; i++) {
		cr_assert_gt(s->free[i].len, 0);
		cr_assert_geq(s->free[i].start, s->start);
		cr_assert_leq(s->free[i].start + s->free[i].len, s->start + s->size);
		if (i)
			cr_assert_gt(s->free[i].start, s->free[i - 1].start + s->free[i - 1].len,
				     "free extents %zu and %zu touch or overlap", i - 1, i);
		sum += s->free[i].len;
	}
	cr_assert_eq(sum, s->free_bytes);
}

Test(alloc, single_extent_best_fit)
{
	struct daxmem_space s;
	struct daxmem_range *r;
	size_t nr;

	cr_assert_eq(daxmem_space_init(&s, BASE, 1 * G1), 0);
	/* free: 8M at +0, 4M at +16M, 6M at +32M */
	cr_assert_eq(daxmem_space_take(&s, BASE + (8ULL << 20), 8ULL << 20), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + (20ULL << 20), 12ULL << 20), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + (38ULL << 20), G1 - (38ULL << 20)), 0);
	check_extents(&s);
	cr_assert_eq(s.nr_free, 3);
	cr_assert_eq(s.free[1].len, 4ULL << 20);
	/* 4M fits the 4M hole exactly: best fit beats first fit */
	cr_assert_eq(daxmem_space_alloc(&s, 4ULL << 20, M2, &r, &nr), 0);
	cr_assert_eq(nr, 1);
	cr_assert_eq(r[0].start, BASE + (16ULL << 20));
	cr_assert_eq(r[0].page_offset, 0);
	free(r);
	check_extents(&s);
	daxmem_space_fini(&s);
}

Test(alloc, fewest_ranges_largest_first)
{
	struct daxmem_space s;
	struct daxmem_range *r;
	size_t nr;

	/* free pieces of 2M, 8M, 4M, 6M (in address order) */
	cr_assert_eq(daxmem_space_init(&s, BASE, 64ULL << 20), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + (2ULL << 20), 2ULL << 20), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + (12ULL << 20), 2ULL << 20), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + (18ULL << 20), 2ULL << 20), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + (26ULL << 20), 38ULL << 20), 0);
	check_extents(&s);
	/* 12M: 8M + 4M (two ranges), not 8M + 2M + 2M or 6M + 4M + 2M */
	cr_assert_eq(daxmem_space_alloc(&s, 12ULL << 20, M2, &r, &nr), 0);
	cr_assert_eq(nr, 2);
	cr_assert_eq(r[0].start, BASE + (4ULL << 20));
	cr_assert_eq(daxmem_range_size(&r[0]), 8ULL << 20);
	cr_assert_eq(r[1].start, BASE + (14ULL << 20));
	cr_assert_eq(daxmem_range_size(&r[1]), 4ULL << 20);
	cr_assert_eq(r[1].page_offset, 8ULL << 20);
	free(r);
	cr_assert_eq(s.free_bytes, 8ULL << 20);
	daxmem_space_fini(&s);
}

Test(alloc, remainder_takes_best_fit_piece)
{
	struct daxmem_space s;
	struct daxmem_range *r;
	size_t nr;

	/* pieces 10M, 6M, 2M: 12M = 10M + 2M (the 2M hole, not part of the 6M one) */
	cr_assert_eq(daxmem_space_init(&s, BASE, 64ULL << 20), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + (10ULL << 20), 2ULL << 20), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + (18ULL << 20), 2ULL << 20), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + (22ULL << 20), 42ULL << 20), 0);
	cr_assert_eq(daxmem_space_alloc(&s, 12ULL << 20, M2, &r, &nr), 0);
	cr_assert_eq(nr, 2);
	cr_assert_eq(r[0].start, BASE);
	cr_assert_eq(r[1].start, BASE + (20ULL << 20));
	free(r);
	cr_assert_eq(s.free_bytes, 6ULL << 20);
	daxmem_space_fini(&s);
}

Test(alloc, alignment_skips_unaligned_heads)
{
	struct daxmem_space s;
	struct daxmem_range *r;
	size_t nr;

	/* region starts 2M past a 1G boundary: a 1G device needs the next boundary */
	cr_assert_eq(daxmem_space_init(&s, BASE + M2, 3 * G1), 0);
	cr_assert_eq(daxmem_space_usable(&s, G1), 2 * G1);
	cr_assert_eq(daxmem_space_alloc(&s, G1, G1, &r, &nr), 0);
	cr_assert_eq(nr, 1);
	cr_assert_eq(r[0].start % G1, 0);
	free(r);
	cr_assert_eq(daxmem_space_alloc(&s, 2 * G1, G1, &r, &nr), -ENOSPC);
	cr_assert_eq(daxmem_space_alloc(&s, 3 * M2, M2, &r, &nr), 0);
	free(r);
	cr_assert_eq(daxmem_space_alloc(&s, M2 + K4, M2, &r, &nr), -EINVAL);
	cr_assert_eq(daxmem_space_alloc(&s, M2, 3 * M2, &r, &nr), -EINVAL);
	check_extents(&s);
	daxmem_space_fini(&s);
}

Test(alloc, take_give_exclude)
{
	struct daxmem_space s;

	cr_assert_eq(daxmem_space_init(&s, BASE, 16 * K4), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + 4 * K4, 4 * K4), 0);
	cr_assert_eq(daxmem_space_take(&s, BASE + 6 * K4, K4), -EBUSY);
	cr_assert_eq(daxmem_space_take(&s, BASE + 3 * K4, 2 * K4), -EBUSY);
	cr_assert_eq(daxmem_space_give(&s, BASE + 3 * K4, 2 * K4), -EINVAL);
	cr_assert_eq(daxmem_space_give(&s, BASE + 16 * K4, K4), -EINVAL);
	/* exclude across a hole: takes what is free, leaves the rest */
	cr_assert_eq(daxmem_space_exclude(&s, BASE + 2 * K4, 8 * K4), 0);
	cr_assert_eq(s.free_bytes, 8 * K4);
	check_extents(&s);
	cr_assert_eq(daxmem_space_give(&s, BASE + 2 * K4, 8 * K4), 0);
	cr_assert_eq(s.nr_free, 1);
	cr_assert_eq(s.free_bytes, 16 * K4);
	daxmem_space_fini(&s);
}

Test(alloc, validate_exact_ranges)
{
	struct daxmem_range ok[] = { { BASE + M2, BASE + 3 * M2 - 1, 0 },
				     { BASE, BASE + M2 - 1, 2 * M2 } };
	struct daxmem_range overlap[] = { { BASE, BASE + 2 * M2 - 1, 0 },
					  { BASE + M2, BASE + 3 * M2 - 1, 2 * M2 } };
	struct daxmem_range misaligned[] = { { BASE + K4, BASE + M2 + K4 - 1, 0 } };
	struct daxmem_range gap[] = { { BASE, BASE + M2 - 1, 0 },
				      { BASE + 4 * M2, BASE + 5 * M2 - 1, 4 * M2 } };
	size_t bad;

	cr_assert_eq(daxmem_ranges_validate(ok, 2, M2, &bad), 0);
	cr_assert_eq(daxmem_ranges_validate(overlap, 2, M2, &bad), -EINVAL);
	cr_assert_eq(bad, 1);
	cr_assert_eq(daxmem_ranges_validate(misaligned, 1, M2, &bad), -EINVAL);
	cr_assert_eq(daxmem_ranges_validate(misaligned, 1, K4, &bad), 0);
	cr_assert_eq(daxmem_ranges_validate(gap, 2, M2, &bad), -EINVAL);
	cr_assert_eq(bad, 1);
}

/* --- property test: a page bitmap as the independent oracle --- */

#define PROP_START (BASE + M2) /* not 1G aligned */
#define PROP_SIZE (8 * G1 - 4 * M2) /* not a multiple of 1G */
#define PROP_PAGES (PROP_SIZE / K4)
#define PROP_OPS 120000
#define PROP_LIVE_MAX 600
#define PROP_POISON 64

struct live {
	struct daxmem_range *r;
	size_t nr;
	uint64_t size;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t *used_map, *poison_map;

static bool bit(const uint64_t *map, uint64_t page)
{
	return map[page / 64] >> (page % 64) & 1;
}

/* set or clear pages [a, b); returns how many were already in the target state */
static uint64_t mark(uint64_t *map, uint64_t a, uint64_t b, bool set)
{
	uint64_t clash = 0;

	while (a < b) {
		if (a % 64 == 0 && b - a >= 64) {
			uint64_t w = map[a / 64];

			clash += __builtin_popcountll(set ? w : ~w);
			map[a / 64] = set ? ~0ULL : 0;
			a += 64;
			continue;
		}
		if (bit(map, a) == set)
			clash++;
		if (set)
			map[a / 64] |= 1ULL << (a % 64);
		else
			map[a / 64] &= ~(1ULL << (a % 64));
		a++;
	}
	return clash;
}

static uint64_t count_poisoned(uint64_t a, uint64_t b)
{
	uint64_t n = 0;

	for (; a < b; a++)
		n += bit(poison_map, a);
	return n;
}

Test(alloc, randomized_property, .timeout = 120)
{
	static const uint64_t aligns[] = { K4, M2, G1 };
	struct live live[PROP_LIVE_MAX];
	uint64_t used = 0, poisoned = 0, ok_allocs = 0, enospc = 0, frees = 0, multi = 0;
	size_t nr_live = 0, i, j;
	struct daxmem_space s;
	long op;

	used_map = calloc(PROP_PAGES / 64 + 1, sizeof(uint64_t));
	poison_map = calloc(PROP_PAGES / 64 + 1, sizeof(uint64_t));
	cr_assert(used_map && poison_map);
	cr_assert_eq(daxmem_space_init(&s, PROP_START, PROP_SIZE), 0);
	for (i = 0; i < PROP_POISON; i++) {
		uint64_t page = rnd() % PROP_PAGES;

		if (bit(poison_map, page))
			continue;
		mark(poison_map, page, page + 1, true);
		cr_assert_eq(daxmem_space_exclude(&s, PROP_START + page * K4, K4), 0);
		poisoned++;
	}

	for (op = 0; op < PROP_OPS; op++) {
		bool do_alloc = nr_live == 0 || (nr_live < PROP_LIVE_MAX && rnd() % 100 < 55);

		if (do_alloc) {
			uint64_t align = aligns[rnd() % 3];
			/* mostly small devices (fragmentation), now and then a big one */
			uint64_t max_units = (PROP_SIZE / 6) / align;
			uint64_t units = rnd() % 5 ? (max_units < 64 ? max_units : 64) : max_units;
			uint64_t size = align * (1 + rnd() % (units ? units : 1));
			uint64_t usable = daxmem_space_usable(&s, align), off = 0;
			struct live *l = &live[nr_live];
			int rc = daxmem_space_alloc(&s, size, align, &l->r, &l->nr);

			if (rc == -ENOSPC) {
				cr_assert_lt(usable, size, "ENOSPC with %lu usable for %lu", usable,
					     size);
				enospc++;
				continue;
			}
			cr_assert_eq(rc, 0, "alloc %lu at %lu: %d", size, align, rc);
			cr_assert_geq(usable, size);
			for (j = 0; j < l->nr; j++) {
				const struct daxmem_range *r = &l->r[j];
				uint64_t a = (r->start - PROP_START) / K4;
				uint64_t b = a + daxmem_range_size(r) / K4;

				cr_assert_eq(r->start % align, 0, "misaligned start");
				cr_assert_eq(daxmem_range_size(r) % align, 0, "misaligned size");
				cr_assert_geq(r->start, PROP_START);
				cr_assert_leq(r->end, PROP_START + PROP_SIZE - 1);
				cr_assert_eq(r->page_offset, off);
				if (j)
					cr_assert_gt(r->start, l->r[j - 1].end);
				cr_assert_eq(count_poisoned(a, b), 0, "poisoned page handed out");
				cr_assert_eq(mark(used_map, a, b, true), 0,
					     "overlapping allocation");
				off += daxmem_range_size(r);
			}
			cr_assert_eq(off, size);
			multi += l->nr > 1;
			l->size = size;
			used += size;
			nr_live++;
			ok_allocs++;
		} else {
			size_t victim = rnd() % nr_live;
			struct live *l = &live[victim];

			for (j = 0; j < l->nr; j++) {
				uint64_t a = (l->r[j].start - PROP_START) / K4;

				cr_assert_eq(daxmem_space_give(&s, l->r[j].start,
							       daxmem_range_size(&l->r[j])),
					     0);
				mark(used_map, a, a + daxmem_range_size(&l->r[j]) / K4, false);
			}
			used -= l->size;
			free(l->r);
			live[victim] = live[--nr_live];
			frees++;
		}
		cr_assert_eq(s.free_bytes + used + poisoned * K4, PROP_SIZE,
			     "used + free != total after op %ld", op);
		if (op % 4096 == 0)
			check_extents(&s);
	}
	check_extents(&s);
	/* every free byte is neither used nor poisoned */
	for (i = 0; i < s.nr_free; i++) {
		uint64_t a = (s.free[i].start - PROP_START) / K4;
		uint64_t b = a + s.free[i].len / K4, p;

		for (p = a; p < b; p++)
			cr_assert(!bit(used_map, p) && !bit(poison_map, p));
	}
	cr_log_info(
		"property: %lu allocations (%lu over several ranges), %lu frees, %lu ENOSPC, %lu live",
		ok_allocs, multi, frees, enospc, (unsigned long)nr_live);
	cr_assert_gt(ok_allocs, 30000);
	cr_assert_gt(enospc, 100);
	cr_assert_gt(multi, 100);
	for (i = 0; i < nr_live; i++)
		free(live[i].r);
	daxmem_space_fini(&s);
	free(used_map);
	free(poison_map);
}
