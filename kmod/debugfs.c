// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs pdax/: "selfcheck" proves that pageless memory has no struct page
 * and no direct-map entry; "inject_poison" feeds the memory-failure path;
 * "fail_range_alloc" fails a range allocation on purpose.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/pgtable_types.h>

#include "pdax.h"

static struct dentry *pdax_debugfs_dir;

struct pdax_check {
	u64 pages;
	u64 checked;
	u64 pfn_valid;
	u64 direct_map;
};

/* Is @phys inside a range of an active compound device of @region? */
static bool pdax_in_compound(struct pdax_region *region, phys_addr_t phys,
			     phys_addr_t *skip_to)
{
	struct pdax_dev *pdev;
	int i;

	list_for_each_entry(pdev, &region->devs, node) {
		if (!pdev->pgmap)
			continue;
		for (i = 0; i < pdev->nr_range; i++) {
			struct pdax_range *r = &pdev->ranges[i];

			if (phys >= r->start && phys - r->start < r->len) {
				*skip_to = r->start + r->len;
				return true;
			}
		}
	}
	return false;
}

/*
 * Walk every page of the region: pfn_valid() must be false, and the direct
 * map must have no present entry at __va(phys). When the direct-map walk
 * stops at an empty PUD or PMD, the whole 1G or 2M has no entry.
 */
static void pdax_check_region(struct pdax_region *region, struct pdax_check *c)
{
	phys_addr_t end = region->start + region->size;
	phys_addr_t phys = region->start;
	phys_addr_t dm_clear_to = 0;

	while (phys < end) {
		phys_addr_t skip;
		unsigned int level;
		pte_t *pte;

		if (pdax_in_compound(region, phys, &skip)) {
			c->pages += (min(skip, end) - phys) >> PAGE_SHIFT;
			phys = skip;
			continue;
		}
		c->pages++;
		c->checked++;
		if (pfn_valid(PHYS_PFN(phys)))
			c->pfn_valid++;
		if (phys >= dm_clear_to) {
			pte = lookup_address((unsigned long)__va(phys), &level);
			if (pte && (pte_flags(*pte) & _PAGE_PRESENT))
				c->direct_map++;
			else if (!pte && level == PG_LEVEL_1G)
				dm_clear_to = ALIGN(phys + 1, PUD_SIZE);
			else if (!pte && level == PG_LEVEL_2M)
				dm_clear_to = ALIGN(phys + 1, PMD_SIZE);
		}
		phys += PAGE_SIZE;
		if (!(c->pages & 0xffff))
			cond_resched();
	}
}

static int pdax_selfcheck_show(struct seq_file *s, void *unused)
{
	struct pdax_region *region;
	bool all_ok = true;

	mutex_lock(&pdax_lock);
	list_for_each_entry(region, &pdax_regions, node) {
		struct pdax_check c = {};
		phys_addr_t last = region->start + region->size - 1;
		bool ok;

		pdax_check_region(region, &c);
		ok = !c.pfn_valid && !c.direct_map;
		all_ok &= ok;
		seq_printf(s, "region%d %#llx-%#llx pages %llu checked %llu compound %llu pfn_valid %llu direct_map %llu %s\n",
			   region->id, (u64)region->start, (u64)last, c.pages,
			   c.checked, c.pages - c.checked, c.pfn_valid,
			   c.direct_map, ok ? "ok" : "FAIL");
	}
	mutex_unlock(&pdax_lock);
	seq_printf(s, "selfcheck: %s\n", all_ok ? "ok" : "FAIL");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pdax_selfcheck);

static ssize_t pdax_inject_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	char buf[32];
	u64 phys;
	int rc;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (kstrtou64(buf, 0, &phys))
		return -EINVAL;
	rc = pdax_poison_add(phys);
	if (rc == -ENXIO)
		return -EINVAL;
	return rc ? rc : len;
}

static const struct file_operations pdax_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = pdax_inject_write,
	.llseek = noop_llseek,
};

void pdax_debugfs_init(void)
{
	pdax_debugfs_dir = debugfs_create_dir("pdax", NULL);
	debugfs_create_file("selfcheck", 0444, pdax_debugfs_dir, NULL,
			    &pdax_selfcheck_fops);
	debugfs_create_file("inject_poison", 0200, pdax_debugfs_dir, NULL,
			    &pdax_inject_fops);
	debugfs_create_atomic_t("fail_range_alloc", 0600, pdax_debugfs_dir,
				&pdax_fail_range_alloc);
}

void pdax_debugfs_exit(void)
{
	debugfs_remove_recursive(pdax_debugfs_dir);
}
