// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs pdax/: "selfcheck" proves that pageless memory has no struct page
 * and no kernel mapping; "user_memtype" reports the memory type of the
 * reader's own mappings of it; "inject_poison" feeds the memory-failure
 * path; "fail_range_alloc" fails a range allocation on purpose.
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

/*
 * For the kernel walk: the part of a leaf mapping [phys, phys+size) that
 * falls in ranges of active compound devices, whose pagemap puts them in
 * the direct map on purpose.
 */
static bool pdax_compound_overlap(struct pdax_region *region, u64 phys,
				  u64 size, u64 *bytes)
{
	struct pdax_dev *pdev;
	int i;

	*bytes = 0;
	list_for_each_entry(pdev, &region->devs, node) {
		if (!pdev->pgmap)
			continue;
		for (i = 0; i < pdev->nr_range; i++) {
			struct pdax_range *r = &pdev->ranges[i];
			u64 lo = max(phys, (u64)r->start);
			u64 hi = min(phys + size, (u64)r->start + r->len);

			if (hi > lo)
				*bytes += hi - lo;
		}
	}
	return *bytes != 0;
}

static void pdax_kmap_show(struct seq_file *s, struct pdax_region *region,
			   struct pdax_kmap_found *f)
{
	int i;

	for (i = 0; i < f->nr_first; i++)
		seq_printf(s, "region%d kernel mapping: %s entry maps %#llx-%#llx\n",
			   region->id,
			   f->first[i].size == PUD_SIZE ? "1G" :
			   f->first[i].size == PMD_SIZE ? "2M" : "4K",
			   f->first[i].phys,
			   f->first[i].phys + f->first[i].size - 1);
}

/*
 * Besides the per-page checks, walk the whole kernel half of the page
 * tables for any present entry that maps region memory outside a compound
 * pagemap. The walk waits for a scrub chunk's mapping to go away and holds
 * the next one off, so a running scrub does not count.
 */
static int pdax_selfcheck_show(struct seq_file *s, void *unused)
{
	struct pdax_region *region;
	bool all_ok = true;

	mutex_lock(&pdax_lock);
	pdax_kmap_quiesce();
	list_for_each_entry(region, &pdax_regions, node) {
		struct pdax_check c = {};
		struct pdax_kmap_found f = {};
		phys_addr_t last = region->start + region->size - 1;
		u64 kmapped;
		bool ok;

		pdax_check_region(region, &c);
		pdax_kmap_find_kernel(region, pdax_compound_overlap, &f);
		kmapped = (f.wb + f.uc_minus + f.other) >> PAGE_SHIFT;
		ok = !c.pfn_valid && !c.direct_map && !kmapped;
		all_ok &= ok;
		pdax_kmap_show(s, region, &f);
		seq_printf(s, "region%d %#llx-%#llx pages %llu checked %llu compound %llu pfn_valid %llu direct_map %llu kernel_map %llu entries %lu %s\n",
			   region->id, (u64)region->start, (u64)last, c.pages,
			   c.checked, c.pages - c.checked, c.pfn_valid,
			   c.direct_map, kmapped, f.entries, ok ? "ok" : "FAIL");
	}
	pdax_kmap_resume();
	mutex_unlock(&pdax_lock);
	seq_printf(s, "selfcheck: %s\n", all_ok ? "ok" : "FAIL");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pdax_selfcheck);

/*
 * The reading process's own mappings of each region, by memory type: what
 * x86 PAT gave the pfns pdax inserted (write-back when the region's type
 * is recorded, uncached-minus when not), and how many of its entries map a
 * poisoned page (there must be none).
 */
static int pdax_user_memtype_show(struct seq_file *s, void *unused)
{
	struct mm_struct *mm = current->mm;
	struct pdax_region *region;

	if (!mm)
		return -EINVAL;
	/* the fault path's order: mmap_lock, then pdax_lock */
	mmap_read_lock(mm);
	mutex_lock(&pdax_lock);
	list_for_each_entry(region, &pdax_regions, node) {
		struct pdax_kmap_found f = {};

		pdax_kmap_find_user(mm, region, &f);
		seq_printf(s, "region%d wb %llu uc- %llu other %llu poisoned %lu\n",
			   region->id, f.wb, f.uc_minus, f.other, f.poisoned);
	}
	mutex_unlock(&pdax_lock);
	mmap_read_unlock(mm);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pdax_user_memtype);

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
	debugfs_create_file("user_memtype", 0444, pdax_debugfs_dir, NULL,
			    &pdax_user_memtype_fops);
	debugfs_create_file("inject_poison", 0200, pdax_debugfs_dir, NULL,
			    &pdax_inject_fops);
	debugfs_create_atomic_t("fail_range_alloc", 0600, pdax_debugfs_dir,
				&pdax_fail_range_alloc);
	debugfs_create_u32("fault_delay_ms", 0600, pdax_debugfs_dir,
			   &pdax_fault_delay_ms);
}

void pdax_debugfs_exit(void)
{
	debugfs_remove_recursive(pdax_debugfs_dir);
}
