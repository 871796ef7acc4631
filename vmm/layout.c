// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical <-> host-virtual translation. Pure: no KVM, no I/O.
 */
#include "layout.h"

void guest_mem_init(struct guest_mem *mem, uint8_t *host, uint64_t size)
{
	mem->host = host;
	mem->size = size;
	mem->low_size = size < MEM_HOLE_START ? size : MEM_HOLE_START;
}

void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	uint64_t high = mem->size - mem->low_size;

	if (len == 0)
		return NULL;
	if (gpa < mem->low_size) {
		if (len > mem->low_size - gpa)
			return NULL;
		return mem->host + gpa;
	}
	if (gpa < MEM_HIGH_START)
		return NULL;
	gpa -= MEM_HIGH_START;
	if (gpa >= high || len > high - gpa)
		return NULL;
	return mem->host + mem->low_size + gpa;
}

int guest_mem_gpa(const struct guest_mem *mem, const void *hva, uint64_t *gpa)
{
	uintptr_t p = (uintptr_t)hva, base = (uintptr_t)mem->host;
	uint64_t off;

	if (p < base || p - base >= mem->size)
		return -1;
	off = p - base;
	*gpa = off < mem->low_size ? off : MEM_HIGH_START + (off - mem->low_size);
	return 0;
}
