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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <daxmem/libdaxmem.h>

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

/*
 * Measurement: create a device, see what the host's memory counters say it
 * cost, map it, destroy it (daxmem/savings_meminfo.c,
 * daxmem/savings_measure.c).
 */

/* One reading of the host's memory counters; -1 where a counter is absent. */
struct daxmem_mem_sample {
	int64_t mem_total; /* MemTotal, bytes */
	/*
	 * MemFree plus the pages parked on per-CPU free lists, bytes: a page
	 * freed a moment ago may sit there and would otherwise look used.
	 */
	int64_t mem_free;
	int64_t memmap_pages; /* /proc/vmstat nr_memmap_pages (Linux 6.11+) */
};

/* "KEY:   N kB" of /proc/meminfo text, in bytes; -1 if absent. */
int64_t daxmem_meminfo_value(const char *meminfo, const char *key);
/* "KEY N" of /proc/vmstat text; -1 if absent. */
int64_t daxmem_vmstat_value(const char *vmstat, const char *key);
/* Pages on all per-CPU free lists ("count:" of every pageset) of /proc/zoneinfo text. */
int64_t daxmem_zoneinfo_pcp_pages(const char *zoneinfo);
/* Read the counters from /proc. Returns 0 or a negative errno (no MemTotal/MemFree). */
int daxmem_mem_sample_read(struct daxmem_mem_sample *s);
/*
 * Quiet the counters before a reading: sync, drop the page cache and slab
 * caches, compact memory, then sleep @ms so RCU-deferred frees land.
 * Returns 0, or the negative errno of the first knob that could not be
 * written (the reading is then noisier, not wrong).
 */
int daxmem_mem_settle(unsigned int ms);
/*
 * Median of @n values (sorts @v); for even @n the mean of the middle two,
 * truncated toward zero; 0 for none.
 */
int64_t daxmem_median(int64_t *v, size_t n);

#define DAXMEM_SAVINGS_MAX_REPS 9

/* What creating @size in one mode cost, one repetition. */
struct daxmem_savings_sample {
	char chardev[32];
	/*
	 * MemFree (+ per-CPU lists) before create minus with the device
	 * created and open, not mapped: the bytes it consumes
	 */
	int64_t memfree_drop;
	/* the same, created but not yet open (pdax compound builds its memmap on open) */
	int64_t memfree_created;
	int64_t memtotal_drop; /* MemTotal before create minus created and open */
	bool memmap_known; /* the kernel has nr_memmap_pages */
	int64_t memmap_pages; /* nr_memmap_pages created and open minus before */
	/* before create minus after destroy: bytes not given back (noise or a leak) */
	int64_t memfree_left;
	int64_t create_ns; /* daxmem_dev_create(): allocate, configure, enable, record */
	int64_t open_ns; /* the first open() of the device */
	int64_t map_ns; /* mmap + a read of the first byte of every align unit */
};

struct daxmem_savings_measure_spec {
	uint64_t size;
	unsigned long align;
	enum daxmem_mode mode;
	unsigned int settle_ms; /* see daxmem_mem_settle() */
	const char *label; /* the device's label while it exists, may be NULL */
};

/*
 * One repetition in @region: settle, read, create the device (preserved, so
 * daxmem does not zero it and the time is the kernel's set-up), settle,
 * read, open it, settle, read, map it and touch every align unit once,
 * unmap, close, destroy, settle, read. The device is destroyed whatever
 * happens after its creation.
 * Returns 0 or a negative errno (logged through the region's context); a
 * failed destroy is reported above any other error.
 */
int daxmem_savings_measure_once(struct daxmem_region *region,
				const struct daxmem_savings_measure_spec *spec,
				struct daxmem_savings_sample *out);
/*
 * Field by field median of @n samples; memmap_known only if every sample
 * has it; chardev of the last sample.
 */
void daxmem_savings_median(const struct daxmem_savings_sample *samples, size_t n,
			   struct daxmem_savings_sample *out);

#ifdef __cplusplus
}
#endif
#endif /* DAXMEM_SAVINGS_H */
