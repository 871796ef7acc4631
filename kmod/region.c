// SPDX-License-Identifier: GPL-2.0
/*
 * Regions: Soft Reserved ranges claimed exclusively, each one regionR on the
 * pdax bus with a seed device pdaxR.0.
 */
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/memory_hotplug.h>
#include <linux/numa.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <asm/e820/api.h>
#include <asm/memtype.h>
#include <asm/processor.h>

#include "pdax.h"

static DEFINE_IDA(pdax_region_ida);

static bool wb_memtype = true;
module_param(wb_memtype, bool, 0444);
MODULE_PARM_DESC(wb_memtype,
		 "record each region as write-back in x86 PAT so user mappings are write-back (default Y; N: user mappings uncached-minus). Neither keeps a kernel mapping of the memory");

/*
 * x86 PAT gives a pfn inserted by vmf_insert_pfn*() the memory type recorded
 * for it, and uncached-minus when none is recorded, as for pageless memory.
 * No exported call records a type without mapping the range, so the region
 * is ioremapped write-back and the alias' page-table entries are removed at
 * once: the vm area, and with it the memtype reservation, stays until
 * release, but nothing of the memory is mapped in the kernel. The kmap lock
 * keeps the selfcheck from seeing the alias in between.
 */
static void pdax_region_memtype(struct pdax_region *region)
{
	int rc;

	if (!wb_memtype || !pat_enabled())
		return;
	pdax_kmap_begin();
	region->wb_alias = ioremap_cache(region->start, region->size);
	if (!region->wb_alias) {
		pdax_kmap_end();
		dev_warn(&region->dev,
			 "ioremap_cache failed: user mappings will be uncached-minus\n");
		return;
	}
	rc = pdax_kmap_drop(region->wb_alias, region->size);
	if (rc) {
		iounmap(region->wb_alias);
		region->wb_alias = NULL;
		dev_warn(&region->dev,
			 "cannot remove the kernel mapping of the memtype record (%d): user mappings will be uncached-minus\n",
			 rc);
	}
	pdax_kmap_end();
}

/*
 * KVM on Intel (EPT) maps a pfn without struct page uncached unless the
 * firmware's e820 table says RAM for it (kvm_is_mmio_pfn()). memmap= and
 * efi_fake_mem= edit only the kernel's copy, so carved RAM passes; memory
 * the firmware itself reports as Soft Reserved (HBM, CXL) does not. AMD
 * (NPT) takes the host's memory type. Say so once, at claim; daxmemctl
 * list shows the same per region (kvm_memtype).
 */
static void pdax_region_check_kvm_memtype(struct pdax_region *region)
{
	static const enum e820_type not_ram[] = {
		E820_TYPE_RESERVED, E820_TYPE_SOFT_RESERVED, E820_TYPE_ACPI, E820_TYPE_NVS,
		E820_TYPE_UNUSABLE, E820_TYPE_PMEM, E820_TYPE_PRAM,
	};
	u64 start = region->start, end = region->start + region->size;
	bool uc = !e820__mapped_raw_any(start, end, E820_TYPE_RAM);
	int i;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL)
		return;
	for (i = 0; i < ARRAY_SIZE(not_ram) && !uc; i++)
		uc = e820__mapped_raw_any(start, end, not_ram[i]);
	if (uc)
		dev_warn(&region->dev,
			 "the firmware memory map does not say RAM for all of it: KVM on Intel maps this memory uncached for guests\n");
}

static void pdax_region_dev_release(struct device *dev)
{
	struct pdax_region *region = to_pdax_region(dev);

	xa_destroy(&region->poison);
	ida_destroy(&region->dev_ida);
	ida_free(&pdax_region_ida, region->id);
	kfree(region);
}

const struct device_type pdax_region_type = {
	.name = "pdax_region",
	.release = pdax_region_dev_release,
	.groups = pdax_region_groups,
};

static int pdax_region_nid(phys_addr_t start)
{
	int nid = phys_to_target_node(start);

	if (nid == NUMA_NO_NODE)
		nid = memory_add_physaddr_to_nid(start);
	return nid;
}

struct pdax_region *pdax_region_find_id(int id)
{
	struct pdax_region *region;

	lockdep_assert_held(&pdax_lock);
	list_for_each_entry(region, &pdax_regions, node)
		if (region->id == id && !region->dead)
			return region;
	return NULL;
}

struct pdax_region *pdax_region_find_phys(phys_addr_t phys)
{
	struct pdax_region *region;

