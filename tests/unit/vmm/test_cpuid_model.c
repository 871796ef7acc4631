// SPDX-License-Identifier: GPL-2.0
/* The saved CPU model against a new host's KVM: feature bits, values, names. */
#include <criterion/criterion.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "cpuid_model.h"
#include "cpuid_table.h"

/* A few leaves as KVM_GET_SUPPORTED_CPUID gave them in the testbed (TCG, -cpu max). */
static const struct kvm_cpuid_entry2 testbed[] = {
	{ .function = 0, .eax = 0xd, .ebx = 0x68747541, .ecx = 0x444d4163, .edx = 0x69746e65 },
	{ .function = 1, .eax = 0x00060fb1, .ebx = 0x00020800, .ecx = 0xf6f83203,
	  .edx = 0x0f8bfbfd },
	{ .function = 7, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 0x019803ab,
	  .ecx = 0x0001020c, .edx = 0x20000000 },
	{ .function = 7, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX },
	{ .function = 0xb, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 1,
	  .ebx = 1, .ecx = 0x100 },
	{ .function = 0xd, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 0x207,
	  .ebx = 0xa88, .ecx = 0xa88 },
	{ .function = 0x40000001, .eax = 0x01007afb },
	{ .function = 0x80000001, .eax = 0x00060fb1, .ecx = 0x00000077, .edx = 0xedd3fbfd },
	{ .function = 0x80000006, .ecx = 0x02008140 },
	{ .function = 0x80000008, .eax = 0x3028, .ebx = 0x0100d000 },
};

static struct kvm_cpuid2 *table(void)
{
	return cpuid_table(testbed, sizeof(testbed) / sizeof(testbed[0]));
}

Test(cpuid_model, same_table_accepted)
{
	struct kvm_cpuid2 *g = table(), *h = table();
	struct cpuid_missing m;

	cr_assert_eq(cpuid_find_missing(g, h, &m), 0);
	free(g);
	free(h);
}

Test(cpuid_model, missing_feature_refused_and_named)
{
	struct kvm_cpuid2 *g = table(), *h = table();
	struct cpuid_missing m;
	char msg[160];

	cpuid_leaf(h, 7, 0)->ebx &= ~(1U << 5);
	cr_assert_eq(cpuid_find_missing(g, h, &m), 1);
	cr_assert_eq(m.function, 7);
	cr_assert_eq(m.index, 0);
	cr_assert_eq(m.reg, CPUID_EBX);
	cr_assert_eq(m.bit, 5);
	cpuid_missing_format(&m, msg, sizeof(msg));
	cr_assert_str_eq(msg, "cpuid 0x7.0 ebx bit 5 (avx2): the guest has it, this host's KVM does not");
	free(g);
	free(h);
}

Test(cpuid_model, guest_tampered_bit_refused)
{
	struct kvm_cpuid2 *g = table(), *h = table();
	struct cpuid_missing m;
	char msg[160];

	cpuid_leaf(g, 7, 0)->ebx |= 1U << 16;
	cr_assert_eq(cpuid_find_missing(g, h, &m), 1);
	cpuid_missing_format(&m, msg, sizeof(msg));
	cr_assert_str_eq(msg,
			 "cpuid 0x7.0 ebx bit 16 (avx512f): the guest has it, this host's KVM does not");
	free(g);
	free(h);
}

Test(cpuid_model, values_differing_accepted)
{
	struct kvm_cpuid2 *g = table(), *h = table();
	struct cpuid_missing m;

	cpuid_leaf(g, 0, 0)->eax = 0x10;			/* max basic leaf */
	cpuid_leaf(g, 1, 0)->eax = 0x00a20f12;		/* family, model, stepping */
	cpuid_leaf(g, 1, 0)->ebx = 0x03040800;		/* APIC id 3, 4 logical CPUs */
	cpuid_leaf(g, 0xb, 0)->edx = 3;			/* x2APIC id */
	cpuid_leaf(g, 0xb, 0)->ebx = 4;			/* logical processors at this level */
	cpuid_leaf(g, 0xd, 0)->ebx = 0x988;			/* XSAVE area size */
	cpuid_leaf(g, 0x80000006, 0)->ecx = 0x04008140;	/* L2 size */
	cpuid_leaf(g, 0x80000008, 0)->eax = 0x3030;		/* address sizes */
	cr_assert_eq(cpuid_find_missing(g, h, &m), 0);
	free(g);
	free(h);
}

Test(cpuid_model, host_with_more_accepted)
{
	struct kvm_cpuid2 *g = table(), *h = table();
	struct cpuid_missing m;

	cpuid_leaf(h, 7, 0)->ebx |= 1U << 16;
	cpuid_leaf(h, 1, 0)->ecx |= 1U << 5;
	cpuid_leaf(g, 0x80000001, 0)->ecx &= ~(1U << 2);
	cr_assert_eq(cpuid_find_missing(g, h, &m), 0);
	free(g);
	free(h);
}

