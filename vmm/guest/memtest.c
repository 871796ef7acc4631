// SPDX-License-Identifier: GPL-2.0
/*
 * memtest: the tinyvmm test guest. Reads the e820 map from boot_params,
 * maps all memory it lists with its own page tables, then writes and
 * verifies two address-dependent patterns over every 8-byte word of it,
 * except the pages this program occupies. Reports on COM1 and leaves
 * through the debug exit port: 0 = every word verified, 1 = a mismatch.
 */
#include "guest.h"

#define E820_MAX 128
#define MAP_LIMIT (64ULL << 30) /* page tables below cover 64 GiB */
#define PTE_P_RW 0x3ULL
#define PTE_PS 0x80ULL
#define MIX 0x9e3779b97f4a7c15ULL

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));

extern char guest_start[], guest_end[];

static u64 pml4[512] __attribute__((aligned(4096)));
static u64 pdpt[512] __attribute__((aligned(4096)));
static u64 pd[64][512] __attribute__((aligned(4096)));
static struct e820_entry map[E820_MAX];
static u64 tested, errors, skipped;

static void map_memory(u64 top)
{
	u64 gigs = (top + (1ULL << 30) - 1) >> 30;

	pml4[0] = (u64)pdpt | PTE_P_RW;
	for (u64 g = 0; g < gigs; g++) {
		pdpt[g] = (u64)pd[g] | PTE_P_RW;
		for (u64 i = 0; i < 512; i++)
			pd[g][i] = ((g << 30) + (i << 21)) | PTE_P_RW | PTE_PS;
	}
	__asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
}

static void test_range(u64 a, u64 b)
{
	a = (a + 7) & ~7ULL;
	b &= ~7ULL;
	if (a >= b)
		return;
	for (int pass = 0; pass < 2; pass++) {
		u64 flip = pass ? ~0ULL : 0;

		for (u64 p = a; p < b; p += 8)
			*(volatile u64 *)p = (p * MIX) ^ flip;
		for (u64 p = a; p < b; p += 8) {
			u64 want = (p * MIX) ^ flip, got = *(volatile u64 *)p;

			if (got != want && ++errors <= 8) {
				puts("MEMTEST MISMATCH at ");
				put_hex(p);
				puts(" want ");
				put_hex(want);
				puts(" got ");
				put_hex(got);
				putc('\n');
			}
		}
	}
	tested += b - a;
}

static void test_region(u64 a, u64 b)
{
	u64 s = (u64)guest_start, e = (u64)guest_end;

	puts("memtest: ");
	put_hex(a);
	puts("-");
	put_hex(b);
	putc('\n');
	if (b <= s || a >= e) {
		test_range(a, b);
		return;
	}
	test_range(a, s);
	test_range(e, b);
	skipped += (b < e ? b : e) - (a > s ? a : s);
}

void guest_main(const u8 *boot_params)
{
	u32 n = boot_params[0x1e8];
	u64 top = 0;

	if (n > E820_MAX)
		n = E820_MAX;
	for (u32 i = 0; i < n; i++) {
		map[i] = ((const struct e820_entry *)(boot_params + 0x2d0))[i];
		if (map[i].addr + map[i].size > top)
			top = map[i].addr + map[i].size;
	}
	puts("memtest: e820 entries ");
	put_dec(n);
	puts(", top ");
	put_hex(top);
	putc('\n');
	if (!n || top > MAP_LIMIT) {
		puts("MEMTEST FAIL: no usable e820 map\n");
		guest_exit(1);
	}
	map_memory(top);
	/* RAM and reserved entries alike: tinyvmm backs both with the device. */
	for (u32 i = 0; i < n; i++)
		if (map[i].type == 1 || map[i].type == 2)
			test_region(map[i].addr, map[i].addr + map[i].size);
	puts(errors ? "MEMTEST FAIL" : "MEMTEST PASS");
	puts(" tested_bytes=");
	put_dec(tested);
	puts(" skipped_bytes=");
	put_dec(skipped);
	puts(" errors=");
	put_dec(errors);
	putc('\n');
	guest_exit(errors ? 1 : 0);
}
