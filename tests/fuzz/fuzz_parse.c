// SPDX-License-Identifier: GPL-2.0
/*
 * Size, range-list and memmap= argument parsing: libdaxmem's
 * daxmem_parse_size() and daxmem_parse_ranges() (daxmemctl create --size,
 * --ranges), tinyvmm's parse_size() (--mem), and formatting each parsed
 * range back as a kernel memmap= argument.
 */
#include <errno.h>

#include <daxmem/carve.h>
#include <daxmem/libdaxmem.h>

#include "fuzz.h"
#include "util.h"

static void check_ranges(const char *s)
{
	struct daxmem_range *r;
	uint64_t off = 0;
	size_t nr, i, j;
	char buf[128];

	if (daxmem_parse_ranges(s, &r, &nr))
		return;
	fuzz_assert(nr > 0);
	for (i = 0; i < nr; i++) {
		struct daxmem_carve_piece piece = { 0, r[i].start, r[i].end };

		fuzz_assert(r[i].start <= r[i].end);
		fuzz_assert(r[i].page_offset == off);
		off += r[i].end - r[i].start + 1;
		for (j = 0; j < i; j++)
			fuzz_assert(r[j].end < r[i].start || r[i].end < r[j].start);
		if (daxmem_carve_memmap_arg(&piece, buf, sizeof(buf)) >= 0)
			fuzz_assert(memchr(buf, 0, sizeof(buf)));
	}
	free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t a, b;
	char text[32];
	char *s = fuzz_cstr(data, size);

	if (!s)
		return 0;
	if (!daxmem_parse_size(s, &a)) {
		/* a plain decimal number parses back to itself */
		snprintf(text, sizeof(text), "%llu", (unsigned long long)a);
		fuzz_assert(!daxmem_parse_size(text, &b) && a == b);
		daxmem_format_size(a, text, sizeof(text));
	}
	if (!parse_size(s, &a)) {
		snprintf(text, sizeof(text), "%llu", (unsigned long long)a);
		fuzz_assert(!parse_size(text, &b) && a == b);
	}
	check_ranges(s);
	free(s);
	return 0;
}
