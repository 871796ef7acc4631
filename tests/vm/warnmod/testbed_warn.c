// SPDX-License-Identifier: GPL-2.0
/*
 * testbed_warn: a module whose only job is to log a kernel WARNING when it is
 * loaded, so the testbed can prove that it fails a run on kernel warnings.
 */
#include <linux/module.h>

static int __init testbed_warn_init(void)
{
	WARN(1, "testbed_warn: deliberate warning\n");
	return -EINVAL;
}
module_init(testbed_warn_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("daxmem testbed self-test: logs one WARNING on load");
