// SPDX-License-Identifier: GPL-2.0
/* bzImage header parsing, boot placement, boot_params, e820, page tables. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "e820.h"
#include "layout.h"

#define IMG_LEN (64 * 1024)

/* A minimal image with a valid 2.15 setup header and 3 setup sectors. */
static uint8_t *make_image(void)
{
	uint8_t *img = calloc(1, IMG_LEN);
	struct setup_header h = { 0 };

	h.setup_sects = 3;
	h.boot_flag = 0xaa55;
	h.jump = 0x6aeb;
	h.header = BZIMAGE_HDR_MAGIC;
	h.version = 0x020f;
	h.loadflags = LOADED_HIGH;
	h.code32_start = 0x100000;
	h.initrd_addr_max = 0x7fffffff;
	h.kernel_alignment = 0x200000;
	h.xloadflags = XLF_KERNEL_64;
	h.cmdline_size = 2047;
	h.init_size = 0x400000;
	memcpy(img + 0x1f1, &h, sizeof(h));
	img[0x800] = 0xaa; /* first byte of the protected-mode part */
	return img;
}

static struct setup_header *hdr(uint8_t *img)
{
	return (struct setup_header *)(img + 0x1f1);
}

Test(bzimage, parses_valid_header)
{
	uint8_t *img = make_image();
	struct bzimage bz;
	const char *why = NULL;

	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), 0, "%s", why);
	cr_assert_eq(bz.setup_size, 4 * 512);
	cr_assert_eq(bz.kernel_off, 4 * 512);
	cr_assert_eq(bz.kernel_size, IMG_LEN - 4 * 512);
	cr_assert_eq(bz.init_size, 0x400000);
	cr_assert_eq(bz.hdr_len, 0x26c - 0x1f1);
	free(img);
}

Test(bzimage, zero_setup_sects_means_four)
{
	uint8_t *img = make_image();
	struct bzimage bz;
	const char *why;

	hdr(img)->setup_sects = 0;
	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), 0);
	cr_assert_eq(bz.setup_size, 5 * 512);
	free(img);
}

Test(bzimage, rejects_bad_images)
{
	uint8_t *img = make_image();
	struct bzimage bz;
	const char *why;

	cr_assert_eq(bzimage_parse(img, 0x300, &bz, &why), -EINVAL, "short image");
	hdr(img)->boot_flag = 0;
	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), -EINVAL, "no boot flag");
	hdr(img)->boot_flag = 0xaa55;
	hdr(img)->version = 0x020b;
	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), -ENOTSUP, "old protocol");
	hdr(img)->version = 0x020f;
	hdr(img)->xloadflags = 0;
	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), -ENOTSUP, "no 64-bit entry");
	hdr(img)->xloadflags = XLF_KERNEL_64;
	hdr(img)->loadflags = 0;
	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), -ENOTSUP, "zImage");
	hdr(img)->loadflags = LOADED_HIGH;
	hdr(img)->setup_sects = 200; /* setup past the end of the image */
	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), -EINVAL);
	hdr(img)->setup_sects = 3;
	img[0x201] = 0x7f; /* header longer than the jump allows */
	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), -EINVAL);
	img[0x201] = 0x02; /* header too short to hold version */
	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), -EINVAL);
	free(img);
}

Test(boot_plan, places_initrd_at_top_below_max)
{
	uint8_t *img = make_image();
	struct bzimage bz;
	struct boot_plan p;
	const char *why = NULL;

	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), 0);
	cr_assert_eq(boot_plan_make(&bz, 256 << 20, 10, 0x123456, &p, &why), 0, "%s", why);
	cr_assert_eq(p.initrd_addr % 4096, 0);
	cr_assert_leq(p.initrd_addr + 0x123456, 256 << 20);
	cr_assert_gt(p.initrd_addr + 0x123456 + 4096, 256 << 20);
	cr_assert_eq(p.entry, KERNEL_LOAD_ADDR + 0x200);
	cr_assert_eq(p.cmdline_len, 11);

	/* initrd_addr_max below the end of RAM wins */
	bz.hdr.initrd_addr_max = (64 << 20) - 1;
	cr_assert_eq(boot_plan_make(&bz, 256 << 20, 0, 4096, &p, &why), 0);
	cr_assert_eq(p.initrd_addr, (64 << 20) - 4096);
	free(img);
}

