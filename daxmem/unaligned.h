/* SPDX-License-Identifier: LGPL-2.1 */
/* Host-endian loads and stores at any alignment, for on-media images. */
#ifndef DAXMEM_UNALIGNED_H
#define DAXMEM_UNALIGNED_H

#include <stdint.h>
#include <string.h>

static inline void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#endif
