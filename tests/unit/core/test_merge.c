// SPDX-License-Identifier: LGPL-2.1
/* Device core: state records merged with the kernel's devices by their ranges. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

TestSuite(merge, .init = core_setup, .fini = core_teardown);

#define DEVDAX DAXMEM_BACKEND_DEVDAX

static const struct daxmem_range two[] = {
	{ R0_START + 8 * SZ_2M, R0_START + 10 * SZ_2M - 1, 0 },
	{ R0_START, R0_START + SZ_2M - 1, 2 * SZ_2M },
};

static void create_vm1(void)
{
	struct daxmem_dev_spec spec = { .ranges = two,
					.nr_ranges = 2,
					.name = "vm1",
					.label = "l",
					.mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
}

/* after a reboot the kernel may give the same ranges another chardev */
Test(merge, same_ranges_other_chardev)
{
	struct daxmem_range other = { R0_START + 32 * SZ_2M, R0_START + 33 * SZ_2M - 1, 0 };
	struct daxmem_dev *dev;

	create_vm1();
	fake_reboot(&core.k);
	cr_assert_not_null(fake_dev_add(&core.k, &core.k.regions[0], SZ_2M, &other, 1));
	cr_assert_not_null(fake_dev_add(&core.k, &core.k.regions[0], SZ_2M, two, 2));
	cr_assert_eq(core_nr_devs(), 2);
	dev = daxmem_dev_find(core.ctx, "vm1");
	cr_assert_not_null(dev);
	cr_assert_str_eq(daxmem_dev_get_chardev(dev), "dax0.1");
	cr_assert(daxmem_dev_is_present(dev) && daxmem_dev_is_recorded(dev));
	cr_assert_str_eq(daxmem_dev_get_label(dev), "l");
	dev = daxmem_dev_find(core.ctx, "dax0.0");
	cr_assert(daxmem_dev_is_present(dev) && !daxmem_dev_is_recorded(dev));
	core_expect_no_error();
}

struct seen {
	int kinds[4];
	char mismatch[200];
};

static void count_check(enum daxmem_check_kind kind, const char *name, const char *chardev,
			const char *detail, void *arg)
{
	struct seen *s = arg;

	s->kinds[kind]++;
	if (kind == DAXMEM_CHECK_MISMATCH)
		snprintf(s->mismatch, sizeof(s->mismatch), "%s: %s", name, detail);
}

/* the same ranges in another order is another device */
Test(merge, other_order_is_not_merged)
{
	struct daxmem_range swapped[] = {
		{ two[1].start, two[1].end, 0 },
		{ two[0].start, two[0].end, SZ_2M },
	};
	struct seen s;

	memset(&s, 0, sizeof(s));
	struct daxmem_dev *dev;

	create_vm1();
	fake_reboot(&core.k);
	cr_assert_not_null(fake_dev_add(&core.k, &core.k.regions[0], SZ_2M, swapped, 2));
	cr_assert_eq(core_nr_devs(), 2);
	dev = daxmem_dev_find(core.ctx, "vm1");
	cr_assert(!daxmem_dev_is_present(dev) && daxmem_dev_is_recorded(dev));
	cr_assert_eq(daxmem_check(core.ctx, count_check, &s), 2);
	cr_assert_eq(s.kinds[DAXMEM_CHECK_MISMATCH], 1);
	cr_assert_eq(s.kinds[DAXMEM_CHECK_UNRECORDED], 1);
	cr_assert_not_null(strstr(s.mismatch, "is held by dax0.0"), "%s", s.mismatch);
}

/* a record of a region that is gone stays in the file through later changes */
Test(merge, record_of_missing_region_kept)
{
	struct daxmem_dev_spec spec = { .size = SZ_2M, .name = "r1", .mode = DAXMEM_MODE_DEFAULT };
	struct seen s;

	memset(&s, 0, sizeof(s));

	cr_assert_eq(core_create(DEVDAX, 1, &spec, NULL), 0, "%s", core.log);
	fake_reboot(&core.k);
	core.k.regions[1].id = 7;
	spec.name = "r0";
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	cr_assert_eq(core_destroy("r0"), 0, "%s", core.log);
	cr_assert_eq(core_state_nr_devs(), 1);
	cr_assert_eq(daxmem_check(core.ctx, count_check, &s), 1);
	cr_assert_eq(s.kinds[DAXMEM_CHECK_MISSING], 1);
	core_expect_no_error();
}

/* recorded ranges are not handed out while their device awaits restore */
Test(merge, recorded_ranges_reserved)
{
	struct daxmem_dev_spec spec = { .size = SZ_1G - 3 * SZ_2M, .mode = DAXMEM_MODE_DEFAULT };

	create_vm1();
	fake_reboot(&core.k);
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)), SZ_1G - 3 * SZ_2M);
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	spec.size = SZ_2M;
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -ENOSPC);
	core_expect_error("region0 has too little free space");
	cr_assert_eq(core_destroy("vm1"), 0, "%s", core.log);
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
}
/*
 * save adopts what nobody recorded and keeps the names that were recorded;
 * the context's view follows the file at once (no refresh in between)
 */
Test(merge, save_adopts)
{
	struct daxmem_range r = { R1_START, R1_START + SZ_2M - 1, 0 };
	struct daxmem_dev_spec spec = { .size = SZ_2M,
					.name = "dax1.0",
					.mode = DAXMEM_MODE_DEFAULT };
	struct daxmem_dev *dev;

	create_vm1();
	/* a record already named dax1.0 makes the adopted one dax1.0-1 */
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	cr_assert_not_null(fake_dev_add(&core.k, &core.k.regions[1], SZ_2M, &r, 1));
	cr_assert_eq(daxmem_refresh(core.ctx), 0);
	cr_assert_eq(daxmem_save(core.ctx, NULL), 3, "%s", core.log);
	cr_assert_eq(core_state_nr_devs(), 3);
	dev = daxmem_dev_find(core.ctx, "dax1.0-1");
	cr_assert_not_null(dev, "the adopted device is not found under its recorded name");
	cr_assert(daxmem_dev_is_recorded(dev));
	cr_assert_str_eq(daxmem_dev_get_chardev(dev), "dax1.0");
	cr_assert(daxmem_dev_is_recorded(daxmem_dev_find(core.ctx, "vm1")));
	core_expect_no_error();
}
