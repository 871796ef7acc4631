/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux x86 boot protocol: bzImage parsing, boot_params, 64-bit entry.
 * Pure functions over byte buffers so they can be unit tested.
 */
#ifndef TINYVMM_BOOT_H
#define TINYVMM_BOOT_H

#include <asm/bootparam.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define BZIMAGE_MIN_VERSION 0x020c /* 2.12: xloadflags, 64-bit entry */
#define BZIMAGE_HDR_MAGIC 0x53726448 /* "HdrS" */
#define BZIMAGE_BOOT_FLAG 0xaa55
#define BOOT_LOADER_UNDEFINED 0xff
#define BOOT_ENTRY64_OFFSET 0x200

#define GDT_CODE64_SEL 0x10
#define GDT_DATA_SEL 0x18
#define GDT_TSS_SEL 0x20

/**
 * struct bzimage - what the setup header says about an image.
 * @hdr_len: bytes of setup header present in the image (from 0x1f1)
 * @setup_size: real-mode part, skipped when entering in 64-bit mode
 * @kernel_off, @kernel_size: the protected-mode part within the image
 */
struct bzimage {
	struct setup_header hdr;
	size_t hdr_len;
	size_t setup_size;
	size_t kernel_off;
	size_t kernel_size;
	uint64_t init_size;
};

/**
 * struct boot_plan - where everything goes in guest memory.
 */
struct boot_plan {
	uint64_t kernel_addr;
	uint64_t kernel_end;
	uint64_t entry;
	uint64_t cmdline_addr;
	uint64_t cmdline_len; /* including the NUL */
	uint64_t initrd_addr;
	uint64_t initrd_size;
	uint64_t boot_params_addr;
};

/* Parse and validate a bzImage; returns 0 or -EINVAL/-ENOTSUP with *why set. */
int bzimage_parse(const uint8_t *img, size_t len, struct bzimage *bz, const char **why);

/* Decide placement for kernel, cmdline and initrd in a guest with @low_ram bytes below the hole. */
int boot_plan_make(const struct bzimage *bz, uint64_t low_ram, size_t cmdline_len,
		   uint64_t initrd_size, struct boot_plan *plan, const char **why);

/* Build the zero page for @plan with the e820 map of @ram_size bytes. */
int boot_params_build(struct boot_params *bp, const struct bzimage *bz,
		      const struct boot_plan *plan, uint64_t ram_size);

/* Write identity-mapping page tables (first 4 GiB, 2 MiB pages) and the GDT. */
int boot_write_tables(struct guest_mem *mem);

/* Everything above: copy kernel, cmdline, initrd and tables into guest memory. */
int boot_load(struct guest_mem *mem, const uint8_t *img, size_t img_len, const char *cmdline,
	      const uint8_t *initrd, size_t initrd_len, struct boot_plan *plan,
	      const char **why);

#endif