Test(boot_plan, refuses_what_does_not_fit)
{
	uint8_t *img = make_image();
	struct bzimage bz;
	struct boot_plan p;
	const char *why;

	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), 0);
	cr_assert_eq(boot_plan_make(&bz, 256 << 20, 2048, 0, &p, &why), -E2BIG, "cmdline");
	cr_assert_eq(boot_plan_make(&bz, 256 << 20, 2047, 0, &p, &why), 0);
	cr_assert_eq(boot_plan_make(&bz, 4 << 20, 0, 0, &p, &why), -ENOSPC, "init_size");
	cr_assert_eq(boot_plan_make(&bz, 8 << 20, 0, 4 << 20, &p, &why), -ENOSPC,
		     "initrd over kernel");
	cr_assert_eq(boot_plan_make(&bz, 8 << 20, 0, 16 << 20, &p, &why), -ENOSPC,
		     "initrd larger than RAM");
	free(img);
}

Test(boot_params, fields_and_e820)
{
	uint8_t *img = make_image();
	struct boot_params *bp = calloc(1, sizeof(*bp));
	struct bzimage bz;
	struct boot_plan p;
	const char *why;

	cr_assert_eq(bzimage_parse(img, IMG_LEN, &bz, &why), 0);
	cr_assert_eq(boot_plan_make(&bz, 512 << 20, 5, 8192, &p, &why), 0);
	cr_assert_eq(boot_params_build(bp, &bz, &p, 512 << 20), 0);
	cr_assert_eq(bp->hdr.header, BZIMAGE_HDR_MAGIC);
	cr_assert_eq(bp->hdr.type_of_loader, 0xff);
	cr_assert(bp->hdr.loadflags & CAN_USE_HEAP);
	cr_assert_eq(bp->hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
	cr_assert_eq(bp->hdr.ramdisk_image, p.initrd_addr);
	cr_assert_eq(bp->hdr.ramdisk_size, 8192);
	cr_assert_eq(bp->e820_entries, 3);
	cr_assert_eq(bp->e820_table[2].addr + bp->e820_table[2].size, 512 << 20);
	free(bp);
	free(img);
}

Test(e820, small_guest)
{
	struct boot_e820_entry t[8];

	cr_assert_eq(e820_build(64 << 20, t, 8), 3);
	cr_assert_eq(t[0].addr, 0);
	cr_assert_eq(t[0].size, EBDA_START);
	cr_assert_eq(t[0].type, E820_TYPE_RAM);
	cr_assert_eq(t[1].addr, EBDA_START);
	cr_assert_eq(t[1].addr + t[1].size, 0x100000);
	cr_assert_eq(t[1].type, E820_TYPE_RESERVED);
	cr_assert_eq(t[2].addr, 0x100000);
	cr_assert_eq(t[2].addr + t[2].size, 64 << 20);
}

Test(e820, splits_around_the_hole)
{
	struct boot_e820_entry t[8];

	cr_assert_eq(e820_build(8 * SZ_1G, t, 8), 4);
	cr_assert_eq(t[2].addr + t[2].size, MEM_HOLE_START);
	cr_assert_eq(t[3].addr, SZ_4G);
	cr_assert_eq(t[3].size, 8 * SZ_1G - MEM_HOLE_START);
	cr_assert_eq(e820_build(MEM_HOLE_START, t, 8), 3, "exactly up to the hole");
}

Test(e820, refuses_bad_sizes)
{
	struct boot_e820_entry t[8];

	cr_assert_eq(e820_build(16 << 20, t, 8), -EINVAL, "too small");
	cr_assert_eq(e820_build((64 << 20) + 4096, t, 8), -EINVAL, "not 2M aligned");
	cr_assert_eq(e820_build(8 * SZ_1G, t, 3), -ENOSPC, "table too small");
}

#define FAKE_BASE 0x100000000000ULL

static uintptr_t at(void *p)
{
	return (uintptr_t)p;
}

Test(guest_mem, translation_and_bounds)
{
	struct guest_mem m;
	uint64_t gpa;

	/* Only the arithmetic is exercised: a 5 GiB mapping at a fake address. */
	guest_mem_init(&m, (uint8_t *)(uintptr_t)FAKE_BASE, 5 * SZ_1G);
	cr_assert_eq(m.low_size, MEM_HOLE_START);
	cr_assert_eq(at(guest_mem_ptr(&m, 0, 16)), FAKE_BASE);
	cr_assert_eq(at(guest_mem_ptr(&m, MEM_HOLE_START - 8, 8)), FAKE_BASE + MEM_HOLE_START - 8);
	cr_assert_null(guest_mem_ptr(&m, MEM_HOLE_START - 8, 9), "crosses into the hole");
	cr_assert_null(guest_mem_ptr(&m, MEM_HOLE_START, 1), "in the hole");
	cr_assert_null(guest_mem_ptr(&m, 0xfee00000, 4), "LAPIC");
	cr_assert_eq(at(guest_mem_ptr(&m, SZ_4G, 1)), FAKE_BASE + MEM_HOLE_START);
	cr_assert_null(guest_mem_ptr(&m, SZ_4G + 2 * SZ_1G - 1, 2), "past the end");
	cr_assert_null(guest_mem_ptr(&m, UINT64_MAX, 2), "wraps");
	cr_assert_null(guest_mem_ptr(&m, 0, 0), "empty");
	cr_assert_eq(guest_mem_gpa(&m, (void *)(uintptr_t)(FAKE_BASE + MEM_HOLE_START + 5), &gpa), 0);
	cr_assert_eq(gpa, SZ_4G + 5);
	cr_assert_eq(guest_mem_gpa(&m, (void *)(uintptr_t)(FAKE_BASE + 7), &gpa), 0);
	cr_assert_eq(gpa, 7);
	cr_assert_eq(guest_mem_gpa(&m, (void *)(uintptr_t)(FAKE_BASE - 1), &gpa), -1);
	cr_assert_eq(guest_mem_gpa(&m, (void *)(uintptr_t)(FAKE_BASE + 5 * SZ_1G), &gpa), -1);
}

Test(boot_tables, identity_map_and_gdt)
{
	size_t len = 0x8000;
	uint8_t *low = calloc(1, len);
	struct guest_mem m = { .host = low, .size = len, .low_size = len };
	uint64_t *pml4 = (uint64_t *)(low + BOOT_PML4_ADDR);
	uint64_t *pd = (uint64_t *)(low + BOOT_PD_ADDR);

	cr_assert_eq(boot_write_tables(&m), 0);
	cr_assert_eq(pml4[0] & ~0xfffULL, BOOT_PDPT_ADDR);
	cr_assert_eq(pd[1] & ~0xfffULL, SZ_2M);
	cr_assert_eq(pd[4 * 512 - 1] & ~0xfffULL, SZ_4G - SZ_2M);
	cr_assert(pd[0] & 0x80, "2 MiB pages");
	cr_assert_eq(((uint64_t *)(low + BOOT_GDT_ADDR))[GDT_CODE64_SEL / 8],
		     0x00af9b000000ffffULL);
	m.size = m.low_size = 0x4000;
	cr_assert_eq(boot_write_tables(&m), -ENOSPC, "page directories do not fit");
	free(low);
}
