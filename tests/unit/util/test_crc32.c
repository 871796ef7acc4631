// SPDX-License-Identifier: LGPL-2.1
/* util/crc32: the reference value, continuation, and the empty input. */
#include <criterion/criterion.h>

#include "util/crc32.h"

Test(crc32, reference_and_continuation)
{
	cr_assert_eq(util_crc32(0, "123456789", 9), 0xcbf43926u);
	cr_assert_eq(util_crc32(util_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
	cr_assert_eq(util_crc32(0, "", 0), 0);
	cr_assert_eq(util_crc32(0, "a", 1), 0xe8b7be43u);
}

/* the bitwise definition, byte for byte over every byte value */
Test(crc32, matches_bitwise)
{
	unsigned char buf[256];
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	for (i = 0; i < sizeof(buf); i++) {
		crc ^= buf[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	cr_assert_eq(util_crc32(0, buf, sizeof(buf)), ~crc);
}
