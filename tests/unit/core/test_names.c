// SPDX-License-Identifier: LGPL-2.1
/* Device core: names of devices, given and chosen, and their collisions. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fixture.h"

TestSuite(names, .init = core_setup, .fini = core_teardown);

#define DEVDAX DAXMEM_BACKEND_DEVDAX

Test(names, given_name_twice)
{
	struct daxmem_dev_spec spec = { .size = SZ_2M, .name = "vm1", .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	cr_assert_eq(core_create(DEVDAX, 1, &spec, NULL), -EEXIST);
	core_expect_error("a device named vm1 already exists");
	cr_assert_eq(fake_nr_devs(&core.k), 1);
	cr_assert_eq(core.k.calls[FAKE_CREATE], 1);
	cr_assert_eq(core_state_nr_devs(), 1);
}

/* a name that is another device's chardev would make that device unreachable by name */
Test(names, name_of_a_chardev)
{
	struct daxmem_dev_spec spec = { .size = SZ_2M, .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	spec.name = "dax0.0";
	cr_assert_eq(core_create(DEVDAX, 1, &spec, NULL), -EEXIST);
	core_expect_error("a device named dax0.0 already exists");
}

/* a recorded device awaiting restore keeps its name */
Test(names, name_of_a_recorded_device)
{
	struct daxmem_dev_spec spec = { .size = SZ_2M, .name = "vm1", .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	fake_reboot(&core.k);
	cr_assert_eq(core_create(DEVDAX, 1, &spec, NULL), -EEXIST);
	core_expect_error("a device named vm1 already exists");
}

/* unnamed devices are named after their chardev, made unique against the records */
Test(names, chosen_names_unique)
{
	struct daxmem_dev_spec spec = { .size = SZ_2M, .mode = DAXMEM_MODE_DEFAULT };
	struct daxmem_dev *dev;

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), 0, "%s", core.log);
	/* the kernel forgets dax0.0; its record waits for restore */
	fake_reboot(&core.k);
	cr_assert_eq(core_create(DEVDAX, 0, &spec, &dev), 0, "%s", core.log);
	cr_assert_str_eq(daxmem_dev_get_chardev(dev), "dax0.0");
	cr_assert_str_eq(daxmem_dev_get_name(dev), "dax0.0-1");
	daxmem_dev_unref(dev);
	cr_assert_eq(core_state_nr_devs(), 2);
	core_expect_no_error();
}

/* the state file refuses empty names: writing one would make it unreadable */
Test(names, empty_or_slash_name_refused)
{
	struct daxmem_dev_spec spec = { .size = SZ_2M, .name = "", .mode = DAXMEM_MODE_DEFAULT };

	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("create: name \"\": want a non-empty name without '/'");
	spec.name = "a/b";
	cr_assert_eq(core_create(DEVDAX, 0, &spec, NULL), -EINVAL);
	core_expect_error("want a non-empty name without '/'");
	cr_assert_eq(core.k.calls[FAKE_CREATE], 0);
	/* the state is still readable */
	cr_assert_eq(
		core_create(DEVDAX, 0,
			    &(struct daxmem_dev_spec){ .size = SZ_2M, .mode = DAXMEM_MODE_DEFAULT },
			    NULL),
		0, "%s", core.log);
	cr_assert_eq(core_state_nr_devs(), 1);
}
