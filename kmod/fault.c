// SPDX-License-Identifier: GPL-2.0
/*
 * mmap and faults. Pageless devices map VM_PFNMAP with special entries;
 * compound devices map devmap entries backed by memremap_pages(). Each
 * fault maps the largest unit up to the device's align that lies inside the
 * vma and one physical range and holds no poisoned page.
 */
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/delay.h>
#include <linux/mman.h>
#include <linux/pfn_t.h>
#include <linux/sched/mm.h>

#include "pdax.h"

static const struct vm_operations_struct pdax_vm_ops;

static enum pdax_order pdax_size_order(unsigned long size)
{
	if (size == PUD_SIZE)
		return PDAX_ORDER_1G;
	if (size == PMD_SIZE)
		return PDAX_ORDER_2M;
	return PDAX_ORDER_4K;
}

static pfn_t pdax_pfn_t(struct pdax_dev *pdev, phys_addr_t phys)
{
	if (pdev->mode == PDAX_MODE_COMPOUND)
		return phys_to_pfn_t(phys, PFN_DEV | PFN_MAP);
	return phys_to_pfn_t(phys, PFN_DEV);
}

/*
 * Resolve the unit of @size around the fault address: VM_FAULT_FALLBACK when
 * a smaller unit has to serve it, VM_FAULT_SIGBUS beyond the device's size,
 * VM_FAULT_HWPOISON for a poisoned 4K page, else 0 and *@phys.
 */
static vm_fault_t pdax_fault_resolve(struct pdax_dev *pdev,
				     struct vm_fault *vmf, unsigned long size,
				     phys_addr_t *phys)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & ~(size - 1);
	u64 off;

	if (size > pdev->align)
		return VM_FAULT_FALLBACK;
	if (addr < vma->vm_start || addr + size > vma->vm_end)
		return size == PAGE_SIZE ? VM_FAULT_SIGBUS : VM_FAULT_FALLBACK;
	off = ((u64)vma->vm_pgoff << PAGE_SHIFT) + (addr - vma->vm_start);
	if (off >= pdev->size)
		return VM_FAULT_SIGBUS;
	if (size > pdev->size - off)
		return VM_FAULT_FALLBACK;
	*phys = pdax_dev_off_to_phys(pdev, off, size);
	if (*phys == (phys_addr_t)-1 || !IS_ALIGNED(*phys, size))
		return size == PAGE_SIZE ? VM_FAULT_SIGBUS : VM_FAULT_FALLBACK;
	if (pdax_poison_in(pdev->region, *phys, size))
		return size == PAGE_SIZE ? VM_FAULT_HWPOISON : VM_FAULT_FALLBACK;
	return 0;
}

/*
 * debugfs fault_delay_ms: a fault sleeps this long (at most 1 s) between
 * its poison check and its insert, so the testbed can make a poison add
 * land in that window every time rather than by chance.
 */
u32 pdax_fault_delay_ms;

static void pdax_fault_test_delay(void)
{
	u32 ms = READ_ONCE(pdax_fault_delay_ms);

	if (ms)
		msleep(min_t(u32, ms, 1000));
}

/*
 * A poison add can run between this fault's check and its insert: it
 * stores the page, then zaps the unit, which finds nothing to zap yet, and
 * the insert would leave the poisoned page mapped. So look again after
 * the insert; the poison side stores before it zaps. With a full barrier
 * on each side between its write and its read, either the add's zap sees
 * this entry or this check sees the add's page. On a hit, zap the unit
 * this fault mapped: the access faults again and gets the poison answer.
 */
static vm_fault_t pdax_fault_recheck(struct pdax_dev *pdev, struct vm_fault *vmf,
				     unsigned long size, phys_addr_t phys, vm_fault_t rc)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & ~(size - 1);
	u64 off;

	if (rc != VM_FAULT_NOPAGE)
		return rc;
	smp_mb();
	if (!pdax_poison_in(pdev->region, phys, size))
		return rc;
	off = ((u64)vma->vm_pgoff << PAGE_SHIFT) + (addr - vma->vm_start);
	unmap_mapping_range(vma->vm_file->f_mapping, off, size, 1);
	atomic64_inc(&pdev->fault_poison_races);
	return VM_FAULT_NOPAGE;
}

