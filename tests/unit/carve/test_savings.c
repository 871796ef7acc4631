// SPDX-License-Identifier: LGPL-2.1-or-later
/* The struct page / vmemmap cost model against hand-computed numbers. */
#include <criterion/criterion.h>
#include <errno.h>

#include <daxmem/savings.h>

#include "fixture.h"

#define TiB (1ULL << 40)

static struct daxmem_savings_model model(uint64_t size, uint64_t align,
					 enum daxmem_memmap_kind kind)
{
	struct daxmem_savings_model m;

	cr_assert_eq(daxmem_savings_model(size, align, kind, &m), 0);
	cr_assert_eq(m.total_bytes, m.memmap_bytes + m.pagetable_bytes);
	cr_assert_eq(m.saved_bytes, m.full_bytes - m.total_bytes);
	return m;
}

Test(savings, full_memmap_is_64_bytes_per_4k)
{
	struct daxmem_savings_model m = model(TiB, 4 * KiB, DAXMEM_MEMMAP_FULL);

	cr_assert_eq(m.pages, 1ULL << 28);
	cr_assert_eq(m.memmap_virtual, 16 * GiB);
	cr_assert_eq(m.memmap_bytes, 16 * GiB, "1 TiB at 4K costs 16 GiB");
	/* 16 GiB of vmemmap mapped by 2 MiB PMDs: 16 PMD tables. */
	cr_assert_eq(m.pagetable_bytes, 16 * 4 * KiB);
	cr_assert_eq(m.saved_bytes, 0);
	cr_assert_eq(m.ppm, 15625, "1/64 = 1.5625 %%");

	/* 64 TiB host: 1 TiB of struct pages. */
	m = model(64 * TiB, 4 * KiB, DAXMEM_MEMMAP_FULL);
	cr_assert_eq(m.memmap_bytes, TiB);
}

Test(savings, compound_2m_keeps_two_vmemmap_pages_per_unit)
{
	struct daxmem_savings_model m = model(TiB, 2 * MiB, DAXMEM_MEMMAP_COMPOUND);

	cr_assert_eq(m.kind, DAXMEM_MEMMAP_COMPOUND);
	cr_assert_eq(m.units, 512 * 1024);
	/* 8 vmemmap pages per 2 MiB unit, 2 of them real. */
	cr_assert_eq(m.memmap_bytes, 4 * GiB);
	/* 4 KiB PTEs: one PTE table per 2 MiB of vmemmap, plus 16 PMD tables. */
	cr_assert_eq(m.pagetable_bytes, (8192 + 16) * 4 * KiB);
	cr_assert_eq(m.total_bytes, 4 * GiB + 32 * MiB + 64 * KiB);
	cr_assert_eq(m.saved_bytes, 12 * GiB - 32 * MiB);
}

Test(savings, compound_1g_reuses_the_tail_page_across_sections)
{
	struct daxmem_savings_model m = model(TiB, GiB, DAXMEM_MEMMAP_COMPOUND);

	cr_assert_eq(m.units, 1024);
	/* 4096 vmemmap pages per 1 GiB unit over 8 sections, 2 of them real. */
	cr_assert_eq(m.memmap_bytes, 8 * MiB);
	cr_assert_eq(m.total_bytes, 40 * MiB + 64 * KiB);

	m = model(GiB, GiB, DAXMEM_MEMMAP_COMPOUND);
	cr_assert_eq(m.memmap_bytes, 8 * KiB);
	/* 16 MiB of vmemmap: 8 PTE tables and one PMD table. */
	cr_assert_eq(m.pagetable_bytes, 9 * 4 * KiB);
}

Test(savings, pageless_costs_nothing)
{
	struct daxmem_savings_model m = model(64 * TiB, GiB, DAXMEM_MEMMAP_NONE);

	cr_assert_eq(m.memmap_bytes, 0);
	cr_assert_eq(m.pagetable_bytes, 0);
	cr_assert_eq(m.memmap_virtual, 0);
	cr_assert_eq(m.full_bytes, TiB + 1024 * 4 * KiB);
	cr_assert_eq(m.saved_bytes, m.full_bytes);
	cr_assert_eq(m.ppm, 0);
}

Test(savings, small_compound_units_are_not_deduplicated)
{
	struct daxmem_savings_model m;

	/* vmemmap_can_optimize(): a unit needs more than 2 vmemmap pages. */
	m = model(GiB, 4 * KiB, DAXMEM_MEMMAP_COMPOUND);
	cr_assert_eq(m.kind, DAXMEM_MEMMAP_FULL);
	cr_assert_eq(m.memmap_bytes, 16 * MiB);
	m = model(GiB, 512 * KiB, DAXMEM_MEMMAP_COMPOUND);
	cr_assert_eq(m.kind, DAXMEM_MEMMAP_FULL, "512K: exactly 2 vmemmap pages");
	m = model(GiB, MiB, DAXMEM_MEMMAP_COMPOUND);
	cr_assert_eq(m.kind, DAXMEM_MEMMAP_COMPOUND, "1M: 4 vmemmap pages");
	cr_assert_eq(m.memmap_bytes, 1024 * 8 * KiB);
}

Test(savings, partial_section_and_testbed_carve)
{
	/* 2 MiB: 32 KiB of struct pages in base pages under one PTE table. */
	struct daxmem_savings_model m = model(2 * MiB, 4 * KiB, DAXMEM_MEMMAP_FULL);

	cr_assert_eq(m.memmap_bytes, 32 * KiB);
	cr_assert_eq(m.pagetable_bytes, 2 * 4 * KiB);
	/*
	 * The testbed's default carve (3 GiB): 12288 memmap pages, which is
	 * what nr_memmap_boot_pages drops by when the carve is on.
	 */
	m = model(3 * GiB, 4 * KiB, DAXMEM_MEMMAP_FULL);
	cr_assert_eq(m.memmap_bytes / (4 * KiB), 12288);
}

Test(savings, rejects_bad_input)
{
	struct daxmem_savings_model m;

	cr_assert_eq(daxmem_savings_model(0, 4 * KiB, DAXMEM_MEMMAP_FULL, &m), -EINVAL);
	cr_assert_eq(daxmem_savings_model(3 * MiB, 2 * MiB, DAXMEM_MEMMAP_COMPOUND, &m), -EINVAL);
	cr_assert_eq(daxmem_savings_model(GiB, 3 * MiB, DAXMEM_MEMMAP_COMPOUND, &m), -EINVAL);
	cr_assert_eq(daxmem_savings_model(GiB, 2 * KiB, DAXMEM_MEMMAP_NONE, &m), -EINVAL);
	cr_assert_eq(daxmem_savings_model(1ULL << 57, GiB, DAXMEM_MEMMAP_NONE, &m), -EINVAL);
	cr_assert_eq(daxmem_savings_model(GiB, GiB, (enum daxmem_memmap_kind)7, &m), -EINVAL);
	cr_assert_eq(daxmem_savings_model(4097, 0, DAXMEM_MEMMAP_FULL, &m), -EINVAL);
}
