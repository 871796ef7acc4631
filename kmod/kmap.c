// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mappings of region memory: drop the entries of the write-back
 * alias that only records the PAT memory type, bracket the scrub's
 * temporary mappings, and walk page tables to find any mapping that is left.
 */
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <asm/pgtable.h>
#include <asm/tlbflush.h>

#include "pdax.h"

/*
 * Held for reading while a temporary kernel mapping of region memory exists
 * (a scrub chunk, the alias before its entries are dropped); the selfcheck
 * takes it for writing, so it sees only the mappings that are left.
 */
static DECLARE_RWSEM(pdax_kmap_lock);

void pdax_kmap_begin(void)
{
	down_read(&pdax_kmap_lock);
}

void pdax_kmap_end(void)
{
	up_read(&pdax_kmap_lock);
}

void pdax_kmap_quiesce(void)
{
	down_write(&pdax_kmap_lock);
}

void pdax_kmap_resume(void)
{
	up_write(&pdax_kmap_lock);
}

/*
 * The walker: every present leaf entry (1G, 2M or 4K) that maps part of
 * [addr, end) goes to @leaf with a pointer to it, its level and the virtual
 * range it covers. end 0 means "to the top of the address space". The
 * kernel's p4d_offset() folds the p4d level when 4-level paging is in use,
 * so the same walk serves 4- and 5-level paging.
 */
struct pdax_walk {
	int (*leaf)(struct pdax_walk *w, void *entry, enum pdax_kmap_level level,
		    unsigned long va, unsigned long size, u64 flags, u64 phys);
	void *priv;
	unsigned long entries;
};

static int pdax_walk_pte(struct pdax_walk *w, pmd_t *pmd, unsigned long addr,
			 unsigned long end)
{
	pte_t *pte = pte_offset_kernel(pmd, addr);
	int rc;

	do {
		pte_t v = READ_ONCE(*pte);

		w->entries++;
		if (!(pte_flags(v) & _PAGE_PRESENT))
			continue;
		rc = w->leaf(w, pte, PDAX_KMAP_PTE, addr & PAGE_MASK, PAGE_SIZE,
			     pte_flags(v), PFN_PHYS(pte_pfn(v)));
		if (rc)
			return rc;
	} while (pte++, addr = (addr & PAGE_MASK) + PAGE_SIZE, addr != end);
	return 0;
}

static int pdax_walk_pmd(struct pdax_walk *w, pud_t *pud, unsigned long addr,
			 unsigned long end)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next;
	int rc;

	do {
		pmd_t v = READ_ONCE(*pmd);

		next = pmd_addr_end(addr, end);
		w->entries++;
		if (!(pmd_flags(v) & _PAGE_PRESENT))
			continue;
		if (pmd_flags(v) & _PAGE_PSE)
			rc = w->leaf(w, pmd, PDAX_KMAP_PMD, addr & PMD_MASK,
				     PMD_SIZE, pmd_flags(v),
				     PFN_PHYS(pmd_pfn(v)));
		else
			rc = pdax_walk_pte(w, pmd, addr, next);
		if (rc)
			return rc;
	} while (pmd++, addr = next, addr != end);
	return 0;
}

static int pdax_walk_pud(struct pdax_walk *w, p4d_t *p4d, unsigned long addr,
			 unsigned long end)
{
	pud_t *pud = pud_offset(p4d, addr);
	unsigned long next;
	int rc;

	do {
		pud_t v = READ_ONCE(*pud);

		next = pud_addr_end(addr, end);
		w->entries++;
		if (!(pud_flags(v) & _PAGE_PRESENT))
			continue;
		if (pud_flags(v) & _PAGE_PSE)
			rc = w->leaf(w, pud, PDAX_KMAP_PUD, addr & PUD_MASK,
				     PUD_SIZE, pud_flags(v),
				     PFN_PHYS(pud_pfn(v)));
		else
			rc = pdax_walk_pmd(w, pud, addr, next);
		if (rc)
			return rc;
		cond_resched();
	} while (pud++, addr = next, addr != end);
	return 0;
}

static int pdax_walk(struct pdax_walk *w, pgd_t *base, unsigned long addr,
		     unsigned long end)
{
	pgd_t *pgd = pgd_offset_pgd(base, addr);
	unsigned long next;
	int rc;

	do {
		unsigned long p4d_end = pgd_addr_end(addr, end);
		p4d_t *p4d;

		w->entries++;
		/* always true with 4-level paging, where the pgd is the p4d */
		if (!pgd_present(READ_ONCE(*pgd))) {
			addr = p4d_end;
			continue;
		}
		p4d = p4d_offset(pgd, addr);
		do {
			p4d_t v = READ_ONCE(*p4d);

			next = p4d_addr_end(addr, p4d_end);
			w->entries++;
			if (!(p4d_flags(v) & _PAGE_PRESENT))
				continue;
			rc = pdax_walk_pud(w, p4d, addr, next);
			if (rc)
				return rc;
		} while (p4d++, addr = next, addr != p4d_end);
	} while (pgd++, addr != end);
	return 0;
}

/*
 * The kernel half of the address space is the same in every mm (x86-64
 * shares it below the top level, and preallocates the vmalloc area's
 * top-level entries), so the running task's active mm shows it; unlike
 * init_mm, that is reachable from a module.
 */
