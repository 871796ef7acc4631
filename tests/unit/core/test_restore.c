// SPDX-License-Identifier: LGPL-2.1
/* Device core: save and restore, all or nothing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

TestSuite(restore, .init = core_setup, .fini = core_teardown);

#define DEVDAX DAXMEM_BACKEND_DEVDAX
#define PAGELESS DAXMEM_BACKEND_PAGELESS

static const struct daxmem_range a_ranges[] = {
	{ R0_START + 64 * SZ_2M, R0_START + 66 * SZ_2M - 1, 0 },
	{ R0_START + 8 * SZ_2M, R0_START + 9 * SZ_2M - 1, 2 * SZ_2M },
};
static const struct daxmem_range b_range = { R1_START, R1_START + 4 * SZ_2M - 1, 0 };
static const struct daxmem_range p_range = { R2_START + 16 * SZ_4K, R2_START + 32 * SZ_4K - 1, 0 };

/* vm-a (two ranges), vm-b and a preserved pageless vm-p */
static void create_three(void)
{
	struct daxmem_dev_spec a = {
		.ranges = a_ranges, .nr_ranges = 2, .name = "vm-a", .mode = DAXMEM_MODE_DEFAULT
	};
	struct daxmem_dev_spec b = {
		.ranges = &b_range, .nr_ranges = 1, .name = "vm-b", .mode = DAXMEM_MODE_DEFAULT
	};
	struct daxmem_dev_spec p = { .ranges = &p_range,
				     .nr_ranges = 1,
				     .name = "vm-p",
				     .preserve = true,
				     .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &a, NULL), 0, "%s", core.log);
	cr_assert_eq(core_create(DEVDAX, 1, &b, NULL), 0, "%s", core.log);
	cr_assert_eq(core_create(PAGELESS, 2, &p, NULL), 0, "%s", core.log);
}

/* destroy calls before the restore under test */
static unsigned int destroys;

static struct fake_dev *kernel_dev_of(const char *name)
{
	struct daxmem_dev *dev;

	cr_assert_eq(daxmem_refresh(core.ctx), 0);
	dev = daxmem_dev_find(core.ctx, name);
	cr_assert_not_null(dev, "no device %s", name);
	cr_assert(daxmem_dev_is_present(dev), "%s is not present", name);
	return fake_dev_find(&core.k, daxmem_dev_get_chardev(dev));
}

Test(restore, after_reboot_same_ranges_same_order)
{
	struct fake_dev *kd;

	create_three();
	fake_reboot(&core.k);
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), 3, "%s", core.log);
	core_expect_no_error();
	cr_assert_eq(fake_nr_devs(&core.k), 3);
	kd = kernel_dev_of("vm-a");
	cr_assert_eq(kd->nr_ranges, 2);
	cr_assert_eq(memcmp(kd->ranges, a_ranges, sizeof(a_ranges)), 0);
	cr_assert_eq(kd->scrubs, 1);
	kd = kernel_dev_of("vm-p");
	cr_assert(kd->preserved);
	/* a preserved device is reassembled over its own memory, never zeroed */
	cr_assert_eq(kd->scrubs, 0);
	cr_assert_eq(core_state_nr_devs(), 3);
	/* all there: a second restore builds nothing */
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), 0, "%s", core.log);
	cr_assert_eq(core.k.calls[FAKE_CREATE], 6);
}

struct restored {
	unsigned int calls, created;
};

static void on_restored(struct daxmem_dev *dev, bool created, void *arg)
{
	struct restored *r = arg;

	r->calls++;
	r->created += created;
}

/* from a saved document: what is still present is kept, the rest rebuilt */
Test(restore, from_saved_file)
{
	char doc[128];
	struct restored r = { 0 };

	create_three();
	snprintf(doc, sizeof(doc), "%s/saved.json", core.dir);
	cr_assert_eq(daxmem_save(core.ctx, doc), 3, "%s", core.log);
	cr_assert_eq(core_destroy("vm-b"), 0, "%s", core.log);
	cr_assert_eq(core_state_nr_devs(), 2);
	cr_assert_eq(daxmem_restore(core.ctx, doc, on_restored, &r), 1, "%s", core.log);
	cr_assert_eq(r.calls, 3);
	cr_assert_eq(r.created, 1);
	cr_assert_eq(core_state_nr_devs(), 3);
	cr_assert_eq(fake_nr_devs(&core.k), 3);
	core_expect_no_error();
}

/* refuses without touching anything: no kernel call since, the same state file */
static void expect_untouched(const char *before, unsigned int creates, size_t kdevs)
{
	char *after = core_state_text();

	cr_assert_str_eq(after, before, "the state file changed");
	free(after);
	cr_assert_eq(core.k.calls[FAKE_CREATE], creates);
	cr_assert_eq(core.k.calls[FAKE_DESTROY], destroys);
	cr_assert_eq(core.k.calls[FAKE_POISON], 0);
	cr_assert_eq(fake_nr_devs(&core.k), kdevs);
}

