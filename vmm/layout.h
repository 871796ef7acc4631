/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest physical memory layout and guest-address translation.
 *
 * Guest RAM is one host mapping of a dax device. Its first MEM_HOLE_START
 * bytes appear at guest physical 0; the rest appears at 4 GiB, leaving a
 * hole below 4 GiB for the IOAPIC and local APIC.
 */
#ifndef TINYVMM_LAYOUT_H
#define TINYVMM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define SZ_1K 0x400ULL
#define SZ_1M 0x100000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
#define SZ_4G 0x100000000ULL

#define MEM_HOLE_START 0xc0000000ULL /* 3 GiB: MMIO hole up to 4 GiB */
#define MEM_HIGH_START SZ_4G
#define MEM_MIN_SIZE (32 * SZ_1M)
#define MAX_VCPUS 64

/* Fixed low-memory layout used at boot. */
#define BOOT_GDT_ADDR 0x500
#define BOOT_PML4_ADDR 0x1000
#define BOOT_PDPT_ADDR 0x2000
#define BOOT_PD_ADDR 0x3000 /* four page directories: 0x3000..0x6fff */
#define BOOT_PARAMS_ADDR 0x7000
#define BOOT_CMDLINE_ADDR 0x20000
#define BOOT_CMDLINE_MAX 0x10000
#define EBDA_START 0x9fc00
#define BIOS_END 0x100000 /* EBDA..BIOS_END is e820-reserved; MP table at 0xf0000 */
#define KERNEL_LOAD_ADDR 0x100000

#define IOAPIC_ADDR 0xfec00000U
#define LAPIC_ADDR 0xfee00000U

/* KVM needs three pages for the TSS and one for the identity map, in the hole. */
#define KVM_IDENTITY_MAP_ADDR 0xfeffc000ULL
#define KVM_TSS_ADDR 0xfeffd000ULL

/**
 * struct guest_mem - guest RAM as seen from the host.
 * @host: start of the host mapping (the dax device at offset 0)
 * @size: bytes of guest RAM
 * @low_size: bytes mapped below the hole (min(size, MEM_HOLE_START))
 */
struct guest_mem {
	uint8_t *host;
	uint64_t size;
	uint64_t low_size;
};

void guest_mem_init(struct guest_mem *mem, uint8_t *host, uint64_t size);
/* Host pointer for [gpa, gpa+len), or NULL if any byte is outside RAM. */
void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* Guest physical address of a host address inside the mapping; -1 if outside. */
int guest_mem_gpa(const struct guest_mem *mem, const void *hva, uint64_t *gpa);

#endif
