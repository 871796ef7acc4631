// SPDX-License-Identifier: LGPL-2.1
/* Size and range parsers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include <daxmem/libdaxmem.h>

Test(parse, sizes)
{
	static const struct {
		const char *in;
		uint64_t out;
	} ok[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "0x1000", 4096 },
		{ "4K", 4096 },
		{ "4k", 4096 },
		{ "2M", 2ULL << 20 },
		{ "1G", 1ULL << 30 },
		{ "1GiB", 1ULL << 30 },
		{ "3T", 3ULL << 40 },
		{ "0x100000000", 1ULL << 32 },
		{ "16777215T", 16777215ULL << 40 },
	};
	static const char *const bad[] = { "",	  "G",	"-1",	"1X",	     "1 G",
					   "2MM", "0x", "1.5G", "16777216T", "99999999999999999999",
					   " 1" };
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(daxmem_parse_size(ok[i].in, &v), 0, "%s", ok[i].in);
		cr_assert_eq(v, ok[i].out, "%s", ok[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_lt(daxmem_parse_size(bad[i], &v), 0, "\"%s\" accepted", bad[i]);
	cr_assert_lt(daxmem_parse_size(NULL, &v), 0);
}

Test(parse, ranges)
{
	struct daxmem_range *r;
	size_t nr;

	cr_assert_eq(daxmem_parse_ranges("0x100000000-0x1001fffff,5G+2M", &r, &nr), 0);
	cr_assert_eq(nr, 2);
	cr_assert_eq(r[0].start, 0x100000000ULL);
	cr_assert_eq(r[0].end, 0x1001fffffULL);
	cr_assert_eq(r[0].page_offset, 0);
	cr_assert_eq(r[1].start, 5ULL << 30);
	cr_assert_eq(r[1].end, (5ULL << 30) + (2ULL << 20) - 1);
	cr_assert_eq(r[1].page_offset, 2ULL << 20);
	free(r);

	cr_assert_eq(daxmem_parse_ranges("4G-0x13fffffff", &r, &nr), 0);
	cr_assert_eq(nr, 1);
	cr_assert_eq(daxmem_range_size(&r[0]), 1ULL << 30);
	free(r);
}

Test(parse, bad_ranges)
{
	static const char *const bad[] = {
		"",
		"4G",
		"4G-",
		"-4G",
		"4G-3G",
		"4G+0",
		"4G-5G,",
		"4G-5G;6G-7G",
		"4G-5G,4G-4G", /* overlap */
		"4G+2G,5G+1G", /* overlap */
		"4G--5G",
		"x-y",
	};
	struct daxmem_range *r;
	size_t nr, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_lt(daxmem_parse_ranges(bad[i], &r, &nr), 0, "\"%s\" accepted", bad[i]);
}

Test(parse, names)
{
	enum daxmem_backend b;
	enum daxmem_mode m;
	char buf[32];

	cr_assert_eq(daxmem_backend_from_name("pageless", &b), 0);
	cr_assert_eq(b, DAXMEM_BACKEND_PAGELESS);
	cr_assert_lt(daxmem_backend_from_name("dax", &b), 0);
	cr_assert_eq(daxmem_mode_from_name("compound", &m), 0);
	cr_assert_eq(m, DAXMEM_MODE_COMPOUND);
	cr_assert_str_eq(daxmem_mode_name(DAXMEM_MODE_DEVDAX), "devdax");
	cr_assert_str_eq(daxmem_format_size(3ULL << 29, buf, sizeof(buf)), "1.50 GiB");
	cr_assert_str_eq(daxmem_format_size(512, buf, sizeof(buf)), "512 B");
}
