// SPDX-License-Identifier: LGPL-2.1
/* Device core: create and destroy against the fake kernel. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fixture.h"

TestSuite(create, .init = core_setup, .fini = core_teardown);

#define DEVDAX DAXMEM_BACKEND_DEVDAX
#define PAGELESS DAXMEM_BACKEND_PAGELESS

Test(create, size_at_region_align)
{
	struct daxmem_dev_spec spec = { .size = 64 << 20, .mode = DAXMEM_MODE_DEFAULT };
	struct daxmem_dev *dev;
	struct fake_dev *kd;

	cr_assert_eq(core_create(DEVDAX, 0, &spec, &dev), 0, "%s", core.log);
	core_expect_no_error();
	cr_assert_str_eq(daxmem_dev_get_chardev(dev), "dax0.0");
	cr_assert_str_eq(daxmem_dev_get_name(dev), "dax0.0");
	cr_assert_eq(daxmem_dev_get_size(dev), 64 << 20);
	cr_assert_eq(daxmem_dev_get_align(dev), SZ_2M);
	cr_assert_eq(daxmem_dev_get_mode(dev), DAXMEM_MODE_DEVDAX);
	cr_assert(daxmem_dev_is_present(dev) && daxmem_dev_is_recorded(dev));
	cr_assert_eq(daxmem_dev_get_nr_ranges(dev), 1);
	cr_assert_eq(daxmem_dev_get_range(dev, 0)->start % SZ_2M, 0);
	daxmem_dev_unref(dev);
	kd = fake_dev_find(&core.k, "dax0.0");
	cr_assert_not_null(kd);
	/* not preserved: zeroed before it is handed out */
	cr_assert_eq(kd->scrubs, 1);
	cr_assert_eq(core_state_nr_devs(), 1);
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)),
		     SZ_1G - (64 << 20));
}

Test(create, alignments_4k_2m_1g)
{
	struct daxmem_dev_spec s4k = { .size = 3 * SZ_4K, .align = SZ_4K };
	struct daxmem_dev_spec s2m = { .size = 6 * SZ_2M, .align = SZ_2M };
	struct daxmem_dev_spec s1g = { .size = SZ_1G, .align = SZ_1G };
	const struct daxmem_range *r;
	struct daxmem_dev *dev;

	s4k.mode = s2m.mode = s1g.mode = DAXMEM_MODE_DEFAULT;
	cr_assert_eq(core_create(PAGELESS, 2, &s4k, &dev), 0, "%s", core.log);
	cr_assert_str_eq(daxmem_dev_get_chardev(dev), "pdax2.0");
	cr_assert_eq(daxmem_dev_get_mode(dev), DAXMEM_MODE_PAGELESS);
	cr_assert_eq(daxmem_dev_get_align(dev), SZ_4K);
	cr_assert_eq(daxmem_dev_get_size(dev), 3 * SZ_4K);
	daxmem_dev_unref(dev);

	cr_assert_eq(core_create(DEVDAX, 1, &s2m, &dev), 0, "%s", core.log);
	cr_assert_eq(daxmem_dev_get_align(dev), SZ_2M);
	daxmem_dev_unref(dev);

	cr_assert_eq(core_create(DEVDAX, 1, &s1g, &dev), 0, "%s", core.log);
	cr_assert_eq(daxmem_dev_get_align(dev), SZ_1G);
	cr_assert_eq(daxmem_dev_get_nr_ranges(dev), 1);
	r = daxmem_dev_get_range(dev, 0);
	/* the 2M device sits in the first GiB, so the 1G one takes the second */
	cr_assert_eq(r->start, R1_START + SZ_1G);
	cr_assert_eq(daxmem_range_size(r), SZ_1G);
	daxmem_dev_unref(dev);
	core_expect_no_error();
	cr_assert_eq(fake_nr_devs(&core.k), 3);
}

Test(create, refusals)
{
	struct daxmem_dev_spec spec = { .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("a size or ranges are required");

	spec.size = 64 << 20;
	spec.align = 8192;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("align 0x2000 is not one of 4K, 2M, 1G");

	spec.align = SZ_1G;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("size 0x4000000 is not a multiple of align 0x40000000");

	spec.align = 0;
	spec.size = 2 * SZ_1G;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -ENOSPC);
	core_expect_error("the largest that fits is 1.00 GiB");

	spec.size = SZ_2M;
	spec.mode = DAXMEM_MODE_COMPOUND;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("mode compound is not available in backend devdax");

	spec.mode = DAXMEM_MODE_DEVDAX;
	cr_assert_eq(core_create(PAGELESS, 2, &spec, NULL), -EINVAL);
	core_expect_error("mode devdax is not available in backend pageless");

	cr_assert_eq(fake_nr_devs(&core.k), 0);
	cr_assert_eq(core.k.calls[FAKE_CREATE], 0);
	cr_assert_eq(core_state_nr_devs(), 0);
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)), SZ_1G);
}

