// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pure half of `daxmemctl savings --measure`: /proc parsers, medians,
 * the report's formatting, and the command's behaviour where the machine
 * offers no mode (every row skipped with its reason, state file untouched).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_savings.h"
#include "fixture.h"

static const char meminfo[] = "MemTotal:        6080112 kB\n"
			      "MemFree:         5124600 kB\n"
			      "MemAvailable:    5501932 kB\n"
			      "Buffers:               0 kB\n"
			      "HugePages_Total:       0\n";

Test(measure, meminfo_values_in_bytes)
{
	cr_assert_eq(daxmem_meminfo_value(meminfo, "MemTotal"), 6080112LL * 1024);
	cr_assert_eq(daxmem_meminfo_value(meminfo, "MemFree"), 5124600LL * 1024);
	cr_assert_eq(daxmem_meminfo_value(meminfo, "Buffers"), 0);
	/* a key is a whole name, never a prefix of another */
	cr_assert_eq(daxmem_meminfo_value(meminfo, "Mem"), -1);
	cr_assert_eq(daxmem_meminfo_value(meminfo, "MemFre"), -1);
	cr_assert_eq(daxmem_meminfo_value(meminfo, "SwapFree"), -1);
	cr_assert_eq(daxmem_meminfo_value("", "MemFree"), -1);
	cr_assert_eq(daxmem_meminfo_value("MemFree: lots kB\n", "MemFree"), -1);
}

Test(measure, vmstat_memmap_counters)
{
	const char *vmstat = "nr_free_pages 1281150\n"
			     "nr_memmap_pages 12288\n"
			     "nr_memmap_boot_pages 24576\n";

	cr_assert_eq(daxmem_vmstat_value(vmstat, "nr_memmap_pages"), 12288);
	cr_assert_eq(daxmem_vmstat_value(vmstat, "nr_memmap_boot_pages"), 24576);
	cr_assert_eq(daxmem_vmstat_value(vmstat, "nr_memmap"), -1);
	/* Linux before 6.11 has neither */
	cr_assert_eq(daxmem_vmstat_value("nr_free_pages 1\n", "nr_memmap_pages"), -1);
}

Test(measure, zoneinfo_sums_every_pageset)
{
	char *text = fixture_read("zoneinfo-2cpu");

	/* 31 + 250 + 1024 + 7; "nr_free_pages" and "pages free" are not per-CPU */
	cr_assert_eq(daxmem_zoneinfo_pcp_pages(text), 1312);
	free(text);
	cr_assert_eq(daxmem_zoneinfo_pcp_pages("Node 0, zone DMA\n  pages free 3\n"), -1);
	/* an unindented "count:" is not a pageset's */
	cr_assert_eq(daxmem_zoneinfo_pcp_pages("count: 5\n"), -1);
}

Test(measure, this_machine_has_memory_counters)
{
	struct daxmem_mem_sample s;

	cr_assert_eq(daxmem_mem_sample_read(&s), 0);
	cr_assert_gt(s.mem_total, 0);
	cr_assert_gt(s.mem_free, 0);
	/* per-CPU lists are part of the memory, never more than all of it */
	cr_assert_leq(s.mem_free, s.mem_total);
}

Test(measure, median)
{
	int64_t one[] = { 7 };
	int64_t odd[] = { 9, -3, 4 };
	int64_t even[] = { 10, 1, 4, 3 };
	int64_t neg[] = { -1, -2 };
	int64_t big[] = { INT64_MAX, INT64_MAX - 2 };

	cr_assert_eq(daxmem_median(one, 1), 7);
	cr_assert_eq(daxmem_median(odd, 3), 4);
	cr_assert_eq(odd[0], -3, "sorted in place");
	cr_assert_eq(daxmem_median(even, 4), 3, "mean of 3 and 4, truncated");
	cr_assert_eq(daxmem_median(neg, 2), -1, "-1.5 truncated toward zero");
	cr_assert_eq(daxmem_median(big, 2), INT64_MAX - 1, "no overflow");
	cr_assert_eq(daxmem_median(NULL, 0), 0);
}

