// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's e820 memory map, derived only from the RAM size.
 */
#include <errno.h>

#include "e820.h"
#include "layout.h"

static int e820_add(struct boot_e820_entry *tab, int n, int max, uint64_t addr,
		    uint64_t size, uint32_t type)
{
	if (n >= max)
		return -ENOSPC;
	tab[n].addr = addr;
	tab[n].size = size;
	tab[n].type = type;
	return n + 1;
}

int e820_build(uint64_t ram_size, struct boot_e820_entry *tab, int max)
{
	uint64_t low = ram_size < MEM_HOLE_START ? ram_size : MEM_HOLE_START;
	int n = 0;

	if (ram_size < MEM_MIN_SIZE || ram_size % SZ_2M)
		return -EINVAL;
	/* Conventional memory, then one reserved block for the EBDA, the
	 * legacy VGA/ROM window and the BIOS area that holds the MP table:
	 * backed by the device like all guest RAM, but never allocated. */
	n = e820_add(tab, n, max, 0, EBDA_START, E820_TYPE_RAM);
	if (n >= 0)
		n = e820_add(tab, n, max, EBDA_START, BIOS_END - EBDA_START,
			     E820_TYPE_RESERVED);
	if (n >= 0)
		n = e820_add(tab, n, max, BIOS_END, low - BIOS_END, E820_TYPE_RAM);
	if (n >= 0 && ram_size > low)
		n = e820_add(tab, n, max, MEM_HIGH_START, ram_size - low, E820_TYPE_RAM);
	return n;
}