Test(create, unknown_region_start)
{
	struct daxmem_dev_spec spec = { .size = SZ_2M, .mode = DAXMEM_MODE_DEFAULT };

	core.k.regions[0].hide_start = true;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -ENXIO);
	core_expect_error("region0: its start address is unknown");
	cr_assert_eq(core.k.calls[FAKE_CREATE], 0);
}

/* the start recorded in the state file places devices when the scan cannot */
Test(create, region_start_from_state)
{
	struct daxmem_dev_spec spec = { .size = SZ_2M, .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	core.k.regions[0].hide_start = true;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	cr_assert_eq(daxmem_region_get_start(core_region(DEVDAX, 0)), R0_START);
	core_expect_no_error();
}

Test(create, unknown_region)
{
	struct daxmem_region *region;

	cr_assert_eq(daxmem_region_find(core.ctx, DEVDAX, 9, &region), -ENOENT);
	core_expect_error("unknown region 9 in backend devdax");
}

Test(create, exact_ranges_in_page_offset_order)
{
	/* the second GiB-half first: page_offset order is the order given */
	struct daxmem_range ranges[] = {
		{ R0_START + (512 << 20), R0_START + (512 << 20) + SZ_2M - 1, 0 },
		{ R0_START, R0_START + 2 * SZ_2M - 1, SZ_2M },
	};
	struct daxmem_dev_spec spec = { .ranges = ranges,
					.nr_ranges = 2,
					.name = "vm1",
					.label = "guest one",
					.mode = DAXMEM_MODE_DEFAULT };
	struct daxmem_dev *dev;
	struct fake_dev *kd;

	cr_assert_eq(core_create(DEVDAX, 0, &spec, &dev), 0, "%s", core.log);
	core_expect_no_error();
	cr_assert_str_eq(daxmem_dev_get_name(dev), "vm1");
	cr_assert_str_eq(daxmem_dev_get_label(dev), "guest one");
	cr_assert_eq(daxmem_dev_get_size(dev), 3 * SZ_2M);
	cr_assert_eq(daxmem_dev_get_nr_ranges(dev), 2);
	cr_assert_eq(memcmp(daxmem_dev_get_range(dev, 0), &ranges[0], sizeof(ranges[0])), 0);
	cr_assert_eq(memcmp(daxmem_dev_get_range(dev, 1), &ranges[1], sizeof(ranges[1])), 0);
	daxmem_dev_unref(dev);
	kd = fake_dev_find(&core.k, "dax0.0");
	cr_assert_eq(kd->nr_ranges, 2);
	cr_assert_eq(memcmp(kd->ranges, ranges, sizeof(ranges)), 0);
}

Test(create, exact_range_refusals)
{
	struct daxmem_range r[2];
	struct daxmem_dev_spec spec = { .ranges = r, .nr_ranges = 1, .mode = DAXMEM_MODE_DEFAULT };

	r[0] = (struct daxmem_range){ R0_START + SZ_4K, R0_START + SZ_4K + SZ_2M - 1, 0 };
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("is not aligned to 0x200000");

	r[0] = (struct daxmem_range){ R0_START, R0_START + 2 * SZ_2M - 1, 0 };
	r[1] = (struct daxmem_range){ R0_START + SZ_2M, R0_START + 3 * SZ_2M - 1, 2 * SZ_2M };
	spec.nr_ranges = 2;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("overlap");

	r[1] = (struct daxmem_range){ R0_START + 4 * SZ_2M, R0_START + 5 * SZ_2M - 1, 0 };
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("not contiguous with the ranges before it");

	r[1].page_offset = 2 * SZ_2M;
	spec.size = SZ_2M;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("does not match the ranges' total");

	spec.size = 0;
	spec.nr_ranges = 1;
	r[0] = (struct daxmem_range){ R1_START, R1_START + SZ_2M - 1, 0 };
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EBUSY);
	core_expect_error("outside region0");

	cr_assert_eq(core.k.calls[FAKE_CREATE], 0);
	cr_assert_eq(core_state_nr_devs(), 0);
}

