// SPDX-License-Identifier: GPL-2.0
/*
 * libdaxmem's range allocator against a page bitmap that records what is
 * handed out: alloc, give back a device, take/exclude/give exact ranges in
 * any order. A range is never handed out twice, nothing leaks, and the free
 * list stays sorted, disjoint and non-adjacent.
 * Input: 8-byte operations { op, a(3), b(2), c(2) }.
 */
#include <errno.h>

#include "alloc.h"
#include "fuzz.h"

#define PAGE 4096ULL
#define NR_PAGES 16384 /* a 64 MiB region */
#define REGION_START (4ULL << 30)
#define MAX_DEVS 64

static uint8_t used[NR_PAGES];

struct dev {
	struct daxmem_range *r;
	size_t nr;
};

static uint64_t pg(uint64_t addr)
{
	return (addr - REGION_START) / PAGE;
}

static void check_space(const struct daxmem_space *s)
{
	uint64_t sum = 0, nfree = 0;

	for (size_t i = 0; i < s->nr_free; i++) {
		const struct daxmem_extent *e = &s->free[i];

		fuzz_assert(e->len && e->start >= s->start &&
			    e->start + e->len <= s->start + s->size);
		fuzz_assert(!i || s->free[i - 1].start + s->free[i - 1].len < e->start);
		for (uint64_t p = pg(e->start); p < pg(e->start + e->len); p++)
			fuzz_assert(!used[p]);
		sum += e->len;
	}
	for (size_t p = 0; p < NR_PAGES; p++)
		nfree += !used[p];
	fuzz_assert(sum == s->free_bytes);
	fuzz_assert(sum == nfree * PAGE);
}

static bool all(uint64_t start, uint64_t len, uint8_t v)
{
	for (uint64_t p = pg(start); p < pg(start + len); p++)
		if (used[p] != v)
			return false;
	return true;
}

static void mark(uint64_t start, uint64_t len, uint8_t v)
{
	memset(used + pg(start), v, len / PAGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t aligns[] = { PAGE, 16 * PAGE, 2 << 20, 8 << 20 };
	struct fuzz_in in = { data, size };
	struct dev devs[MAX_DEVS];
	struct daxmem_space s;
	int nd = 0;

	memset(used, 0, sizeof(used));
	fuzz_assert(!daxmem_space_init(&s, REGION_START, NR_PAGES * PAGE));
	while (in.left >= 8) {
		uint8_t op = (uint8_t)fuzz_take(&in, 1);
		uint64_t a = fuzz_take(&in, 3) % NR_PAGES, b = fuzz_take(&in, 2);
		uint64_t c = fuzz_take(&in, 2);
		uint64_t start = REGION_START + a * PAGE;
		uint64_t len = (1 + b % (NR_PAGES - a)) * PAGE;

		switch (op % 5) {
		case 0: { /* allocate a device */
			uint64_t align = aligns[c % 4];
			uint64_t want = (1 + b % 64) * align;
			uint64_t off = 0, usable = daxmem_space_usable(&s, align);
			struct daxmem_range *r;
			size_t nr;
			int rc;

			if (nd == MAX_DEVS)
				break;
			rc = daxmem_space_alloc(&s, want, align, &r, &nr);
			fuzz_assert(rc == 0 || rc == -ENOSPC);
			fuzz_assert(rc == 0 || want > usable);
			if (rc)
				break;
			fuzz_assert(want <= usable);
			for (size_t i = 0; i < nr; i++) {
				fuzz_assert(r[i].start % align == 0 && (r[i].end + 1) % align == 0);
				fuzz_assert(r[i].start >= REGION_START &&
					    r[i].end < REGION_START + NR_PAGES * PAGE);
				fuzz_assert(r[i].page_offset == off);
				fuzz_assert(all(r[i].start, r[i].end - r[i].start + 1, 0));
				mark(r[i].start, r[i].end - r[i].start + 1, 1);
				off += r[i].end - r[i].start + 1;
			}
			fuzz_assert(off == want);
			devs[nd++] = (struct dev){ r, nr };
			break;
		}
		case 1: /* destroy a device: every range goes back */
			if (!nd)
				break;
			c %= nd;
			for (size_t i = 0; i < devs[c].nr; i++) {
				const struct daxmem_range *r = &devs[c].r[i];

				fuzz_assert(
					!daxmem_space_give(&s, r->start, r->end - r->start + 1));
				mark(r->start, r->end - r->start + 1, 0);
			}
			free(devs[c].r);
			devs[c] = devs[--nd];
			break;
		case 2: /* take an exact range (restore, --ranges) */
			if (daxmem_space_take(&s, start, len) == 0) {
				fuzz_assert(all(start, len, 0));
				mark(start, len, 2);
			} else {
				fuzz_assert(!all(start, len, 0));
			}
			break;
		case 3: /* exclude (poison): whatever is free in it */
			if (daxmem_space_exclude(&s, start, len) == 0)
				for (uint64_t p = pg(start); p < pg(start + len); p++)
					used[p] = used[p] ? used[p] : 3;
			break;
		case 4: /* give back an exact range that was taken; freed bytes are refused */
			if (all(start, len, 2)) {
				fuzz_assert(!daxmem_space_give(&s, start, len));
				mark(start, len, 0);
			} else if (!all(start, len, 1) && !all(start, len, 3) &&
				   !all(start, len, 2)) {
				bool any_free = false;

				for (uint64_t p = pg(start); p < pg(start + len); p++)
					any_free |= !used[p];
				if (any_free)
					fuzz_assert(daxmem_space_give(&s, start, len) == -EINVAL);
			}
			break;
		}
		check_space(&s);
	}
	for (int i = 0; i < nd; i++)
		free(devs[i].r);
	daxmem_space_fini(&s);
	return 0;
}
