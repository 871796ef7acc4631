/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TINYVMM_E820_H
#define TINYVMM_E820_H

#include <asm/bootparam.h>
#include <stdint.h>

#define E820_TYPE_RAM 1
#define E820_TYPE_RESERVED 2

/*
 * Fill @tab (room for @max entries) with the memory map of a guest with
 * @ram_size bytes of RAM laid out as in layout.h. Returns the number of
 * entries or -EINVAL/-ENOSPC.
 */
int e820_build(uint64_t ram_size, struct boot_e820_entry *tab, int max);

#endif
