// SPDX-License-Identifier: LGPL-2.1
/* Zeroing with threads; sysfs CPU lists. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/zero.h"

/* [0, off) and [off + len, total) still 0xaa, [off, off + len) all zero. */
static void check_zeroed(const unsigned char *b, size_t total, size_t off, size_t len)
{
	for (size_t i = 0; i < total; i++) {
		unsigned char want = i >= off && i < off + len ? 0 : 0xaa;

		if (b[i] != want)
			cr_assert_fail("byte %zu of %zu is 0x%02x, not 0x%02x (zeroed [%zu, %zu))", i, total,
				 b[i], want, off, off + len);
	}
}

Test(zero, parallel_splits_and_zeroes_everything)
{
	size_t total = (200ULL << 20) + 8192, off = 4096 + 7, len = (200ULL << 20) + 11;
	unsigned char *b = malloc(total);
	unsigned int used = 0;
	cpu_set_t one;

	cr_assert_not_null(b);
	memset(b, 0xaa, total);
	util_zero_parallel(b + off, len, 4, NULL, &used);
	check_zeroed(b, total, off, len);
	cr_assert_eq(used, 3, "200 MiB in slices of at least 64 MiB: 3 threads, not %u", used);

	memset(b, 0xaa, total);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	util_zero_parallel(b + off, len, 0, &one, &used);
	check_zeroed(b, total, off, len);
	cr_assert_eq(used, 1, "one CPU, no count: one thread");

	memset(b, 0xaa, total);
	util_zero_parallel(b + off, 1000, 8, NULL, &used);
	check_zeroed(b, total, off, 1000);
	cr_assert_eq(used, 1, "a small range is not split");
	free(b);
}

Test(zero, cpulist)
{
	cpu_set_t s;

	cr_assert_eq(util_parse_cpulist("0-3,8,10-11\n", &s), 7);
	cr_assert(CPU_ISSET(3, &s) && CPU_ISSET(8, &s) && CPU_ISSET(11, &s) && !CPU_ISSET(9, &s));
	cr_assert_eq(util_parse_cpulist("5", &s), 1);
	cr_assert(CPU_ISSET(5, &s));
	cr_assert_eq(util_parse_cpulist("\n", &s), 0, "a node without CPUs");
	cr_assert_eq(util_parse_cpulist("", &s), 0);
	cr_assert_eq(util_parse_cpulist("0,0-1", &s), 2, "each CPU counted once");
	cr_assert_eq(util_parse_cpulist("3-1", &s), -EINVAL);
	cr_assert_eq(util_parse_cpulist("a", &s), -EINVAL);
	cr_assert_eq(util_parse_cpulist("1,", &s), -EINVAL);
	cr_assert_eq(util_parse_cpulist("0-", &s), -EINVAL);
	cr_assert_eq(util_parse_cpulist("1 2", &s), -EINVAL);
	cr_assert_eq(util_parse_cpulist("99999", &s), -EINVAL);
}