Test(measure, median_of_samples)
{
	struct daxmem_savings_sample s[3] = {
		{ .chardev = "dax0.1",
		  .memfree_drop = 16 << 20,
		  .memmap_known = true,
		  .memmap_pages = 4096,
		  .memfree_left = 4096,
		  .create_ns = 900,
		  .map_ns = 50 },
		{ .chardev = "dax0.2",
		  .memfree_drop = 40 << 20,
		  .memmap_known = true,
		  .memmap_pages = 4096,
		  .memfree_left = -8192,
		  .create_ns = 100,
		  .map_ns = 70 },
		{ .chardev = "dax0.3",
		  .memfree_drop = (16 << 20) + 8192,
		  .memmap_known = true,
		  .memmap_pages = 4100,
		  .memfree_left = 0,
		  .create_ns = 300,
		  .map_ns = 60 },
	};
	struct daxmem_savings_sample m;

	daxmem_savings_median(s, 3, &m);
	cr_assert_eq(m.memfree_drop, (16 << 20) + 8192, "the outlier is dropped");
	cr_assert(m.memmap_known);
	cr_assert_eq(m.memmap_pages, 4096);
	cr_assert_eq(m.memfree_left, 0);
	cr_assert_eq(m.create_ns, 300);
	cr_assert_eq(m.map_ns, 60);
	cr_assert_str_eq(m.chardev, "dax0.3");
	/* fields are taken one by one, the input is left as it was */
	cr_assert_eq(s[0].memfree_drop, 16 << 20);

	s[1].memmap_known = false;
	daxmem_savings_median(s, 3, &m);
	cr_assert_not(m.memmap_known, "a kernel without nr_memmap_pages in any sample");
}

Test(measure, signed_sizes_and_differences)
{
	char buf[64];

	cr_assert_str_eq(savings_format_signed_size(0, buf, sizeof(buf)), "0 B");
	cr_assert_str_eq(savings_format_signed_size(4 << 20, buf, sizeof(buf)), "+4.00 MiB");
	cr_assert_str_eq(savings_format_signed_size(-512 * 1024, buf, sizeof(buf)), "-512.00 KiB");
	cr_assert_str_eq(savings_format_signed_size(-100, buf, sizeof(buf)), "-100 B");
	cr_assert_str_eq(savings_format_signed_size(INT64_MIN, buf, sizeof(buf)), "-8192.00 PiB");
	/* 17 MiB measured against a 16 MiB model */
	cr_assert_str_eq(savings_format_diff(17 << 20, 16 << 20, buf, sizeof(buf)),
			 "+1.00 MiB (+6.2%)");
	cr_assert_str_eq(savings_format_diff(12 << 20, 16 << 20, buf, sizeof(buf)),
			 "-4.00 MiB (-25.0%)");
	cr_assert_str_eq(savings_format_diff(16 << 20, 16 << 20, buf, sizeof(buf)), "0 B (+0.0%)");
	/* pageless: the model is 0, no ratio */
	cr_assert_str_eq(savings_format_diff(-4096, 0, buf, sizeof(buf)), "-4.00 KiB");
}

Test(measure, durations)
{
	char buf[32];

	cr_assert_str_eq(savings_format_ns(0, buf, sizeof(buf)), "0 us");
	cr_assert_str_eq(savings_format_ns(850123, buf, sizeof(buf)), "850 us");
	cr_assert_str_eq(savings_format_ns(12345678, buf, sizeof(buf)), "12.3 ms");
	cr_assert_str_eq(savings_format_ns(2104000000, buf, sizeof(buf)), "2.10 s");
}

Test(measure, what_nr_memmap_pages_counts)
{
	struct daxmem_savings_model full, c2m, c1g, none;

	cr_assert_eq(daxmem_savings_model(GiB, 4 * KiB, DAXMEM_MEMMAP_FULL, &full), 0);
	cr_assert_eq(daxmem_savings_model(GiB, 2 * MiB, DAXMEM_MEMMAP_COMPOUND, &c2m), 0);
	cr_assert_eq(daxmem_savings_model(GiB, GiB, DAXMEM_MEMMAP_COMPOUND, &c1g), 0);
	cr_assert_eq(daxmem_savings_model(GiB, 4 * KiB, DAXMEM_MEMMAP_NONE, &none), 0);
	/* 1 GiB at 4K: 16 MiB of struct pages, span and backing alike */
	cr_assert_str_eq(savings_memmap_counts(4096, &full), "either");
	cr_assert_str_eq(savings_memmap_counts(4095, &full), "neither");
	/* 512 units of 2M keep 2 vmemmap pages each; the span is 4096 pages */
	cr_assert_str_eq(savings_memmap_counts(1024, &c2m), "backed");
	cr_assert_str_eq(savings_memmap_counts(4096, &c2m), "span");
	/* one 1G unit: 2 pages, over 8 sections */
	cr_assert_str_eq(savings_memmap_counts(2, &c1g), "backed");
	cr_assert_str_eq(savings_memmap_counts(4096, &c1g), "span");
	cr_assert_str_eq(savings_memmap_counts(16, &c1g), "neither");
	cr_assert_str_eq(savings_memmap_counts(0, &none), "either");
}
