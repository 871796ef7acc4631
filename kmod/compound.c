// SPDX-License-Identifier: GPL-2.0
/*
 * Compound mode: while a device is open its ranges are ZONE_DEVICE memory
 * (memremap_pages, MEMORY_DEVICE_GENERIC) with compound pages of the
 * device's align, so the kernel shares tail-page vmemmap and GUP works.
 */
#include <linux/log2.h>
#include <linux/memremap.h>
#include <linux/slab.h>

#include "pdax.h"

/* Memory hotplug works in 2M subsections: every range must be aligned. */
int pdax_compound_check(struct pdax_dev *pdev)
{
	int i;

	for (i = 0; i < pdev->nr_range; i++) {
		if (!IS_ALIGNED(pdev->ranges[i].start, PMD_SIZE) ||
		    !IS_ALIGNED(pdev->ranges[i].len, PMD_SIZE)) {
			dev_info_ratelimited(&pdev->dev,
					     "mode compound: mapping%d is not 2M aligned\n",
					     i);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * struct page bytes the pagemap populated: with tail vmemmap shared, each
 * compound page keeps two vmemmap pages (head and first tail page), as
 * vmemmap_populate_compound_pages() does; otherwise one struct page per page.
 */
static u64 pdax_vmemmap_bytes(struct pdax_dev *pdev)
{
	u64 pages = pdev->size >> PAGE_SHIFT;

	if (pdev->align > PAGE_SIZE && is_power_of_2(sizeof(struct page)))
		return (pdev->size / pdev->align) * 2 * PAGE_SIZE;
	return pages * sizeof(struct page);
}

int pdax_compound_activate(struct pdax_dev *pdev)
{
	struct dev_pagemap *pgmap;
	void *addr;
	int i;

	if (!pdev->nr_range)
		return 0;
	pgmap = kzalloc(struct_size(pgmap, ranges, pdev->nr_range - 1),
			GFP_KERNEL);
	if (!pgmap)
		return -ENOMEM;
	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap->nr_range = pdev->nr_range;
	pgmap->vmemmap_shift = ilog2(pdev->align >> PAGE_SHIFT);
	for (i = 0; i < pdev->nr_range; i++) {
		pgmap->ranges[i].start = pdev->ranges[i].start;
		pgmap->ranges[i].end = pdev->ranges[i].start +
				       pdev->ranges[i].len - 1;
	}
	addr = memremap_pages(pgmap, pdev->region->nid);
	if (IS_ERR(addr)) {
		dev_err(&pdev->dev, "memremap_pages failed: %ld\n",
			PTR_ERR(addr));
		kfree(pgmap);
		return PTR_ERR(addr);
	}
	pdev->pgmap = pgmap;
	pdev->vmemmap_bytes = pdax_vmemmap_bytes(pdev);
	return 0;
}

void pdax_compound_deactivate(struct pdax_dev *pdev)
{
	if (!pdev->pgmap)
		return;
	memunmap_pages(pdev->pgmap);
	kfree(pdev->pgmap);
	pdev->pgmap = NULL;
	pdev->vmemmap_bytes = 0;
}
