/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest CPUID and the XSAVE state it describes: the check that KVM sees
 * the guest's XCR0, and the filter used when it does not.
 */
#ifndef TINYVMM_CPUID_XSAVE_H
#define TINYVMM_CPUID_XSAVE_H

#include <stdbool.h>
#include <stdint.h>

struct kvm_cpuid2;
struct vm;

/* The x87 and SSE state of the legacy FXSAVE area, and its size with the header. */
#define XFEATURE_MASK_LEGACY 0x3ULL
#define XSAVE_LEGACY_SIZE 576

uint64_t cpuid_xcr0_probe_value(const struct kvm_cpuid2 *c);
void cpuid_hide_xsave(struct kvm_cpuid2 *c);
bool kvm_tracks_guest_xcr0(struct vm *vm, const struct kvm_cpuid2 *sup, uint64_t xcr0);

#endif