static vm_fault_t pdax_count(struct pdax_dev *pdev, vm_fault_t rc,
			     unsigned long size)
{
	if (rc == VM_FAULT_NOPAGE)
		atomic64_inc(&pdev->faults[pdax_size_order(size)]);
	return rc;
}

static vm_fault_t pdax_pte_fault(struct vm_fault *vmf)
{
	struct pdax_dev *pdev = vmf->vma->vm_file->private_data;
	unsigned long addr = vmf->address & PAGE_MASK;
	phys_addr_t phys;
	vm_fault_t rc;

	rc = pdax_fault_resolve(pdev, vmf, PAGE_SIZE, &phys);
	if (rc)
		return rc;
	pdax_fault_test_delay();
	if (pdev->mode == PDAX_MODE_COMPOUND)
		rc = vmf_insert_mixed(vmf->vma, addr, pdax_pfn_t(pdev, phys));
	else
		rc = vmf_insert_pfn(vmf->vma, addr, PHYS_PFN(phys));
	rc = pdax_fault_recheck(pdev, vmf, PAGE_SIZE, phys, rc);
	return pdax_count(pdev, rc, PAGE_SIZE);
}

static vm_fault_t pdax_pmd_fault(struct vm_fault *vmf)
{
	struct pdax_dev *pdev = vmf->vma->vm_file->private_data;
	phys_addr_t phys;
	vm_fault_t rc;

	if (pdev->mode == PDAX_MODE_PAGELESS &&
	    !pdax_pageless_align_ok(PMD_SIZE))
		return VM_FAULT_FALLBACK;
	rc = pdax_fault_resolve(pdev, vmf, PMD_SIZE, &phys);
	if (rc)
		return rc;
	pdax_fault_test_delay();
	rc = vmf_insert_pfn_pmd(vmf, pdax_pfn_t(pdev, phys),
				vmf->flags & FAULT_FLAG_WRITE);
	rc = pdax_fault_recheck(pdev, vmf, PMD_SIZE, phys, rc);
	return pdax_count(pdev, rc, PMD_SIZE);
}

static vm_fault_t pdax_pud_fault(struct vm_fault *vmf)
{
#ifdef CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD
	struct pdax_dev *pdev = vmf->vma->vm_file->private_data;
	phys_addr_t phys;
	vm_fault_t rc;

	if (pdev->mode == PDAX_MODE_PAGELESS &&
	    !pdax_pageless_align_ok(PUD_SIZE))
		return VM_FAULT_FALLBACK;
	rc = pdax_fault_resolve(pdev, vmf, PUD_SIZE, &phys);
	if (rc)
		return rc;
	pdax_fault_test_delay();
	rc = vmf_insert_pfn_pud(vmf, pdax_pfn_t(pdev, phys),
				vmf->flags & FAULT_FLAG_WRITE);
	rc = pdax_fault_recheck(pdev, vmf, PUD_SIZE, phys, rc);
	return pdax_count(pdev, rc, PUD_SIZE);
#else
	return VM_FAULT_FALLBACK;
#endif
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
static vm_fault_t pdax_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	if (order == PUD_ORDER)
		return pdax_pud_fault(vmf);
	if (order == PMD_ORDER)
		return pdax_pmd_fault(vmf);
	if (order == 0)
		return pdax_pte_fault(vmf);
	return VM_FAULT_FALLBACK;
}
#else
static vm_fault_t pdax_huge_fault(struct vm_fault *vmf,
				  enum page_entry_size pe_size)
{
	switch (pe_size) {
	case PE_SIZE_PUD:
		return pdax_pud_fault(vmf);
	case PE_SIZE_PMD:
		return pdax_pmd_fault(vmf);
	case PE_SIZE_PTE:
		return pdax_pte_fault(vmf);
	}
	return VM_FAULT_FALLBACK;
}
#endif

