// SPDX-License-Identifier: GPL-2.0
/*
 * Compound mode: from the first open until the configuration changes, the
 * device's ranges are ZONE_DEVICE memory (memremap_pages,
 * MEMORY_DEVICE_GENERIC) with compound pages of the device's align, so the
 * kernel shares tail-page vmemmap and GUP works. memunmap_pages() does not
 * wait for page references of a GENERIC pagemap (a vmsplice pipe, O_DIRECT
 * in flight, io_uring fixed buffers can hold a page past close), so the
 * pagemap outlives the open file and is only torn down once no compound
 * page is referenced any more.
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

	if (!pdev->nr_range || pdev->pgmap)
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
	/* the selfcheck excludes the direct map of a device with a pgmap */
	pdax_kmap_begin();
	addr = memremap_pages(pgmap, pdev->region->nid);
	if (IS_ERR(addr)) {
		pdax_kmap_end();
		dev_err(&pdev->dev, "memremap_pages failed: %ld\n",
			PTR_ERR(addr));
		kfree(pgmap);
		return PTR_ERR(addr);
	}
	pdev->pgmap = pgmap;
	pdev->vmemmap_bytes = pdax_vmemmap_bytes(pdev);
	pdax_kmap_end();
	return 0;
}

void pdax_compound_deactivate(struct pdax_dev *pdev)
{
	if (!pdev->pgmap)
		return;
	pdax_kmap_begin();
	memunmap_pages(pdev->pgmap);
	kfree(pdev->pgmap);
	pdev->pgmap = NULL;
	pdev->vmemmap_bytes = 0;
	pdax_kmap_end();
}

/*
 * Physical address of the first compound page of @pdev that something
 * beyond the pagemap itself references (an idle MEMORY_DEVICE_GENERIC
 * page keeps refcount 1), or -1. GUP takes its reference on the head, so
 * checking the heads is enough. @refs: that page's extra references.
 */
static phys_addr_t pdax_compound_referenced(struct pdax_dev *pdev, int *refs)
{
	unsigned long step = pdev->align >> PAGE_SHIFT, pfn, end;
	int i, n = 0;

	for (i = 0; i < pdev->nr_range; i++) {
		pfn = PHYS_PFN(pdev->ranges[i].start);
		end = pfn + (pdev->ranges[i].len >> PAGE_SHIFT);
		for (; pfn < end; pfn += step) {
			*refs = folio_ref_count(page_folio(pfn_to_page(pfn))) - 1;
			if (*refs > 0)
				return PFN_PHYS(pfn);
			if (!(++n % 4096))
				cond_resched();
		}
	}
	return (phys_addr_t)-1;
}

/*
 * The configuration is about to change or go away (pdax_lock held, nobody
 * has the device open): zap every user mapping, then tear the pagemap
 * down unless a compound page is still referenced, which would keep a
 * struct page and direct-map address of memory the next owner gets.
 * -EBUSY then. @unload: the module is going away and cannot be refused:
 * keep the pagemap (its vmemmap and direct map stay valid for the holder)
 * and tell the caller to keep the memory reserved.
 */
int pdax_compound_teardown(struct pdax_dev *pdev, bool unload)
{
	phys_addr_t phys;
	int refs = 0;

	lockdep_assert_held(&pdax_lock);
	if (!pdev->pgmap)
		return 0;
	pdax_dev_unmap_all(pdev);
	phys = pdax_compound_referenced(pdev, &refs);
	if (phys == (phys_addr_t)-1) {
		pdax_compound_deactivate(pdev);
		return 0;
	}
	if (unload) {
		dev_err(&pdev->dev,
			"compound page %pa still referenced (%d) at unload: its pagemap and memory stay reserved\n",
			&phys, refs);
		pdev->pgmap = NULL; /* deliberately kept: holders still use it */
		pdev->vmemmap_bytes = 0;
	} else {
		dev_info_ratelimited(&pdev->dev,
				     "compound page %pa still referenced (%d reference(s): a pipe, pinned I/O): change refused\n",
				     &phys, refs);
	}
	return -EBUSY;
}
