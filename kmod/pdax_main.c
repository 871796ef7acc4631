// SPDX-License-Identifier: GPL-2.0
/* placeholder: replaced by the pageless driver */
#include <linux/module.h>
static int __init pdax_init(void)
{
	return 0;
}
static void __exit pdax_exit(void)
{
}
module_init(pdax_init);
module_exit(pdax_exit);
MODULE_LICENSE("GPL");
