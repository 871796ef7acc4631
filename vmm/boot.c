// SPDX-License-Identifier: GPL-2.0
/*
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst) for bzImage,
 * entered at the 64-bit entry point: no real-mode setup code and no BIOS run.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "boot.h"
#include "e820.h"

#define SETUP_HDR_OFF 0x1f1
#define PAGE_PRESENT_RW 0x3ULL
#define PAGE_PSE 0x80ULL

static uint16_t get16(const uint8_t *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

int bzimage_parse(const uint8_t *img, size_t len, struct bzimage *bz, const char **why)
{
	size_t hdr_end, sects;

	memset(bz, 0, sizeof(*bz));
	if (len < 0x400) {
		*why = "image too small to hold a setup header";
		return -EINVAL;
	}
	if (get16(img + 0x1fe) != BZIMAGE_BOOT_FLAG || get32(img + 0x202) != BZIMAGE_HDR_MAGIC) {
		*why = "no Linux setup header (boot_flag/HdrS missing): not a bzImage";
		return -EINVAL;
	}
	/* The 2-byte jump at 0x200 skips over the header: its end bounds it. */
	hdr_end = 0x202 + img[0x201];
	if (hdr_end > 0x200 + 0x7f || hdr_end <= SETUP_HDR_OFF + offsetof(struct setup_header, version)) {
		*why = "setup header length out of range";
		return -EINVAL;
	}
	bz->hdr_len = hdr_end - SETUP_HDR_OFF;
	if (bz->hdr_len > sizeof(bz->hdr))
		bz->hdr_len = sizeof(bz->hdr);
	memcpy(&bz->hdr, img + SETUP_HDR_OFF, bz->hdr_len);

	if (bz->hdr.version < BZIMAGE_MIN_VERSION) {
		*why = "boot protocol older than 2.12 (no 64-bit entry)";
		return -ENOTSUP;
	}
	if (bz->hdr_len < offsetof(struct setup_header, init_size) + sizeof(bz->hdr.init_size)) {
		*why = "setup header shorter than its protocol version requires";
		return -EINVAL;
	}
	if (!(bz->hdr.xloadflags & XLF_KERNEL_64)) {
		*why = "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)";
		return -ENOTSUP;
	}
	if (!(bz->hdr.loadflags & LOADED_HIGH)) {
		*why = "zImage (not loaded high) is not supported";
		return -ENOTSUP;
	}
	sects = bz->hdr.setup_sects ? bz->hdr.setup_sects : 4;
	bz->setup_size = (sects + 1) * 512;
	if (bz->setup_size >= len) {
		*why = "setup_sects points past the end of the image";
		return -EINVAL;
	}
	bz->kernel_off = bz->setup_size;
	bz->kernel_size = len - bz->setup_size;
	if (bz->kernel_size <= BOOT_ENTRY64_OFFSET) {
		*why = "protected-mode part too small to contain the 64-bit entry";
		return -EINVAL;
	}
	bz->init_size = bz->hdr.init_size;
	if (bz->init_size < bz->kernel_size)
		bz->init_size = bz->kernel_size;
	return 0;
}

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int boot_plan_make(const struct bzimage *bz, uint64_t low_ram, size_t cmdline_len,
		   uint64_t initrd_size, struct boot_plan *plan, const char **why)
{
	uint64_t cmd_max = bz->hdr.cmdline_size + 1ULL, top;

	memset(plan, 0, sizeof(*plan));
	if (cmd_max > BOOT_CMDLINE_MAX)
		cmd_max = BOOT_CMDLINE_MAX;
	if (cmdline_len + 1 > cmd_max) {
		*why = "command line longer than the kernel's cmdline_size";
		return -E2BIG;
	}
	plan->cmdline_addr = BOOT_CMDLINE_ADDR;
	plan->cmdline_len = cmdline_len + 1;
	plan->boot_params_addr = BOOT_PARAMS_ADDR;
	plan->kernel_addr = KERNEL_LOAD_ADDR;
	plan->kernel_end = align_up(KERNEL_LOAD_ADDR + bz->init_size, 0x1000);
	plan->entry = KERNEL_LOAD_ADDR + BOOT_ENTRY64_OFFSET;
	if (plan->kernel_end > low_ram) {
		*why = "guest RAM too small for the kernel's init_size";
		return -ENOSPC;
	}
	if (!initrd_size)
		return 0;
	/* Highest page-aligned spot whose last byte is <= initrd_addr_max. */
	top = low_ram;
	if (bz->hdr.initrd_addr_max && top > (uint64_t)bz->hdr.initrd_addr_max + 1)
		top = (uint64_t)bz->hdr.initrd_addr_max + 1;
	if (initrd_size > top) {
		*why = "initrd larger than the memory the kernel can address for it";
		return -ENOSPC;
	}
	plan->initrd_addr = align_down(top - initrd_size, 0x1000);
	plan->initrd_size = initrd_size;
	if (plan->initrd_addr < plan->kernel_end) {
		*why = "initrd does not fit between the kernel and the end of low RAM";
		return -ENOSPC;
	}
	return 0;
}

