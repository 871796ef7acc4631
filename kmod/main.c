// SPDX-License-Identifier: GPL-2.0
/*
 * pdax module setup: the pdax bus, the char device number range, the
 * private inodes, and the regions claimed at load.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pdax.h"

#define PDAX_FS_MAGIC 0x70646178

DEFINE_MUTEX(pdax_lock);
LIST_HEAD(pdax_regions);
dev_t pdax_devt;
static struct vfsmount *pdax_mnt;

static char *ranges;
module_param(ranges, charp, 0444);
MODULE_PARM_DESC(ranges,
		 "START-END[,START-END...] (hex, END inclusive) Soft Reserved ranges to claim; default: every unowned one");

struct bus_type pdax_bus_type = {
	.name = "pdax",
	.bus_groups = pdax_bus_groups,
};

static int pdax_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, PDAX_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type pdax_fs_type = {
	.name = "pdax",
	.init_fs_context = pdax_init_fs_context,
	.kill_sb = kill_anon_super,
};

/* An inode of the private mount; its address space collects all mappings. */
struct inode *pdax_alloc_inode(void)
{
	return alloc_anon_inode(pdax_mnt->mnt_sb);
}

/*
 * Parse "START-END" (hex, optional 0x, END inclusive, optional trailing
 * newline) as device-dax's mapping attribute does.
 */
int pdax_parse_range(const char *buf, phys_addr_t *start, phys_addr_t *end)
{
	char tmp[64], *dash, *s;
	unsigned long long a, b;
	size_t n = strlen(buf);

	if (n && buf[n - 1] == '\n')
		n--;
	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, n);
	tmp[n] = '\0';
	dash = strchr(tmp, '-');
	if (!dash)
		return -EINVAL;
	*dash = '\0';
	s = dash + 1;
	if (kstrtoull(tmp, 16, &a) || kstrtoull(s, 16, &b))
		return -EINVAL;
	if (b < a || b == ULLONG_MAX)
		return -EINVAL;
	*start = a;
	*end = b;
	return 0;
}

static int pdax_claim_param(void)
{
	char *copy, *cur, *tok;
	int rc = 0;

	copy = kstrdup(ranges, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cur = copy;
	while ((tok = strsep(&cur, ",")) != NULL) {
		phys_addr_t start, end;

		if (!*tok)
			continue;
		rc = pdax_parse_range(tok, &start, &end);
		if (rc) {
			pr_err("pdax: ranges=: cannot parse '%s' (want START-END in hex)\n",
			       tok);
			break;
		}
		rc = pdax_region_claim(start, end);
		if (rc) {
			pr_err("pdax: ranges=: cannot claim %pa-%pa: %d\n",
			       &start, &end, rc);
			break;
		}
	}
	kfree(copy);
	return rc;
}

static int __init pdax_init(void)
{
	int rc;

	pdax_mnt = kern_mount(&pdax_fs_type);
	if (IS_ERR(pdax_mnt)) {
		pr_err("pdax: kern_mount failed: %ld\n", PTR_ERR(pdax_mnt));
		return PTR_ERR(pdax_mnt);
	}
	rc = alloc_chrdev_region(&pdax_devt, 0, PDAX_MINORS, "pdax");
	if (rc) {
		pr_err("pdax: alloc_chrdev_region failed: %d\n", rc);
		goto err_mnt;
	}
	rc = bus_register(&pdax_bus_type);
	if (rc) {
		pr_err("pdax: bus_register failed: %d\n", rc);
		goto err_chrdev;
	}
	rc = pdax_poison_init();
	if (rc)
		goto err_bus;
	pdax_debugfs_init();

	if (ranges && *ranges) {
		rc = pdax_claim_param();
		if (rc)
			goto err_regions;
	} else {
		pdax_region_claim_all();
	}
	return 0;

err_regions:
	pdax_region_release_all();
	pdax_debugfs_exit();
	pdax_poison_exit();
err_bus:
	bus_unregister(&pdax_bus_type);
err_chrdev:
	unregister_chrdev_region(pdax_devt, PDAX_MINORS);
err_mnt:
	kern_unmount(pdax_mnt);
	return rc;
}

static void __exit pdax_exit(void)
{
	pdax_debugfs_exit();
	pdax_poison_exit();
	pdax_region_release_all();
	bus_unregister(&pdax_bus_type);
	unregister_chrdev_region(pdax_devt, PDAX_MINORS);
	kern_unmount(pdax_mnt);
}

module_init(pdax_init);
module_exit(pdax_exit);
MODULE_DESCRIPTION("pageless dax: carved memory without struct page for VMMs");
MODULE_LICENSE("GPL");