static int pdax_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	struct pdax_dev *pdev = vma->vm_file->private_data;

	return IS_ALIGNED(addr, pdev->align) ? 0 : -EINVAL;
}

static unsigned long pdax_pagesize(struct vm_area_struct *vma)
{
	struct pdax_dev *pdev = vma->vm_file->private_data;

	return pdev->align;
}

static const struct vm_operations_struct pdax_vm_ops = {
	.fault = pdax_pte_fault,
	.huge_fault = pdax_huge_fault,
	.may_split = pdax_may_split,
	.pagesize = pdax_pagesize,
	.access = generic_access_phys,
};

static const struct vm_operations_struct pdax_compound_vm_ops = {
	.fault = pdax_pte_fault,
	.huge_fault = pdax_huge_fault,
	.may_split = pdax_may_split,
	.pagesize = pdax_pagesize,
};

static void pdax_vma_set_flags(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

int pdax_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct pdax_dev *pdev = filp->private_data;
	unsigned long mask = pdev->align - 1;

	if (!(vma->vm_flags & VM_MAYSHARE)) {
		dev_info_ratelimited(&pdev->dev,
				     "%s: mmap: private mapping refused, use MAP_SHARED\n",
				     current->comm);
		return -EINVAL;
	}
	if ((vma->vm_start & mask) || (vma->vm_end & mask) ||
	    ((vma->vm_pgoff << PAGE_SHIFT) & mask)) {
		dev_info_ratelimited(&pdev->dev,
				     "%s: mmap: %#lx-%#lx offset %#lx not aligned to %#lx\n",
				     current->comm, vma->vm_start, vma->vm_end,
				     vma->vm_pgoff << PAGE_SHIFT, pdev->align);
		return -EINVAL;
	}
	if (pdev->mode == PDAX_MODE_COMPOUND) {
		/*
		 * VM_MIXEDMAP makes the kernel treat the devmap entries as
		 * special when zapping (no rmap or rss accounting, as for a
		 * device-dax vma) while GUP still finds their pages.
		 */
		vma->vm_ops = &pdax_compound_vm_ops;
		pdax_vma_set_flags(vma, VM_MIXEDMAP | VM_HUGEPAGE |
						VM_DONTEXPAND | VM_DONTDUMP);
	} else {
		vma->vm_ops = &pdax_vm_ops;
		pdax_vma_set_flags(vma, VM_PFNMAP | VM_HUGEPAGE |
						VM_DONTEXPAND | VM_DONTDUMP);
	}
	return 0;
}

static unsigned long pdax_arch_unmapped_area(struct file *filp,
					     unsigned long addr,
					     unsigned long len,
					     unsigned long pgoff,
					     unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	return mm_get_unmapped_area(current->mm, filp, addr, len, pgoff, flags);
#else
	return current->mm->get_unmapped_area(filp, addr, len, pgoff, flags);
#endif
}

/* An address whose offset within align matches the file offset's. */
unsigned long pdax_get_unmapped_area(struct file *filp, unsigned long addr,
				     unsigned long len, unsigned long pgoff,
				     unsigned long flags)
{
	struct pdax_dev *pdev = filp ? filp->private_data : NULL;
	unsigned long align, off, len_align, found;

	if (!pdev || addr || (flags & MAP_FIXED))
		goto plain;
	align = pdev->align;
	if (align <= PAGE_SIZE || len < align)
		goto plain;
	off = pgoff << PAGE_SHIFT;
	len_align = len + align;
	if (len_align < len)
		goto plain;
	found = pdax_arch_unmapped_area(filp, 0, len_align, pgoff, flags);
	if (IS_ERR_VALUE(found))
		goto plain;
	return found + ((off - found) & (align - 1));
plain:
	return pdax_arch_unmapped_area(filp, addr, len, pgoff, flags);
}
