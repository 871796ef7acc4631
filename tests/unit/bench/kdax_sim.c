// SPDX-License-Identifier: GPL-2.0
/*
 * The device-dax placement model used by bench-churn: each rule of
 * dev_dax_resize() it claims to follow, and its invariants under a random
 * grow/release sequence.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "kdax_sim.h"

#define M2 (2ULL << 20)
#define G1 (1ULL << 30)
#define BASE 0x100000000ULL

static struct kdax_region r;

static void setup_10g(void)
{
	cr_assert_eq(kdax_region_init(&r, BASE, 10 * G1), 0);
}

static void teardown(void)
{
	kdax_region_fini(&r);
}

static struct kdax_dev dev(uint32_t id, uint64_t align)
{
	return (struct kdax_dev){ .id = id, .align = align };
}

static void expect_range(const struct kdax_dev *d, size_t i, uint64_t start, uint64_t len,
			 uint64_t pgoff_bytes)
{
	cr_assert_lt(i, d->nr_range);
	cr_expect_eq(d->ranges[i].start, start, "range %zu starts at %#lx, want %#lx", i,
		     (unsigned long)d->ranges[i].start, (unsigned long)start);
	cr_expect_eq(d->ranges[i].end, start + len - 1, "range %zu end", i);
	cr_expect_eq(d->ranges[i].pgoff, pgoff_bytes >> 12, "range %zu pgoff", i);
}

TestSuite(kdax_sim, .init = setup_10g, .fini = teardown);

Test(kdax_sim, first_device_starts_at_region_start)
{
	struct kdax_dev a = dev(1, G1);

	cr_assert_eq(kdax_dev_grow(&r, &a, 3 * G1), 0);
	cr_assert_eq(a.nr_range, 1);
	expect_range(&a, 0, BASE, 3 * G1, 0);
	cr_expect_eq(kdax_region_avail(&r), 7 * G1);
	kdax_dev_release(&r, &a);
}

Test(kdax_sim, first_hole_then_the_next_one)
{
	struct kdax_dev a = dev(1, G1), b = dev(2, G1), c = dev(3, G1), d = dev(4, G1);

	cr_assert_eq(kdax_dev_grow(&r, &a, 2 * G1), 0);
	cr_assert_eq(kdax_dev_grow(&r, &b, 2 * G1), 0);
	cr_assert_eq(kdax_dev_grow(&r, &c, 2 * G1), 0);
	kdax_dev_release(&r, &a);
	/* the hole before b takes 2G, the rest comes from the end after c */
	cr_assert_eq(kdax_dev_grow(&r, &d, 3 * G1), 0);
	cr_assert_eq(d.nr_range, 2);
	expect_range(&d, 0, BASE, 2 * G1, 0);
	expect_range(&d, 1, BASE + 6 * G1, G1, 2 * G1);
	kdax_dev_release(&r, &b);
	kdax_dev_release(&r, &c);
	kdax_dev_release(&r, &d);
	cr_expect_eq(r.nr_child, 0);
	cr_expect_eq(kdax_region_avail(&r), 10 * G1);
}

Test(kdax_sim, hole_after_own_last_range_extends_it)
{
	struct kdax_dev a = dev(1, G1), b = dev(2, G1);

	cr_assert_eq(kdax_dev_grow(&r, &a, 2 * G1), 0);
	cr_assert_eq(kdax_dev_grow(&r, &b, 2 * G1), 0);
	kdax_dev_release(&r, &b);
	cr_assert_eq(kdax_dev_grow(&r, &a, G1), 0);
	cr_assert_eq(a.nr_range, 1, "adjust_ok: the last range grows in place");
	expect_range(&a, 0, BASE, 3 * G1, 0);
	cr_expect_eq(r.nr_child, 1);
	kdax_dev_release(&r, &a);
}

Test(kdax_sim, range_start_is_not_aligned)
{
	struct kdax_dev small = dev(1, M2), big = dev(2, G1);

	cr_assert_eq(kdax_dev_grow(&r, &small, 512 * M2 / 2), 0);
	cr_assert_eq(kdax_dev_grow(&r, &big, G1), 0, "only the length is checked");
	expect_range(&big, 0, BASE + 256 * M2, G1, 0);
	cr_expect(kdax_dev_aligned(&small));
	cr_expect_not(kdax_dev_aligned(&big));
	kdax_dev_release(&r, &small);
	kdax_dev_release(&r, &big);
}

Test(kdax_sim, refusals_change_nothing)
{
	struct kdax_dev a = dev(1, G1), b = dev(2, G1);

	cr_assert_eq(kdax_dev_grow(&r, &a, 9 * G1), 0);
	cr_expect_eq(kdax_dev_grow(&r, &b, 2 * G1), -ENOSPC);
	cr_expect_eq(kdax_dev_grow(&r, &b, M2), -EINVAL);
	cr_expect_eq(kdax_dev_grow(&r, &b, 0), -EINVAL);
	cr_expect_eq(b.nr_range, 0);
	cr_expect_eq(kdax_region_avail(&r), G1);
	kdax_dev_release(&r, &a);
}

#define NR_DEVS 64

Test(kdax_sim, random_sequence_keeps_invariants)
{
	struct kdax_dev devs[NR_DEVS];
	uint64_t held[NR_DEVS] = { 0 };
	unsigned int seed = 7;
	int step, i;

	for (i = 0; i < NR_DEVS; i++)
		devs[i] = dev((uint32_t)i + 1, (i & 1) ? G1 : M2);
	for (step = 0; step < 20000; step++) {
		uint64_t used = 0, dev_bytes = 0;
		size_t c;

		i = rand_r(&seed) % NR_DEVS;
		if (held[i] && rand_r(&seed) % 2) {
			kdax_dev_release(&r, &devs[i]);
			held[i] = 0;
		} else {
			uint64_t bytes = (uint64_t)(1 + rand_r(&seed) % 4) * devs[i].align *
					 (devs[i].align == M2 ? 128 : 1);
			int rc = kdax_dev_grow(&r, &devs[i], bytes);

			cr_assert(rc == 0 || rc == -ENOSPC, "grow: %d", rc);
			if (!rc)
				held[i] += bytes;
		}
		for (c = 0; c < r.nr_child; c++) {
			cr_assert_leq(r.child[c].start, r.child[c].end);
			cr_assert_geq(r.child[c].start, r.start);
			cr_assert_leq(r.child[c].end, r.end);
			if (c)
				cr_assert_gt(r.child[c].start, r.child[c - 1].end,
					     "children overlap");
			used += r.child[c].end - r.child[c].start + 1;
		}
		cr_assert_eq(used, r.used);
		for (i = 0; i < NR_DEVS; i++) {
			uint64_t off = 0;

			for (c = 0; c < devs[i].nr_range; c++) {
				cr_assert_eq(devs[i].ranges[c].pgoff, off >> 12,
					     "pgoff of range %zu", c);
				off += devs[i].ranges[c].end - devs[i].ranges[c].start + 1;
			}
			cr_assert_eq(off, held[i], "device %d holds %lu, want %lu", i,
				     (unsigned long)off, (unsigned long)held[i]);
			dev_bytes += off;
		}
		cr_assert_eq(dev_bytes, r.used);
	}
	for (i = 0; i < NR_DEVS; i++)
		kdax_dev_release(&r, &devs[i]);
	cr_expect_eq(kdax_region_avail(&r), 10 * G1);
}
