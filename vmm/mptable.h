/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TINYVMM_MPTABLE_H
#define TINYVMM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_ADDR 0xf0000 /* inside the BIOS area the guest scans */
#define MPTABLE_MAX_SIZE 0x10000

/*
 * Build an Intel MP 1.4 floating pointer and configuration table for @ncpus
 * processors (APIC IDs 0..ncpus-1), one ISA bus and one IOAPIC with ISA IRQs
 * 0-15 routed to pins 0-15 (KVM's default GSI routing). @buf is placed at
 * guest physical @gpa. Returns the size used or -ENOSPC/-EINVAL.
 */
int mptable_build(uint8_t *buf, size_t len, uint32_t gpa, int ncpus);

/* Checksum helper shared with the unit tests: the byte sum of @p. */
uint8_t mptable_sum(const uint8_t *p, size_t len);

#endif