	lockdep_assert_held(&pdax_lock);
	list_for_each_entry(region, &pdax_regions, node)
		if (phys >= region->start && phys - region->start < region->size)
			return region;
	return NULL;
}

u64 pdax_region_available(struct pdax_region *region)
{
	struct pdax_dev *pdev;
	u64 used = 0;

	lockdep_assert_held(&pdax_lock);
	list_for_each_entry(pdev, &region->devs, node)
		used += pdev->size;
	return region->size - used;
}

/* True if [start, start+len) is inside the region and no device uses it. */
bool pdax_region_range_free(struct pdax_region *region, phys_addr_t start,
			    u64 len)
{
	struct pdax_dev *pdev;
	int i;

	lockdep_assert_held(&pdax_lock);
	if (start < region->start || len > region->size ||
	    start - region->start > region->size - len)
		return false;
	list_for_each_entry(pdev, &region->devs, node) {
		for (i = 0; i < pdev->nr_range; i++) {
			struct pdax_range *r = &pdev->ranges[i];

			if (start < r->start + r->len && r->start < start + len)
				return false;
		}
	}
	return true;
}

/*
 * Claim [start, end] for a new region: the range must be entirely Soft
 * Reserved and requested by nobody else.
 */
int pdax_region_claim(phys_addr_t start, phys_addr_t end)
{
	u64 size = end - start + 1;
	struct pdax_region *region;
	struct pdax_dev *seed;
	int rc;

	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(size) || end < start)
		return -EINVAL;
	if (region_intersects(start, size, IORESOURCE_MEM,
			      IORES_DESC_SOFT_RESERVED) != REGION_INTERSECTS)
		return -EINVAL;

	region = kzalloc(sizeof(*region), GFP_KERNEL);
	if (!region)
		return -ENOMEM;
	region->id = ida_alloc(&pdax_region_ida, GFP_KERNEL);
	if (region->id < 0) {
		rc = region->id;
		kfree(region);
		return rc;
	}
	region->start = start;
	region->size = size;
	region->nid = pdax_region_nid(start);
	INIT_LIST_HEAD(&region->devs);
	ida_init(&region->dev_ida);
	xa_init(&region->poison);

	device_initialize(&region->dev);
	region->dev.bus = &pdax_bus_type;
	region->dev.type = &pdax_region_type;
	set_dev_node(&region->dev, region->nid);
	rc = dev_set_name(&region->dev, "region%d", region->id);
	if (rc)
		goto err_put;

	region->res = __request_region(&iomem_resource, start, size, "pdax",
				       IORESOURCE_EXCLUSIVE);
	if (!region->res) {
		rc = -EBUSY;
		goto err_put;
	}

	rc = device_add(&region->dev);
	if (rc) {
		pr_err("pdax: device_add(region%d) failed: %d\n", region->id, rc);
		goto err_res;
	}

	pdax_region_memtype(region);
	mutex_lock(&pdax_lock);
	list_add_tail(&region->node, &pdax_regions);
	seed = pdax_dev_create(region);
	mutex_unlock(&pdax_lock);
	if (IS_ERR(seed)) {
		pdax_region_release(region, PDAX_RELEASE_UNLOAD);
		return PTR_ERR(seed);
	}
	dev_info(&region->dev, "claimed %pa-%pa (%llu MiB, node %d)\n", &start,
		 &end, size >> 20, region->nid);
	pdax_region_check_kvm_memtype(region);
	return 0;

err_res:
	release_mem_region(start, size);
err_put:
	put_device(&region->dev);
	return rc;
}

struct pdax_soft_reserved {
	struct range r[64];
	int nr;
};

static int pdax_collect_soft_reserved(struct resource *res, void *arg)
{
	struct pdax_soft_reserved *sr = arg;

	if (sr->nr < ARRAY_SIZE(sr->r)) {
		sr->r[sr->nr].start = res->start;
		sr->r[sr->nr].end = res->end;
		sr->nr++;
	}
	return 0;
}

/* Claim every Soft Reserved range nobody owns; returns how many. */
int pdax_region_claim_all(void)
{
	struct pdax_soft_reserved *sr;
	int i, n = 0;

	sr = kzalloc(sizeof(*sr), GFP_KERNEL);
	if (!sr)
		return -ENOMEM;
	walk_iomem_res_desc(IORES_DESC_SOFT_RESERVED, IORESOURCE_MEM, 0, -1,
			    sr, pdax_collect_soft_reserved);
	for (i = 0; i < sr->nr; i++)
		if (pdax_region_claim(sr->r[i].start, sr->r[i].end) == 0)
			n++;
	kfree(sr);
	return n;
}

