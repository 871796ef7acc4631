// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * struct page cost model. How Linux populates the vmemmap of ZONE_DEVICE
 * memory on x86-64 (mm/sparse-vmemmap.c, 5.19 .. 6.12):
 *
 * - Full memmap (device-dax align 4K): vmemmap_populate() backs the whole
 *   vmemmap, pages * 64 bytes, with 2 MiB blocks mapped by PMDs for full
 *   128 MiB sections (base pages plus a PTE table for a partial section).
 *
 * - Compound (device-dax align 2M/1G, pgmap->vmemmap_shift set): when a
 *   unit's vmemmap spans more than VMEMMAP_RESERVE_NR (2) pages,
 *   vmemmap_populate_compound_pages() backs only the head page's vmemmap
 *   page and the first tail vmemmap page of every unit; every other PTE of
 *   the unit maps that tail page again. A 1 GiB unit spans 8 sections: the
 *   later ones reuse the previous section's tail page
 *   (reuse_compound_section()), so each unit still costs 2 pages. The
 *   vmemmap is mapped with 4 KiB PTEs, so every 2 MiB of vmemmap address
 *   space needs a PTE table page.
 *
 * - Pageless: no memmap, no vmemmap page tables.
 *
 * In every page-backed mode one PMD table maps 1 GiB of vmemmap (64 GiB of
 * memory). PUD-level tables (one per 32 TiB) are left out.
 */
#include <errno.h>
#include <stdbool.h>

#include <daxmem/savings.h>

static uint64_t div_round_up(uint64_t a, uint64_t b)
{
	return a / b + !!(a % b);
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

const char *daxmem_memmap_kind_name(enum daxmem_memmap_kind kind)
{
	switch (kind) {
	case DAXMEM_MEMMAP_FULL:
		return "full";
	case DAXMEM_MEMMAP_COMPOUND:
		return "compound";
	case DAXMEM_MEMMAP_NONE:
		return "pageless";
	}
	return "unknown";
}

static void model_full(struct daxmem_savings_model *m)
{
	uint64_t partial = m->size % DAXMEM_SECTION_SIZE;

	m->memmap_bytes = m->memmap_virtual;
	m->pagetable_bytes =
		div_round_up(m->memmap_virtual, DAXMEM_PMD_TABLE_SPAN) * DAXMEM_PAGE_SIZE;
	/* A partial section is populated with base pages under one PTE table. */
	if (partial)
		m->pagetable_bytes += DAXMEM_PAGE_SIZE;
}

static void model_compound(struct daxmem_savings_model *m)
{
	uint64_t unit_vmemmap =
		m->align / DAXMEM_PAGE_SIZE * DAXMEM_STRUCT_PAGE_SIZE / DAXMEM_PAGE_SIZE;

	/* vmemmap_can_optimize(): needs more than 2 vmemmap pages per unit. */
	if (unit_vmemmap <= DAXMEM_VMEMMAP_RESERVE_NR) {
		m->kind = DAXMEM_MEMMAP_FULL;
		m->units = 0;
		model_full(m);
		return;
	}
	m->memmap_bytes = m->units * DAXMEM_VMEMMAP_RESERVE_NR * DAXMEM_PAGE_SIZE;
	m->pagetable_bytes = (div_round_up(m->memmap_virtual, DAXMEM_PTE_TABLE_SPAN) +
			      div_round_up(m->memmap_virtual, DAXMEM_PMD_TABLE_SPAN)) *
			     DAXMEM_PAGE_SIZE;
}

int daxmem_savings_model(uint64_t size, uint64_t align, enum daxmem_memmap_kind kind,
			 struct daxmem_savings_model *out)
{
	struct daxmem_savings_model full;
	struct daxmem_savings_model *m = out;

	if (kind == DAXMEM_MEMMAP_FULL)
		align = align ? align : DAXMEM_PAGE_SIZE;
	if (!size || size > (1ULL << 56) || !is_pow2(align) || align < DAXMEM_PAGE_SIZE ||
	    size % align)
		return -EINVAL;
	if (kind != DAXMEM_MEMMAP_FULL && kind != DAXMEM_MEMMAP_COMPOUND &&
	    kind != DAXMEM_MEMMAP_NONE)
		return -EINVAL;

	*m = (struct daxmem_savings_model){
		.size = size,
		.align = align,
		.kind = kind,
		.pages = size / DAXMEM_PAGE_SIZE,
	};
	m->memmap_virtual = m->pages * DAXMEM_STRUCT_PAGE_SIZE;
	full = *m;
	full.kind = DAXMEM_MEMMAP_FULL;
	model_full(&full);

	switch (kind) {
	case DAXMEM_MEMMAP_FULL:
		model_full(m);
		break;
	case DAXMEM_MEMMAP_COMPOUND:
		m->units = size / align;
		model_compound(m);
		break;
	case DAXMEM_MEMMAP_NONE:
		m->memmap_virtual = 0;
		break;
	}
	m->total_bytes = m->memmap_bytes + m->pagetable_bytes;
	m->full_bytes = full.memmap_bytes + full.pagetable_bytes;
	m->saved_bytes = m->full_bytes - m->total_bytes;
	m->ppm = (uint64_t)((unsigned __int128)m->total_bytes * 1000000 / size);
	return 0;
}
