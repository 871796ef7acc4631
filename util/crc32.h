/* SPDX-License-Identifier: LGPL-2.1 */
/* CRC-32 shared by libdaxmem's metadata, daxmemctl and tinyvmm's snapshots. */
#ifndef _UTIL_CRC32_H_
#define _UTIL_CRC32_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The CRC-32 of buf continued from crc (0 to start): util_crc32(0, "123456789", 9)
 * is 0xcbf43926, and util_crc32(util_crc32(0, a, n), b, m) that of a then b.
 */
uint32_t util_crc32(uint32_t crc, const void *buf, size_t len);

#endif /* _UTIL_CRC32_H_ */