/*
 * Delete a region, its devices, and give the range back. Fails with EBUSY
 * while any device is open; background scrubs are stopped.
 */
/*
 * Release @region: every device goes, the memory is scrubbed (but its
 * poisoned pages) and returns to the kernel. -EBUSY while a device is
 * open, one of its compound pages is still referenced, or the region has
 * poisoned pages and PDAX_RELEASE_FORCE is not given: the poison list
 * goes with the region, so a forced release logs every bad page.
 * PDAX_RELEASE_UNLOAD: the module is going away; no scrub (a reload
 * reassembles preserved devices over the same memory), and a referenced
 * compound page keeps its pagemap and the region's memory reserved, so
 * that nobody else is handed memory a stale reference can still reach.
 */
int pdax_region_release(struct pdax_region *region, unsigned int flags)
{
	bool unload = flags & PDAX_RELEASE_UNLOAD;
	struct pdax_dev *pdev, *tmp;
	bool keep_reserved = false;
	unsigned long pfn, npoison = 0;
	LIST_HEAD(victims);
	void *entry;

	mutex_lock(&pdax_lock);
	if (region->dead) {
		mutex_unlock(&pdax_lock);
		return -ENODEV;
	}
	list_for_each_entry(pdev, &region->devs, node) {
		if (pdev->open_count) {
			mutex_unlock(&pdax_lock);
			return -EBUSY;
		}
	}
	xa_for_each(&region->poison, pfn, entry)
		npoison++;
	if (npoison && !unload && !(flags & PDAX_RELEASE_FORCE)) {
		mutex_unlock(&pdax_lock);
		dev_info_ratelimited(&region->dev,
				     "release refused: %lu poisoned page(s) would be forgotten; write \"%d force\" to release to force it (each bad page is logged)\n",
				     npoison, region->id);
		return -EBUSY;
	}
	list_for_each_entry(pdev, &region->devs, node) {
		if (!pdax_compound_teardown(pdev, unload))
			continue;
		if (!unload) {
			mutex_unlock(&pdax_lock);
			return -EBUSY;
		}
		keep_reserved = true;
	}
	region->dead = true;
	list_for_each_entry(pdev, &region->devs, node) {
		pdev->dead = true;
		pdev->scrub_stop = true;
	}
	list_splice_init(&region->devs, &victims);
	region->seed = NULL;
	region->youngest = NULL;
	mutex_unlock(&pdax_lock);

	list_for_each_entry_safe(pdev, tmp, &victims, node) {
		list_del_init(&pdev->node);
		pdax_dev_unmap_all(pdev);
		pdax_scrub_cancel(pdev);
		pdax_mapping_attrs_remove(pdev);
		cdev_device_del(&pdev->cdev, &pdev->dev);
		put_device(&pdev->dev);
	}

	if (!unload && !keep_reserved && pdax_region_scrub(region)) {
		/* never hand back memory that may still hold a tenant's data */
		dev_err(&region->dev, "release: scrub failed, the range stays reserved\n");
		keep_reserved = true;
	}
	xa_for_each(&region->poison, pfn, entry)
		dev_warn(&region->dev, "released with poisoned page %#llx: record it before handing the range to anyone\n",
			 (u64)PFN_PHYS(pfn));
	device_del(&region->dev);
	mutex_lock(&pdax_lock);
	list_del(&region->node);
	mutex_unlock(&pdax_lock);
	if (region->wb_alias)
		iounmap(region->wb_alias);
	if (keep_reserved) {
		pr_err("pdax: region%d released with compound pages still referenced: %#llx-%#llx stays reserved\n",
		       region->id, (u64)region->start,
		       (u64)(region->start + region->size - 1));
		goto out;
	}
	release_mem_region(region->start, region->size);
	pr_info("pdax: region%d released\n", region->id);
out:
	put_device(&region->dev);
	return 0;
}

/* At unload: no file can be open (the module is their owner). */
void pdax_region_release_all(void)
{
	struct pdax_region *region;

	for (;;) {
		mutex_lock(&pdax_lock);
		region = list_first_entry_or_null(&pdax_regions,
						  struct pdax_region, node);
		if (region)
			get_device(&region->dev);
		mutex_unlock(&pdax_lock);
		if (!region)
			break;
		if (pdax_region_release(region, PDAX_RELEASE_UNLOAD)) {
			pr_err("pdax: region%d busy at unload\n", region->id);
			put_device(&region->dev);
			break;
		}
		put_device(&region->dev);
	}
}
