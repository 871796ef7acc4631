// SPDX-License-Identifier: LGPL-2.1
/* Device core: poisoned pages are never handed out and survive a reboot. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fixture.h"

TestSuite(poison, .init = core_setup, .fini = core_teardown);

#define DEVDAX DAXMEM_BACKEND_DEVDAX
#define PAGELESS DAXMEM_BACKEND_PAGELESS

static bool dev_covers(struct daxmem_dev *dev, uint64_t addr)
{
	size_t i;

	for (i = 0; i < daxmem_dev_get_nr_ranges(dev); i++) {
		const struct daxmem_range *r = daxmem_dev_get_range(dev, i);

		if (r->start <= addr && addr <= r->end)
			return true;
	}
	return false;
}

Test(poison, recorded_page_never_handed_out)
{
	uint64_t bad = R0_START + 3 * SZ_2M + 5 * SZ_4K;
	struct daxmem_dev_spec spec = { .size = 16 * SZ_2M, .mode = DAXMEM_MODE_DEFAULT };
	struct daxmem_range range;
	struct daxmem_dev *dev;

	cr_assert_eq(daxmem_poison_add(core.ctx, bad, bad + SZ_4K - 1), 0, "%s", core.log);
	cr_assert_eq(daxmem_region_get_poisoned(core_region(DEVDAX, 0), 0, &range), 0);
	cr_assert_eq(range.start, bad);
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)), SZ_1G - SZ_4K);
	/* a 2M device cannot use the 2M page around it */
	cr_assert_eq(daxmem_region_get_largest_fit(core_region(DEVDAX, 0), SZ_2M), SZ_1G - SZ_2M);
	cr_assert_eq(core_create(DEVDAX, 0, &spec, &dev), 0, "%s", core.log);
	cr_assert(!dev_covers(dev, bad));
	daxmem_dev_unref(dev);
	spec.size = SZ_1G;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -ENOSPC);
	core_expect_error("region0 has too little free space");
}

Test(poison, exact_range_over_poison_refused)
{
	uint64_t bad = R0_START + SZ_2M;
	struct daxmem_range r = { R0_START, R0_START + 2 * SZ_2M - 1, 0 };
	struct daxmem_dev_spec spec = { .ranges = &r, .nr_ranges = 1, .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(daxmem_poison_add(core.ctx, bad, bad + SZ_4K - 1), 0, "%s", core.log);
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EBUSY);
	core_expect_error("poisoned at 0x100200000-0x100200fff");
	cr_assert_eq(core.k.calls[FAKE_CREATE], 0);
}

Test(poison, bad_range)
{
	cr_assert_eq(daxmem_poison_add(core.ctx, R0_START + SZ_4K, R0_START), -EINVAL);
	core_expect_error("poison: end 0x100000000 below start 0x100001000");
}

/* what the kernel reports poisoned is recorded in the state file */
Test(poison, kernel_report_recorded)
{
	struct daxmem_dev_spec spec = { .size = SZ_4K, .mode = DAXMEM_MODE_DEFAULT };
	struct daxmem_state st;
	uint64_t bad = R2_START + 7 * SZ_4K;

	core.k.regions[2].poison[core.k.regions[2].nr_poison++] = bad;
	cr_assert_eq(core_create(PAGELESS, 2, &spec, NULL), 0, "%s", core.log);
	cr_assert_eq(daxmem_state_load(core.ctx, core.state, &st), 0);
	cr_assert_eq(st.nr_poisoned, 1);
	cr_assert_eq(st.poisoned[0].start, bad);
	cr_assert_eq(st.poisoned[0].end, bad + SZ_4K - 1);
	daxmem_state_clear(&st);
}

/* after a reboot restore tells the pageless module again; device-dax keeps no list */
Test(poison, restore_marks_again)
{
	uint64_t pbad = R2_START + 9 * SZ_4K, dbad = R0_START + 5 * SZ_4K;
	struct daxmem_range r = { R2_START, R2_START + 64 * SZ_4K - 1, 0 };
	struct daxmem_dev_spec spec = {
		.ranges = &r, .nr_ranges = 1, .name = "vm", .mode = DAXMEM_MODE_DEFAULT
	};

	cr_assert_eq(core_create(PAGELESS, 2, &spec, NULL), 0, "%s", core.log);
	/* the page went bad under the running device */
	core.k.regions[2].poison[core.k.regions[2].nr_poison++] = pbad;
	cr_assert_eq(daxmem_poison_add(core.ctx, dbad, dbad + SZ_4K - 1), 0, "%s", core.log);
	fake_reboot(&core.k);
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), 1, "%s", core.log);
	cr_assert_eq(core.k.calls[FAKE_POISON], 1);
	cr_assert_eq(core.k.regions[2].nr_poison, 1);
	cr_assert_eq(core.k.regions[2].poison[0], pbad);
	/* the device that owned the page gets it back: the module raises SIGBUS on it */
	cr_assert_not_null(fake_dev_find(&core.k, "pdax2.0"));
	cr_assert_eq(memcmp(fake_dev_find(&core.k, "pdax2.0")->ranges, &r, sizeof(r)), 0);
	/* the kernel remembers now: another restore tells it nothing */
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), 0, "%s", core.log);
	cr_assert_eq(core.k.calls[FAKE_POISON], 1);
	core_expect_no_error();
}

/* the module refusing a page fails the restore before any device is built */
Test(poison, restore_poison_failure_builds_nothing)
{
	uint64_t pbad = R2_START + 9 * SZ_4K;
	struct daxmem_dev_spec spec = { .size = 4 * SZ_4K, .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(PAGELESS, 2, &spec, NULL), 0, "%s", core.log);
	cr_assert_eq(daxmem_poison_add(core.ctx, pbad, pbad + SZ_4K - 1), 0, "%s", core.log);
	fake_reboot(&core.k);
	fake_fail(&core.k, FAKE_POISON, 1, FAKE_FAIL_BEFORE);
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), -EIO);
	core_expect_error("poison page: Input/output error");
	cr_assert_eq(fake_nr_devs(&core.k), 0);
	cr_assert_eq(core.k.calls[FAKE_CREATE], 1);
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), 1, "%s", core.log);
	cr_assert_eq(core.k.regions[2].nr_poison, 1);
}
