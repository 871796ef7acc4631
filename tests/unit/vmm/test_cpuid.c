// SPDX-License-Identifier: GPL-2.0
/* The XSAVE edits of the guest CPUID: probe value and the no-XSAVE table. */
#include <criterion/criterion.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "cpuid_table.h"
#include "cpuid_xsave.h"

/* Leaves as KVM_GET_SUPPORTED_CPUID gave them in the testbed (TCG, -cpu max). */
static struct kvm_cpuid2 *testbed_cpuid(void)
{
	static const struct kvm_cpuid_entry2 e[] = {
		{ .function = 1, .eax = 0x00060fb1, .ebx = 0x00020800, .ecx = 0x76f83203,
		  .edx = 0x0f8bfbfd },
		{ .function = 7, .index = 0, .flags = 1, .ebx = 0x019803ab, .ecx = 0x0001020c,
		  .edx = 0x20000000 },
		{ .function = 0xd, .index = 0, .flags = 1, .eax = 0x207, .ebx = 0xa88, .ecx = 0xa88 },
		{ .function = 0xd, .index = 1, .flags = 1, .eax = 0x5 },
		{ .function = 0xd, .index = 2, .flags = 1, .eax = 0x100, .ebx = 0x240 },
		{ .function = 0xd, .index = 9, .flags = 1, .eax = 0x8, .ebx = 0xa80 },
		{ .function = 0x80000001, .eax = 0x00060fb1, .ecx = 0x00000077, .edx = 0xedd3fbfd },
	};

	return cpuid_table(e, sizeof(e) / sizeof(e[0]));
}

Test(cpuid, probe_value_takes_avx_and_pkru)
{
	struct kvm_cpuid2 *c = testbed_cpuid();

	cr_assert_eq(cpuid_xcr0_probe_value(c), 0x207);
	cpuid_leaf(c, 0xd, 0)->eax = 0x3;
	cr_assert_eq(cpuid_xcr0_probe_value(c), 0, "nothing beyond FXSAVE state to probe");
	cpuid_leaf(c, 0xd, 0)->eax = 0x207;
	cpuid_leaf(c, 1, 0)->ecx &= ~(1U << 26);
	cr_assert_eq(cpuid_xcr0_probe_value(c), 0, "no XSAVE, no probe");
	free(c);
}

Test(cpuid, hide_xsave_leaves_a_consistent_legacy_table)
{
	struct kvm_cpuid2 *c = testbed_cpuid();

	cpuid_hide_xsave(c);
	cr_assert_eq(cpuid_leaf(c, 1, 0)->ecx & ((1U << 26) | (1U << 27) | (1U << 28)), 0,
		     "XSAVE, OSXSAVE and AVX are gone");
	cr_assert_eq(cpuid_leaf(c, 1, 0)->ecx & (1U << 0), 1, "SSE3 stays");
	cr_assert_eq(cpuid_leaf(c, 7, 0)->ebx & (1U << 5), 0, "AVX2 is gone");
	cr_assert_eq(cpuid_leaf(c, 7, 0)->ebx & (1U << 0), 1, "FSGSBASE stays");
	cr_assert_eq(cpuid_leaf(c, 7, 0)->ecx & ((1U << 3) | (1U << 9)), 0, "PKU and VAES are gone");
	cr_assert_eq(cpuid_leaf(c, 0xd, 0)->eax, 0x3);
	cr_assert_eq(cpuid_leaf(c, 0xd, 0)->ebx, XSAVE_LEGACY_SIZE);
	cr_assert_eq(cpuid_leaf(c, 0xd, 0)->ecx, XSAVE_LEGACY_SIZE);
	cr_assert_eq(cpuid_leaf(c, 0xd, 2)->eax, 0, "no AVX component");
	cr_assert_eq(cpuid_leaf(c, 0xd, 9)->eax, 0, "no PKRU component");
	cr_assert_eq(cpuid_xcr0_probe_value(c), 0, "the filtered table has nothing to probe");
	free(c);
}
