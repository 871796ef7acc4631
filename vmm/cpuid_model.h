/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPU model across a restore: which CPUID bits are features
 * (the new host's KVM must offer them) and which are values, and the edit
 * that keeps nested virtualisation away from a cold-booted guest.
 */
#ifndef TINYVMM_CPUID_MODEL_H
#define TINYVMM_CPUID_MODEL_H

#include <stddef.h>
#include <stdint.h>

struct kvm_cpuid2;

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

/* A feature bit the guest was given and a host's KVM does not offer. */
struct cpuid_missing {
	uint32_t function;
	uint32_t index;
	enum cpuid_reg reg;
	int bit;
};

/* The bits of @reg in leaf @function.@index that are feature flags; 0: a value. */
uint32_t cpuid_feature_mask(uint32_t function, uint32_t index, enum cpuid_reg reg);
/* Linux's /proc/cpuinfo name of a feature bit, or NULL if the table has none. */
const char *cpuid_bit_name(uint32_t function, uint32_t index, enum cpuid_reg reg, int bit);
/*
 * First feature bit set in @guest and clear in @host (a KVM_GET_SUPPORTED_CPUID
 * table); 1 with @m filled, 0 when the host offers every one.
 */
int cpuid_find_missing(const struct kvm_cpuid2 *guest, const struct kvm_cpuid2 *host,
		       struct cpuid_missing *m);
/* "cpuid 0x7.0 ebx bit 5 (avx2): the guest has it, this host's KVM does not" */
void cpuid_missing_format(const struct cpuid_missing *m, char *buf, size_t len);
/* Clear VMX and SVM: nested state is not saved, so a guest must not use them. */
void cpuid_hide_nested(struct kvm_cpuid2 *c);

#endif
