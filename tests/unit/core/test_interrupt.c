// SPDX-License-Identifier: LGPL-2.1
/*
 * Device core: a kernel call that fails or a command that stops halfway
 * (create, scrub, destroy, restore) leaves no range owned twice and nothing
 * recorded that the kernel does not hold by mistake; the next command
 * repairs what is left.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fixture.h"

TestSuite(interrupt, .init = core_setup, .fini = core_teardown);

#define DEVDAX DAXMEM_BACKEND_DEVDAX

struct tally {
	int kinds[4];
};

static void count_check(enum daxmem_check_kind kind, const char *name, const char *chardev,
			const char *detail, void *arg)
{
	((struct tally *)arg)->kinds[kind]++;
}

static struct tally check(void)
{
	struct tally t;

	memset(&t, 0, sizeof(t));
	cr_assert_geq(daxmem_check(core.ctx, count_check, &t), 0, "%s", core.log);
	return t;
}

static const struct daxmem_dev_spec two_ranges = {
	.ranges =
		(const struct daxmem_range[]){
			{ R0_START + 10 * SZ_2M, R0_START + 11 * SZ_2M - 1, 0 },
			{ R0_START + 20 * SZ_2M, R0_START + 21 * SZ_2M - 1, SZ_2M },
		},
	.nr_ranges = 2,
	.name = "vm",
	.mode = DAXMEM_MODE_DEFAULT,
};

Test(interrupt, create_fails_before_the_kernel_acts)
{
	fake_fail(&core.k, FAKE_CREATE, 1, FAKE_FAIL_BEFORE);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), -EIO);
	core_expect_error("create in region0: Input/output error");
	cr_assert_eq(fake_nr_devs(&core.k), 0);
	cr_assert_eq(core_state_nr_devs(), 0);
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)), SZ_1G);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), 0, "%s", core.log);
}

/* the kernel made the device, the command did not live to record it */
Test(interrupt, create_stops_after_the_kernel_acted)
{
	struct daxmem_dev_spec big = { .size = SZ_1G - 2 * SZ_2M, .mode = DAXMEM_MODE_DEFAULT };
	struct tally t;

	fake_fail(&core.k, FAKE_CREATE, 1, FAKE_FAIL_AFTER);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), -EIO);
	core_expect_error("create dax0.0: Input/output error");
	cr_assert_eq(fake_nr_devs(&core.k), 1);
	cr_assert_eq(core_state_nr_devs(), 0);
	/* its ranges are not handed out again */
	cr_assert_eq(core_create(DEVDAX, 0, &big, NULL), 0, "%s", core.log);
	t = check();
	cr_assert_eq(t.kinds[DAXMEM_CHECK_UNRECORDED], 1);
	/* repair: the leftover is destroyed by its chardev, and the memory is free */
	cr_assert_eq(core_destroy("dax0.0"), 0, "%s", core.log);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), 0, "%s", core.log);
	t = check();
	cr_assert_eq(t.kinds[DAXMEM_CHECK_OK], 2);
	cr_assert_eq(t.kinds[DAXMEM_CHECK_UNRECORDED], 0);
	core_expect_no_error();
}

/* or save adopts the leftover */
Test(interrupt, create_leftover_adopted_by_save)
{
	fake_fail(&core.k, FAKE_CREATE, 1, FAKE_FAIL_AFTER);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), -EIO);
	core_log_reset();
	cr_assert_eq(daxmem_save(core.ctx, NULL), 1, "%s", core.log);
	cr_assert_eq(check().kinds[DAXMEM_CHECK_OK], 1);
}

/* stopped while writing the ranges: the kernel holds the first one only */
Test(interrupt, create_stops_halfway)
{
	struct daxmem_dev_spec all = { .size = SZ_1G - SZ_2M, .mode = DAXMEM_MODE_DEFAULT };

	fake_fail(&core.k, FAKE_CREATE, 1, FAKE_FAIL_PARTIAL);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), -EIO);
	core_expect_error("create dax0.0");
	cr_assert_eq(fake_dev_find(&core.k, "dax0.0")->nr_ranges, 1);
	cr_assert_eq(core_state_nr_devs(), 0);
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)), SZ_1G - SZ_2M);
	/* what is free is all usable: the fake kernel refuses any overlap */
	cr_assert_eq(core_create(DEVDAX, 0, &all, NULL), 0, "%s", core.log);
	cr_assert_eq(core_destroy("dax0.0"), 0, "%s", core.log);
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)), SZ_2M);
}

/* the kernel took other ranges than written: the device is removed again */
Test(interrupt, create_kernel_holds_other_ranges)
{
	fake_fail(&core.k, FAKE_CREATE, 1, FAKE_WRONG_RANGES);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), -EIO);
	core_expect_error(
		"dax0.0: the kernel holds other ranges than were written; device removed");
	cr_assert_eq(fake_nr_devs(&core.k), 0);
	cr_assert_eq(core_state_nr_devs(), 0);
	cr_assert_eq(daxmem_region_get_allocatable_size(core_region(DEVDAX, 0)), SZ_1G);
}