Test(restore, range_taken_refuses_all)
{
	struct daxmem_range squat = { b_range.start + SZ_2M, b_range.start + 2 * SZ_2M - 1, 0 };
	char *before;

	create_three();
	fake_reboot(&core.k);
	/* something else got part of vm-b's memory */
	cr_assert_not_null(fake_dev_add(&core.k, &core.k.regions[1], SZ_2M, &squat, 1));
	cr_assert_eq(daxmem_refresh(core.ctx), 0);
	before = core_state_text();
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), -EBUSY);
	core_expect_error(
		"restore vm-b: range 0x140000000-0x1407fffff is not free in region1: held by dax1.0");
	/* vm-a and vm-p were free to build, and were not built either */
	expect_untouched(before, 3, 1);
	free(before);
}

Test(restore, missing_region_refuses_all)
{
	char *before;

	create_three();
	fake_reboot(&core.k);
	core.k.regions[1].id = 5;
	cr_assert_eq(daxmem_refresh(core.ctx), 0);
	before = core_state_text();
	cr_assert_eq(daxmem_restore(core.ctx, NULL, NULL, NULL), -ENODEV);
	core_expect_error("restore vm-b: region 1 of backend devdax is not present");
	expect_untouched(before, 3, 0);
	free(before);
}

/* a device of the same name with other ranges: it changed since the save */
Test(restore, changed_device_refuses_all)
{
	struct daxmem_range moved = { R1_START + SZ_1G, R1_START + SZ_1G + SZ_2M - 1, 0 };
	struct daxmem_dev_spec b = {
		.ranges = &moved, .nr_ranges = 1, .name = "vm-b", .mode = DAXMEM_MODE_DEFAULT
	};
	char doc[128], *before;

	create_three();
	snprintf(doc, sizeof(doc), "%s/saved.json", core.dir);
	cr_assert_eq(daxmem_save(core.ctx, doc), 3, "%s", core.log);
	cr_assert_eq(core_destroy("vm-a"), 0, "%s", core.log);
	cr_assert_eq(core_destroy("vm-b"), 0, "%s", core.log);
	cr_assert_eq(core_create(DEVDAX, 1, &b, NULL), 0, "%s", core.log);
	destroys = core.k.calls[FAKE_DESTROY];
	before = core_state_text();
	cr_assert_eq(daxmem_restore(core.ctx, doc, NULL, NULL), -EEXIST);
	core_expect_error(
		"restore vm-b: a device of that name is present (dax1.0) with other ranges");
	expect_untouched(before, 4, 2);
	free(before);
}

/* two recorded devices claiming the same memory can never both be built */
Test(restore, overlapping_records_refuse_all)
{
	struct daxmem_state st;
	struct daxmem_range r = { R0_START, R0_START + 2 * SZ_2M - 1, 0 };
	struct daxmem_state_dev d = { .name = "x",
				      .chardev = "dax0.0",
				      .backend = DEVDAX,
				      .region = 0,
				      .align = SZ_2M,
				      .mode = DAXMEM_MODE_DEVDAX,
				      .ranges = &r,
				      .nr_ranges = 1 };
	char doc[128], *before;

	daxmem_state_init(&st);
	cr_assert_eq(daxmem_state_put_dev(&st, &d), 0);
	d.name = "y";
	r.start += SZ_2M;
	r.end += SZ_2M;
	cr_assert_eq(daxmem_state_put_dev(&st, &d), 0);
	snprintf(doc, sizeof(doc), "%s/overlap.json", core.dir);
	cr_assert_eq(daxmem_state_store(core.ctx, doc, &st), 0);
	daxmem_state_clear(&st);
	before = core_state_text();
	cr_assert_eq(daxmem_restore(core.ctx, doc, NULL, NULL), -EBUSY);
	core_expect_error("restore y: range 0x100200000-0x1005fffff is not free in region0");
	expect_untouched(before, 0, 0);
	free(before);
}

Test(restore, missing_file)
{
	char doc[128];

	snprintf(doc, sizeof(doc), "%s/nonexistent.json", core.dir);
	cr_assert_eq(daxmem_restore(core.ctx, doc, NULL, NULL), -ENOENT);
	core_expect_error("nonexistent.json: No such file or directory");
}

Test(restore, corrupt_file_left_alone)
{
	FILE *f = fopen(core.state, "we");
	char *before;

	cr_assert_not_null(f);
	fputs("{ \"format\": \"daxmem-state\", ", f);
	fclose(f);
	before = core_state_text();
	cr_assert_lt(daxmem_restore(core.ctx, NULL, NULL, NULL), 0);
	core_expect_error("is corrupt");
	expect_untouched(before, 0, 0);
	free(before);
}
