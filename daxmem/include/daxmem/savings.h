/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * struct page / vmemmap cost model: what a given amount of memory costs the
 * host kernel in memmap for each way daxmem can expose it, following how
 * Linux (5.19 .. 6.12, x86-64) populates the vmemmap for ZONE_DEVICE memory
 * (mm/sparse-vmemmap.c, mm/mm_init.c). Pure arithmetic; the measured half
 * of `daxmemctl savings` sits beside these numbers.
 */
#ifndef DAXMEM_SAVINGS_H
#define DAXMEM_SAVINGS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How the memory's struct pages exist. */
enum daxmem_memmap_kind {
	/* One struct page per 4 KiB, all backed (device-dax align 4K). */
	DAXMEM_MEMMAP_FULL,
	/*
	 * Compound pages of @align with the vmemmap deduplicated: per unit
	 * only the head's vmemmap page and one tail vmemmap page are real
	 * (device-dax align 2M/1G; the module's compound mode).
	 */
	DAXMEM_MEMMAP_COMPOUND,
	/* No struct page at all (the module's pageless mode). */
	DAXMEM_MEMMAP_NONE,
};

/* Constants of the model, x86-64. */
#define DAXMEM_PAGE_SIZE 4096ULL
#define DAXMEM_STRUCT_PAGE_SIZE 64ULL
/* Real vmemmap pages per compound unit: VMEMMAP_RESERVE_NR in the kernel. */
#define DAXMEM_VMEMMAP_RESERVE_NR 2ULL
/* vmemmap virtual bytes one page-table page maps: 512 PTEs x 4 KiB. */
#define DAXMEM_PTE_TABLE_SPAN (2ULL << 20)
/* vmemmap virtual bytes one PMD table maps: 512 x 2 MiB. */
#define DAXMEM_PMD_TABLE_SPAN (1ULL << 30)
/* Memory section: vmemmap is populated one section at a time. */
#define DAXMEM_SECTION_SIZE (128ULL << 20)

struct daxmem_savings_model {
	uint64_t size; /* bytes of memory modelled */
	uint64_t align; /* compound unit / mapping size */
	enum daxmem_memmap_kind kind;
	uint64_t pages; /* 4 KiB pages: size / 4096 */
	uint64_t units; /* compound units: size / align (0 unless compound) */
	uint64_t memmap_virtual; /* pages * 64: vmemmap address space used */
	uint64_t memmap_bytes; /* real struct page memory */
	uint64_t pagetable_bytes; /* vmemmap page-table pages (PTE + PMD level) */
	uint64_t total_bytes; /* memmap_bytes + pagetable_bytes */
	uint64_t full_bytes; /* what DAXMEM_MEMMAP_FULL would cost */
	uint64_t saved_bytes; /* full_bytes - total_bytes */
	/* total_bytes in parts per million of @size */
	uint64_t ppm;
};

/*
 * Model @size bytes exposed as @kind with @align (4 KiB, 2 MiB or 1 GiB;
 * FULL ignores it). @size must be a positive multiple of @align (of 4 KiB
 * for FULL) and of at most 2^56 bytes. Returns 0 or -EINVAL.
 */
int daxmem_savings_model(uint64_t size, uint64_t align, enum daxmem_memmap_kind kind,
			 struct daxmem_savings_model *out);

const char *daxmem_memmap_kind_name(enum daxmem_memmap_kind kind);

#ifdef __cplusplus
}
#endif
#endif /* DAXMEM_SAVINGS_H */