int boot_params_build(struct boot_params *bp, const struct bzimage *bz,
		      const struct boot_plan *plan, uint64_t ram_size)
{
	int n;

	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, &bz->hdr, bz->hdr_len);
	bp->hdr.type_of_loader = BOOT_LOADER_UNDEFINED;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.vid_mode = 0xffff;
	bp->hdr.cmd_line_ptr = (uint32_t)plan->cmdline_addr;
	bp->ext_cmd_line_ptr = (uint32_t)(plan->cmdline_addr >> 32);
	bp->hdr.ramdisk_image = (uint32_t)plan->initrd_addr;
	bp->hdr.ramdisk_size = (uint32_t)plan->initrd_size;
	bp->ext_ramdisk_image = (uint32_t)(plan->initrd_addr >> 32);
	bp->ext_ramdisk_size = (uint32_t)(plan->initrd_size >> 32);
	n = e820_build(ram_size, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE);
	if (n < 0)
		return n;
	bp->e820_entries = (uint8_t)n;
	return 0;
}

int boot_write_tables(struct guest_mem *mem)
{
	/* null, null, 64-bit code, flat data, 64-bit TSS (two slots) */
	static const uint64_t gdt[] = {
		0, 0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL, 0x00008b0000000067ULL, 0,
	};
	uint64_t *pml4 = guest_mem_ptr(mem, BOOT_PML4_ADDR, 0x1000);
	uint64_t *pdpt = guest_mem_ptr(mem, BOOT_PDPT_ADDR, 0x1000);
	uint64_t *pd = guest_mem_ptr(mem, BOOT_PD_ADDR, 4 * 0x1000);
	void *g = guest_mem_ptr(mem, BOOT_GDT_ADDR, sizeof(gdt));

	if (!pml4 || !pdpt || !pd || !g)
		return -ENOSPC;
	memcpy(g, gdt, sizeof(gdt));
	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	pml4[0] = BOOT_PDPT_ADDR | PAGE_PRESENT_RW;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD_ADDR + i * 0x1000ULL) | PAGE_PRESENT_RW;
	for (uint64_t j = 0; j < 4 * 512; j++)
		pd[j] = (j * SZ_2M) | PAGE_PRESENT_RW | PAGE_PSE;
	return 0;
}

int boot_load(struct guest_mem *mem, const uint8_t *img, size_t img_len, const char *cmdline,
	      const uint8_t *initrd, size_t initrd_len, struct boot_plan *plan,
	      const char **why)
{
	struct bzimage bz;
	struct boot_params *bp;
	void *dst;
	int ret;

	ret = bzimage_parse(img, img_len, &bz, why);
	if (ret)
		return ret;
	ret = boot_plan_make(&bz, mem->low_size, strlen(cmdline), initrd_len, plan, why);
	if (ret)
		return ret;
	dst = guest_mem_ptr(mem, plan->kernel_addr, plan->kernel_end - plan->kernel_addr);
	if (!dst) {
		*why = "kernel does not fit in guest RAM";
		return -ENOSPC;
	}
	memcpy(dst, img + bz.kernel_off, bz.kernel_size);
	dst = guest_mem_ptr(mem, plan->cmdline_addr, plan->cmdline_len);
	if (!dst) {
		*why = "no room for the command line";
		return -ENOSPC;
	}
	memcpy(dst, cmdline, plan->cmdline_len);
	if (initrd_len) {
		dst = guest_mem_ptr(mem, plan->initrd_addr, initrd_len);
		if (!dst) {
			*why = "initrd does not fit in guest RAM";
			return -ENOSPC;
		}
		memcpy(dst, initrd, initrd_len);
	}
	bp = guest_mem_ptr(mem, plan->boot_params_addr, sizeof(*bp));
	if (!bp) {
		*why = "no room for boot_params";
		return -ENOSPC;
	}
	ret = boot_params_build(bp, &bz, plan, mem->size);
	if (ret) {
		*why = "cannot build the e820 map";
		return ret;
	}
	ret = boot_write_tables(mem);
	if (ret)
		*why = "no room for page tables and GDT";
	return ret;
}