Test(create, exact_range_taken)
{
	struct daxmem_range r = { R0_START, R0_START + SZ_2M - 1, 0 };
	struct daxmem_range wide = { R0_START, R0_START + 4 * SZ_2M - 1, 0 };
	struct daxmem_dev_spec spec = {
		.ranges = &r, .nr_ranges = 1, .name = "a", .mode = DAXMEM_MODE_DEFAULT
	};

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	spec.name = "b";
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EBUSY);
	core_expect_error("is not free in region0: held by dax0.0");
	spec.ranges = &wide;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EBUSY);
	core_expect_error("held by dax0.0");
	cr_assert_eq(fake_nr_devs(&core.k), 1);
	cr_assert_eq(core.k.calls[FAKE_CREATE], 1);
}

/* a device larger than any hole is put together from several */
Test(create, discontiguous)
{
	struct daxmem_dev_spec spec = { .size = 256 << 20, .mode = DAXMEM_MODE_DEFAULT };
	const char *names[] = { "a", "b", "c", "d" };
	uint64_t off = 0;
	struct daxmem_dev *dev;
	size_t i;

	for (i = 0; i < 4; i++) {
		spec.name = names[i];
		cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	}
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)), 0);
	cr_assert_eq(core_destroy("a"), 0, "%s", core.log);
	cr_assert_eq(core_destroy("c"), 0, "%s", core.log);
	spec.name = "big";
	spec.size = 512 << 20;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, &dev), 0, "%s", core.log);
	core_expect_no_error();
	cr_assert_eq(daxmem_dev_get_nr_ranges(dev), 2);
	for (i = 0; i < 2; i++) {
		const struct daxmem_range *r = daxmem_dev_get_range(dev, i);

		cr_assert_eq(r->page_offset, off);
		cr_assert_eq(daxmem_range_size(r), 256 << 20);
		off += daxmem_range_size(r);
	}
	cr_assert_neq(daxmem_dev_get_range(dev, 0)->start, daxmem_dev_get_range(dev, 1)->start);
	daxmem_dev_unref(dev);
	cr_assert_eq(fake_nr_devs(&core.k), 3);
	cr_assert_eq(core_state_nr_devs(), 3);
}

Test(create, destroy_gives_space_back)
{
	struct daxmem_dev_spec spec = { .size = SZ_1G, .name = "all", .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	cr_assert_eq(core_destroy("all"), 0, "%s", core.log);
	core_expect_no_error();
	cr_assert_eq(fake_nr_devs(&core.k), 0);
	cr_assert_eq(core_state_nr_devs(), 0);
	cr_assert_eq(core_nr_devs(), 0);
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)), SZ_1G);
	/* by chardev too */
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	cr_assert_eq(core_destroy("dax0.0"), 0, "%s", core.log);
	cr_assert_eq(fake_nr_devs(&core.k), 0);
	cr_assert_eq(core_state_nr_devs(), 0);
}

/* a device the kernel made by itself (dax_hmem's initial one) is destroyed like any other */
Test(create, destroy_unrecorded)
{
	struct daxmem_range all = { R0_START, R0_START + SZ_1G - 1, 0 };
	struct daxmem_dev_spec spec = { .size = SZ_2M, .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_not_null(fake_dev_add(&core.k, &core.k.regions[0], SZ_2M, &all, 1));
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -ENOSPC);
	core_expect_error("the largest that fits is 0");
	cr_assert_eq(core_destroy("dax0.0"), 0, "%s", core.log);
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	core_expect_no_error();
}

/* a preserved device is zeroed once, when it is new */
Test(create, preserved_scrubbed_when_new)
{
	struct daxmem_dev_spec spec = { .size = SZ_2M,
					.preserve = true,
					.mode = DAXMEM_MODE_DEFAULT };
	struct daxmem_dev *dev;

	cr_assert_eq(core_create(PAGELESS, 2, &spec, &dev), 0, "%s", core.log);
	cr_assert(daxmem_dev_is_preserved(dev));
	cr_assert(fake_dev_find(&core.k, "pdax2.0")->preserved);
	cr_assert_eq(fake_dev_find(&core.k, "pdax2.0")->scrubs, 1);
	daxmem_dev_unref(dev);
}
