// SPDX-License-Identifier: GPL-2.0
/*
 * Memory failure: a per-region list of poisoned 4K pages. A new poisoned
 * page is zapped from every mapping of its device (the whole unit that
 * contained it); later faults serve the rest of the unit at lower sizes and
 * answer the poisoned page with VM_FAULT_HWPOISON.
 *
 * Sources: the x86 MCE decode chain, debugfs inject_poison, region poison
 * writes, and register_pfn_address_space() where the kernel has it.
 */
#include <linux/kfifo.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/mce.h>
#ifdef PDAX_HAVE_PFN_ADDRESS_SPACE
#include <linux/memory-failure.h>
#endif

#include "pdax.h"

static DEFINE_KFIFO(pdax_mce_fifo, u64, 64);
static DEFINE_SPINLOCK(pdax_mce_lock);

/* Zap the whole align unit around @off: it may be mapped by one entry. */
static void pdax_poison_zap(struct pdax_dev *pdev, u64 off)
{
	u64 unit_off = round_down(off, pdev->align);

	unmap_mapping_range(pdev->inode->i_mapping, unit_off, pdev->align, 1);
}

/* Record @phys as poisoned and zap it; 0, -ENXIO if no region has it. */
int pdax_poison_add(phys_addr_t phys)
{
	unsigned long pfn = PHYS_PFN(phys);
	struct pdax_region *region;
	struct pdax_dev *pdev;
	int rc;

	mutex_lock(&pdax_lock);
	region = pdax_region_find_phys(phys);
	if (!region) {
		mutex_unlock(&pdax_lock);
		return -ENXIO;
	}
	rc = xa_err(xa_store(&region->poison, pfn, xa_mk_value(1), GFP_KERNEL));
	if (rc) {
		mutex_unlock(&pdax_lock);
		return rc;
	}
	dev_warn(&region->dev, "memory failure at %#llx: page poisoned\n",
		 (u64)(pfn << PAGE_SHIFT));
	/* Pairs with pdax_fault_recheck(): the page is visible before the zap. */
	smp_mb();
	list_for_each_entry(pdev, &region->devs, node) {
		u64 off;

		if (pdax_dev_phys_to_off(pdev, PFN_PHYS(pfn), &off)) {
			pdax_poison_zap(pdev, off);
			break;
		}
	}
	mutex_unlock(&pdax_lock);
	return 0;
}

/* True if a poisoned page lies in [start, start+len). Lockless. */
bool pdax_poison_in(struct pdax_region *region, phys_addr_t start, u64 len)
{
	unsigned long index = PHYS_PFN(start);

	if (xa_empty(&region->poison))
		return false;
	return xa_find(&region->poison, &index, PHYS_PFN(start + len - 1),
		       XA_PRESENT) != NULL;
}

/* Longest line: "0x" + 16 digits, twice, a blank and a newline. */
#define PDAX_POISON_LINE 40

/*
 * The region's poison list as text, one "PHYS\n" (hex) per page,
 * ascending; *len bytes, kvfree() it. Under pdax_lock the list is stable
 * (pages are added under it), so the text is one consistent snapshot.
 */
char *pdax_poison_region_text(struct pdax_region *region, size_t *len)
{
	unsigned long pfn;
	size_t n = 0, cap;
	void *entry;
	char *text;

	mutex_lock(&pdax_lock);
	xa_for_each(&region->poison, pfn, entry)
		n++;
	cap = n * PDAX_POISON_LINE + 1;
	text = kvmalloc(cap, GFP_KERNEL);
	if (!text) {
		mutex_unlock(&pdax_lock);
		return NULL;
	}
	n = 0;
	xa_for_each(&region->poison, pfn, entry)
		n += scnprintf(text + n, cap - n, "%#llx\n", (u64)PFN_PHYS(pfn));
	mutex_unlock(&pdax_lock);
	*len = n;
	return text;
}

/*
 * The poisoned pages inside @pdev as text, one "PHYS OFFSET\n" (hex) per
 * page in range order; *len bytes, kvfree() it.
 */