/* memory that cannot be zeroed is never handed out */
Test(interrupt, scrub_fails)
{
	fake_fail(&core.k, FAKE_SCRUB, 1, FAKE_FAIL_BEFORE);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), -EIO);
	core_expect_error("scrub dax0.0: Input/output error");
	cr_assert_eq(fake_nr_devs(&core.k), 0);
	cr_assert_eq(core_state_nr_devs(), 0);
	cr_assert_eq(core.k.calls[FAKE_DESTROY], 1);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), 0, "%s", core.log);
}

/* the scan after the kernel made the device fails: nothing recorded, leftover repaired */
Test(interrupt, scan_fails_after_create)
{
	fake_fail(&core.k, FAKE_SCAN, 3, FAKE_FAIL_BEFORE);
	cr_assert_lt(core_create(DEVDAX, 0, &two_ranges, NULL), 0);
	cr_assert_eq(core.nr_errors, 1, "%s", core.log);
	core_log_reset();
	cr_assert_eq(core_state_nr_devs(), 0);
	if (fake_nr_devs(&core.k))
		cr_assert_eq(core_destroy("dax0.0"), 0, "%s", core.log);
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), 0, "%s", core.log);
	cr_assert_eq(check().kinds[DAXMEM_CHECK_OK], 1);
}

Test(interrupt, destroy_fails_before_the_kernel_acts)
{
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), 0, "%s", core.log);
	fake_fail(&core.k, FAKE_DESTROY, 1, FAKE_FAIL_BEFORE);
	cr_assert_eq(core_destroy("vm"), -EIO);
	core_expect_error("destroy dax0.0: Input/output error");
	cr_assert_eq(fake_nr_devs(&core.k), 1);
	cr_assert_eq(core_state_nr_devs(), 1);
	cr_assert_eq(check().kinds[DAXMEM_CHECK_OK], 1);
	cr_assert_eq(core_destroy("vm"), 0, "%s", core.log);
	cr_assert_eq(fake_nr_devs(&core.k), 0);
	cr_assert_eq(core_state_nr_devs(), 0);
}

/* the kernel removed it, the command did not live to drop the record */
Test(interrupt, destroy_stops_after_the_kernel_acted)
{
	struct daxmem_dev_spec all = { .size = SZ_1G, .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), 0, "%s", core.log);
	fake_fail(&core.k, FAKE_DESTROY, 1, FAKE_FAIL_AFTER);
	cr_assert_eq(core_destroy("vm"), -EIO);
	core_log_reset();
	cr_assert_eq(fake_nr_devs(&core.k), 0);
	/* the record keeps its ranges from being handed out */
	cr_assert_eq(check().kinds[DAXMEM_CHECK_MISSING], 1);
	cr_assert_eq(core_create(DEVDAX, 0, &all, NULL), -ENOSPC);
	core_log_reset();
	/* repair: destroying it again drops the record without a kernel call */
	cr_assert_eq(core_destroy("vm"), 0, "%s", core.log);
	cr_assert_eq(core.k.calls[FAKE_DESTROY], 1);
	cr_assert_eq(core_state_nr_devs(), 0);
	cr_assert_eq(core_create(DEVDAX, 0, &all, NULL), 0, "%s", core.log);
}

/* or restore rebuilds it */
Test(interrupt, destroy_stopped_then_restore)
{
	cr_assert_eq(core_create(DEVDAX, 0, &two_ranges, NULL), 0, "%s", core.log);
	fake_fail(&core.k, FAKE_DESTROY, 1, FAKE_FAIL_AFTER);
	cr_assert_eq(core_destroy("vm"), -EIO);
	core_log_reset();
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), 1, "%s", core.log);
	cr_assert_eq(check().kinds[DAXMEM_CHECK_OK], 1);
}

/* a restore stopped after its first device: the next restore builds the rest */
Test(interrupt, restore_stops_halfway)
{
	struct daxmem_dev_spec spec = { .size = 4 * SZ_2M, .mode = DAXMEM_MODE_DEFAULT };
	const char *names[] = { "a", "b", "c" };
	size_t i;

	for (i = 0; i < 3; i++) {
		spec.name = names[i];
		cr_assert_eq(core_create(DEVDAX, i % 2, &spec, NULL), 0, "%s", core.log);
	}
	fake_reboot(&core.k);
	fake_fail(&core.k, FAKE_CREATE, 2, FAKE_FAIL_BEFORE);
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), -EIO);
	core_expect_error("Input/output error");
	cr_assert_eq(fake_nr_devs(&core.k), 1);
	cr_assert_eq(core_state_nr_devs(), 3);
	cr_assert_eq(check().kinds[DAXMEM_CHECK_MISSING], 2);
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), 2, "%s", core.log);
	cr_assert_eq(fake_nr_devs(&core.k), 3);
	cr_assert_eq(check().kinds[DAXMEM_CHECK_OK], 3);
	core_expect_no_error();
}