static pgd_t *pdax_kernel_pgd(void)
{
	return current->active_mm->pgd;
}

/* Lowest address of the kernel half: the upper half of the top level. */
static unsigned long pdax_kernel_half(void)
{
	return -(1UL << (PGDIR_SHIFT + ilog2(PTRS_PER_PGD) - 1));
}

static int pdax_drop_leaf(struct pdax_walk *w, void *entry,
			  enum pdax_kmap_level level, unsigned long va,
			  unsigned long size, u64 flags, u64 phys)
{
	unsigned long *range = w->priv;

	/* ioremap never maps past its own area: refuse to guess */
	if (va < range[0] || va + size - 1 > range[1] - 1)
		return -ERANGE;
	switch (level) {
	case PDAX_KMAP_PUD:
		pud_clear(entry);
		break;
	case PDAX_KMAP_PMD:
		pmd_clear(entry);
		break;
	case PDAX_KMAP_PTE:
		pte_clear(current->active_mm, va, entry);
		break;
	}
	return 0;
}

static void pdax_flush_tlb_cpu(void *unused)
{
	__flush_tlb_all();
}

/*
 * Remove the page-table entries of the ioremap at @addr, @size bytes, and
 * flush every CPU's TLB, global entries included. The vm area stays, and
 * with it the PAT memtype reservation; iounmap() later walks none entries,
 * which vunmap accepts silently. The caller holds pdax_kmap_begin().
 */
int pdax_kmap_drop(void __iomem *addr, u64 size)
{
	unsigned long range[2] = { (unsigned long)addr,
				   (unsigned long)addr + size };
	struct pdax_walk w = { .leaf = pdax_drop_leaf, .priv = range };
	int rc;

	rc = pdax_walk(&w, pdax_kernel_pgd(), range[0], range[1]);
	on_each_cpu(pdax_flush_tlb_cpu, NULL, 1);
	return rc;
}

/* Bytes of [start, start+len) that a leaf mapping [phys, phys+size) covers. */
static u64 pdax_overlap(u64 phys, u64 size, u64 start, u64 len)
{
	u64 lo = max(phys, start), hi = min(phys + size, start + len);

	return hi > lo ? hi - lo : 0;
}

struct pdax_find {
	struct pdax_region *region;
	struct pdax_kmap_found *found;
	bool (*skip)(struct pdax_region *region, u64 phys, u64 size, u64 *bytes);
};

static int pdax_find_leaf(struct pdax_walk *w, void *entry,
			  enum pdax_kmap_level level, unsigned long va,
			  unsigned long size, u64 flags, u64 phys)
{
	struct pdax_find *f = w->priv;
	struct pdax_kmap_found *found = f->found;
	u64 bytes = pdax_overlap(phys, size, f->region->start, f->region->size);
	u64 excluded = 0;

	if (!bytes)
		return 0;
	if (pdax_poison_in(f->region, max(phys, (u64)f->region->start), bytes))
		found->poisoned++;
	if (f->skip && f->skip(f->region, phys, size, &excluded)) {
		if (excluded >= bytes)
			return 0;
		bytes -= excluded;
	}
	if (level != PDAX_KMAP_PTE)
		flags = pgprot_val(pgprot_large_2_4k(__pgprot(flags)));
	flags &= _PAGE_CACHE_MASK;
	if (flags == cachemode2protval(_PAGE_CACHE_MODE_WB))
		found->wb += bytes;
	else if (flags == cachemode2protval(_PAGE_CACHE_MODE_UC_MINUS))
		found->uc_minus += bytes;
	else
		found->other += bytes;
	if (found->nr_first < ARRAY_SIZE(found->first)) {
		found->first[found->nr_first].phys = phys;
		found->first[found->nr_first].size = size;
		found->nr_first++;
	}
	return 0;
}

/*
 * Every present leaf of the kernel half of the page tables (direct map,
 * vmalloc and ioremap space, vmemmap, fixmap, kernel image, modules) that
 * maps a byte of @region. @skip lets the caller exclude memory that may be
 * mapped (a compound device's pagemap). The caller holds
 * pdax_kmap_quiesce(), so no scrub chunk is mapped.
 */
void pdax_kmap_find_kernel(struct pdax_region *region,
			   bool (*skip)(struct pdax_region *, u64, u64, u64 *),
			   struct pdax_kmap_found *found)
{
	struct pdax_find f = { .region = region, .found = found, .skip = skip };
	struct pdax_walk w = { .leaf = pdax_find_leaf, .priv = &f };

	pdax_walk(&w, pdax_kernel_pgd(), pdax_kernel_half(), 0);
	found->entries = w.entries;
}

/* The same over the user half of @mm; the caller holds mmap_read_lock(). */
void pdax_kmap_find_user(struct mm_struct *mm, struct pdax_region *region,
			 struct pdax_kmap_found *found)
{
	struct pdax_find f = { .region = region, .found = found };
	struct pdax_walk w = { .leaf = pdax_find_leaf, .priv = &f };

	mmap_assert_locked(mm);
	pdax_walk(&w, mm->pgd, 0, -pdax_kernel_half());
	found->entries = w.entries;
}