Test(cpuid_model, mirrors_and_own_bits_not_compared)
{
	struct kvm_cpuid2 *g = table(), *h = table();
	struct cpuid_missing m;

	/* OSXSAVE, the TSC-deadline timer, the hypervisor bit, OSPKE */
	cpuid_leaf(g, 1, 0)->ecx |= (1U << 27) | (1U << 24) | (1U << 31);
	cpuid_leaf(h, 1, 0)->ecx &= ~((1U << 27) | (1U << 24) | (1U << 31));
	cpuid_leaf(g, 7, 0)->ecx |= 1U << 4;
	cr_assert_eq(cpuid_find_missing(g, h, &m), 0);
	free(g);
	free(h);
}

Test(cpuid_model, leaf_missing_on_host_refused)
{
	struct kvm_cpuid2 *g = table(), *h = table();
	struct cpuid_missing m;

	/* the host table has no 0x80000008 at all */
	cpuid_leaf(h, 0x80000008, 0)->function = 0x80000005;
	cr_assert_eq(cpuid_find_missing(g, h, &m), 1);
	cr_assert_eq(m.function, 0x80000008);
	cr_assert_eq(m.reg, CPUID_EBX);
	cr_assert_eq(m.bit, 12);
	free(g);
	free(h);
}

Test(cpuid_model, subleaf_matched_where_significant)
{
	struct kvm_cpuid2 *g = table(), *h = table();
	struct cpuid_missing m;

	/* a feature in 7.1 the host's 7.1 lacks, while its 7.0 is richer */
	cpuid_leaf(g, 7, 1)->eax = 1U << 4;
	cpuid_leaf(h, 7, 0)->eax = ~0U;
	cr_assert_eq(cpuid_find_missing(g, h, &m), 1);
	cr_assert_eq(m.function, 7);
	cr_assert_eq(m.index, 1);
	cr_assert_eq(m.reg, CPUID_EAX);
	cr_assert_eq(m.bit, 4);
	free(g);
	free(h);
}

Test(cpuid_model, kvm_pv_features_compared)
{
	struct kvm_cpuid2 *g = table(), *h = table();
	struct cpuid_missing m;
	char msg[160];

	cpuid_leaf(h, 0x40000001, 0)->eax &= ~(1U << 3);
	cr_assert_eq(cpuid_find_missing(g, h, &m), 1);
	cpuid_missing_format(&m, msg, sizeof(msg));
	cr_assert_str_eq(msg, "cpuid 0x40000001.0 eax bit 3: the guest has it, this host's KVM does not");
	free(g);
	free(h);
}

Test(cpuid_model, feature_mask)
{
	cr_assert_eq(cpuid_feature_mask(1, 0, CPUID_EAX), 0);
	cr_assert_eq(cpuid_feature_mask(1, 0, CPUID_EBX), 0);
	cr_assert_eq(cpuid_feature_mask(1, 0, CPUID_EDX), ~0U);
	cr_assert_eq(cpuid_feature_mask(0xb, 0, CPUID_EDX), 0);
	cr_assert_eq(cpuid_feature_mask(4, 1, CPUID_EBX), 0);
	cr_assert_eq(cpuid_feature_mask(0xd, 2, CPUID_EAX), 0);
	cr_assert_eq(cpuid_feature_mask(0x80000008, 0, CPUID_EAX), 0);
	cr_assert_eq(cpuid_feature_mask(0x80000001, 0, CPUID_ECX), ~0U);
	cr_assert_str_eq(cpuid_bit_name(0x80000001, 0, CPUID_ECX, 2), "svm");
	cr_assert_str_eq(cpuid_bit_name(1, 0, CPUID_ECX, 5), "vmx");
	cr_assert_null(cpuid_bit_name(0x80000021, 0, CPUID_EAX, 0));
}

Test(cpuid_model, hide_nested)
{
	struct kvm_cpuid2 *c = table();

	cpuid_leaf(c, 1, 0)->ecx |= 1U << 5;
	cpuid_leaf(c, 0x80000001, 0)->ecx |= 1U << 2;
	cpuid_hide_nested(c);
	cr_assert_eq(cpuid_leaf(c, 1, 0)->ecx & (1U << 5), 0);
	cr_assert_eq(cpuid_leaf(c, 0x80000001, 0)->ecx & (1U << 2), 0);
	cr_assert_eq(cpuid_leaf(c, 0x80000001, 0)->ecx, 0x00000073);
	cr_assert_eq(cpuid_leaf(c, 1, 0)->ecx, 0xf6f83203);
	free(c);
}
