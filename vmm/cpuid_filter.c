// SPDX-License-Identifier: GPL-2.0
/*
 * Pure CPUID edits for XSAVE: which XCR0 value the startup probe writes,
 * and the table a guest gets when its XCR0 writes never reach KVM.
 */
#include <linux/kvm.h>
#include <stdbool.h>

#include "cpuid_xsave.h"

#define CPUID_1_ECX_FMA (1U << 12)
#define CPUID_1_ECX_XSAVE (1U << 26)
#define CPUID_1_ECX_OSXSAVE (1U << 27)
#define CPUID_1_ECX_AVX (1U << 28)
#define CPUID_1_ECX_F16C (1U << 29)
/* Leaf 7.0 EBX: AVX2 and the AVX-512 family. */
#define CPUID_7_EBX_XSTATE 0xdc230020U
/* Leaf 7.0 ECX: AVX-512 VBMI/VBMI2/VNNI/BITALG/VPOPCNTDQ, VAES, VPCLMULQDQ, PKU, OSPKE. */
#define CPUID_7_ECX_XSTATE 0x00005e5aU
/* Leaf 7.0 EDX: AVX-512 4VNNIW/4FMAPS/VP2INTERSECT/FP16, AMX, CET-IBT. */
#define CPUID_7_EDX_XSTATE 0x03d0010cU
/* Leaf 7.0 ECX bit 7: CET shadow stacks (supervisor XSAVE state). */
#define CPUID_7_ECX_CET_SS (1U << 7)
/* Leaf 7.1 EAX: AVX-VNNI, AVX512-BF16, AVX-IFMA and friends. */
#define CPUID_7_1_EAX_XSTATE 0x00800030U
#define CPUID_AMD_EXT 0x80000001
#define CPUID_AMD_ECX_XOP (1U << 11)
#define CPUID_AMD_ECX_FMA4 (1U << 16)
#define XFEATURE_MASK_AVX (1ULL << 2)
#define XFEATURE_MASK_PKRU (1ULL << 9)

/*
 * x87 and SSE plus the extended features that need no partner in XCR0
 * (AVX-512 and AMX must be enabled in groups): enough to see whether a
 * guest's XSETBV reaches KVM. 0 when there is nothing beyond FXSAVE state.
 */
uint64_t cpuid_xcr0_probe_value(const struct kvm_cpuid2 *c)
{
	uint64_t xcr0 = 0;
	bool xsave = false;

	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			xsave = e->ecx & CPUID_1_ECX_XSAVE;
		else if (e->function == 0xd && e->index == 0)
			xcr0 = e->eax | ((uint64_t)e->edx << 32);
	}
	xcr0 &= XFEATURE_MASK_AVX | XFEATURE_MASK_PKRU;
	if (!xsave || !xcr0)
		return 0;
	return XFEATURE_MASK_LEGACY | xcr0;
}

/*
 * No XSAVE for the guest: without it Linux keeps the FXSAVE layout and
 * never reads leaf 0xD. Every feature whose state lives in an XSAVE
 * component goes too, or the guest would enable registers that no context
 * switch saves. Leaf 0xD is left describing the legacy area only.
 */
void cpuid_hide_xsave(struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ecx &= ~(CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_AVX |
				    CPUID_1_ECX_FMA | CPUID_1_ECX_F16C);
			break;
		case 7:
			if (e->index == 0) {
				e->ebx &= ~CPUID_7_EBX_XSTATE;
				e->ecx &= ~(CPUID_7_ECX_XSTATE | CPUID_7_ECX_CET_SS);
				e->edx &= ~CPUID_7_EDX_XSTATE;
			} else if (e->index == 1) {
				e->eax &= ~CPUID_7_1_EAX_XSTATE;
			}
			break;
		case 0xd:
			if (e->index == 0) {
				e->eax = (uint32_t)XFEATURE_MASK_LEGACY;
				e->edx = 0;
				e->ebx = e->ecx = XSAVE_LEGACY_SIZE;
			} else {
				e->eax = e->ebx = e->ecx = e->edx = 0;
			}
			break;
		case CPUID_AMD_EXT:
			e->ecx &= ~(CPUID_AMD_ECX_XOP | CPUID_AMD_ECX_FMA4);
			break;
		default:
			break;
		}
	}
}