char *pdax_poison_dev_text(struct pdax_dev *pdev, size_t *len)
{
	struct pdax_region *region = pdev->region;
	size_t n = 0, cap;
	char *text;
	int pass, i;

	mutex_lock(&pdax_lock);
	/* pass 0 counts, pass 1 prints */
	for (pass = 0, cap = 0, text = NULL; pass < 2; pass++) {
		if (pass) {
			cap = n * PDAX_POISON_LINE + 1;
			text = kvmalloc(cap, GFP_KERNEL);
			if (!text)
				break;
			n = 0;
		}
		for (i = 0; i < pdev->nr_range; i++) {
			struct pdax_range *r = &pdev->ranges[i];
			unsigned long pfn = PHYS_PFN(r->start);
			void *entry;

			xa_for_each_range(&region->poison, pfn, entry,
					  PHYS_PFN(r->start),
					  PHYS_PFN(r->start + r->len - 1)) {
				if (!pass) {
					n++;
					continue;
				}
				n += scnprintf(text + n, cap - n, "%#llx %#llx\n",
					       (u64)PFN_PHYS(pfn),
					       r->off + PFN_PHYS(pfn) - r->start);
			}
		}
	}
	mutex_unlock(&pdax_lock);
	*len = n;
	return text;
}

static void pdax_mce_work_fn(struct work_struct *work)
{
	u64 phys;

	while (kfifo_out_spinlocked(&pdax_mce_fifo, &phys, 1, &pdax_mce_lock))
		pdax_poison_add(phys);
}

static DECLARE_WORK(pdax_mce_work, pdax_mce_work_fn);

/* Uncorrected memory errors with a usable address inside a region. */
static int pdax_mce_notify(struct notifier_block *nb, unsigned long val,
			   void *data)
{
	struct mce *m = data;
	u64 phys;

	if (!m || !(m->status & MCI_STATUS_UC) || !mce_usable_address(m))
		return NOTIFY_DONE;
	phys = m->addr & PAGE_MASK;
	if (kfifo_in_spinlocked(&pdax_mce_fifo, &phys, 1, &pdax_mce_lock))
		schedule_work(&pdax_mce_work);
	else
		pr_err("pdax: MCE at %#llx dropped, queue full\n", phys);
	return NOTIFY_DONE;
}

static struct notifier_block pdax_mce_nb = {
	.notifier_call = pdax_mce_notify,
	.priority = MCE_PRIO_UC + 1,
};

int pdax_poison_init(void)
{
	mce_register_decode_chain(&pdax_mce_nb);
	return 0;
}

void pdax_poison_exit(void)
{
	mce_unregister_decode_chain(&pdax_mce_nb);
	flush_work(&pdax_mce_work);
}

#ifdef PDAX_HAVE_PFN_ADDRESS_SPACE
struct pdax_pfn_space {
	struct pfn_address_space space;
	struct pdax_dev *pdev;
	bool registered;
};

static int pdax_pfn_to_vma_pgoff(struct vm_area_struct *vma,
				 unsigned long pfn, pgoff_t *pgoff)
{
	struct pdax_dev *pdev = vma->vm_file->private_data;
	u64 off;

	if (!pdax_dev_phys_to_off(pdev, PFN_PHYS(pfn), &off))
		return -EINVAL;
	*pgoff = off >> PAGE_SHIFT;
	return 0;
}

/* Let the kernel's memory_failure() find the mappings of each range. */
int pdax_poison_dev_open(struct pdax_dev *pdev)
{
	struct pdax_pfn_space *ps;
	int i, rc;

	ps = kcalloc(pdev->nr_range, sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return -ENOMEM;
	for (i = 0; i < pdev->nr_range; i++) {
		struct pdax_range *r = &pdev->ranges[i];

		ps[i].pdev = pdev;
		ps[i].space.node.start = PHYS_PFN(r->start);
		ps[i].space.node.last = PHYS_PFN(r->start + r->len - 1);
		ps[i].space.mapping = pdev->inode->i_mapping;
		ps[i].space.pfn_to_vma_pgoff = pdax_pfn_to_vma_pgoff;
		rc = register_pfn_address_space(&ps[i].space);
		if (rc)
			dev_info(&pdev->dev, "register_pfn_address_space(mapping%d) failed: %d\n",
				 i, rc);
		ps[i].registered = !rc;
	}
	pdev->pfn_spaces = ps;
	return 0;
}

void pdax_poison_dev_close(struct pdax_dev *pdev)
{
	struct pdax_pfn_space *ps = pdev->pfn_spaces;
	int i;

	if (!ps)
		return;
	for (i = 0; i < pdev->nr_range; i++)
		if (ps[i].registered)
			unregister_pfn_address_space(&ps[i].space);
	kfree(ps);
	pdev->pfn_spaces = NULL;
}
#else
int pdax_poison_dev_open(struct pdax_dev *pdev)
{
	return 0;
}

void pdax_poison_dev_close(struct pdax_dev *pdev)
{
}
#endif
