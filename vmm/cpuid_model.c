// SPDX-License-Identifier: GPL-2.0
/*
 * Pure CPUID logic for restoring a saved CPU model on another host (or the
 * same host under another kernel): which bits are features, their names,
 * the comparison with a KVM_GET_SUPPORTED_CPUID table, and the cold-boot
 * edit that hides nested virtualisation.
 */
#include <linux/kvm.h>
#include <stdio.h>

#include "cpuid_model.h"

#define CPUID_1_ECX_VMX (1U << 5)
#define CPUID_1_ECX_TSC_DEADLINE (1U << 24)
#define CPUID_1_ECX_OSXSAVE (1U << 27)
#define CPUID_1_ECX_HYPERVISOR (1U << 31)
#define CPUID_7_ECX_OSPKE (1U << 4)
#define CPUID_AMD_EXT 0x80000001
#define CPUID_AMD_ECX_SVM (1U << 2)

/*
 * Which registers are feature bitmaps. The rule is conservative in the
 * sense that it only compares what the SDM and APM define as "this CPU has
 * feature X" flags, where a guest that saw the bit may use the instruction
 * or MSR at any time and would fault (or silently misbehave) on a KVM that
 * does not offer it. Everything else is a value and not compared: family,
 * model and stepping (0x1 eax), APIC ids and counts (0x1 ebx, 0xb, 0x1f,
 * 0x80000008 ecx), cache and TLB descriptions (0x2, 0x4, 0x80000005/6,
 * 0x8000001d), address sizes (0x80000008 eax), XSAVE area sizes (0xd ebx,
 * ecx and the sizes of subleaves 2 and up), maximum leaf numbers, vendor
 * strings, and leaves whose bits describe power management or
 * virtualisation features the guest cannot use without VMX/SVM.
 *
 * Within the compared registers a few bits are not features of the KVM
 * but mirrors of guest state or bits tinyvmm sets itself; see below.
 */
uint32_t cpuid_feature_mask(uint32_t function, uint32_t index, enum cpuid_reg reg)
{
	switch (function) {
	case 0x1:
		if (reg == CPUID_ECX)
			/*
			 * OSXSAVE mirrors the guest's CR4.OSXSAVE; the hypervisor
			 * bit is tinyvmm's own; the TSC-deadline timer is the
			 * in-kernel LAPIC's, on every KVM that has one, whether
			 * or not KVM_GET_SUPPORTED_CPUID lists it.
			 */
			return ~(CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_HYPERVISOR |
				 CPUID_1_ECX_TSC_DEADLINE);
		return reg == CPUID_EDX ? ~0U : 0;
	case 0x7:
		if (index == 0) {
			if (reg == CPUID_ECX)
				return ~CPUID_7_ECX_OSPKE; /* mirrors CR4.PKE */
			return reg == CPUID_EBX || reg == CPUID_EDX ? ~0U : 0;
		}
		if (index == 1)
			return reg == CPUID_EAX || reg == CPUID_EDX ? ~0U : 0;
		if (index == 2)
			return reg == CPUID_EDX ? ~0U : 0;
		return 0;
	case 0xd:
		/* 0xd.0 eax/edx: the XCR0 components; 0xd.1: XSAVE variants, XSS. */
		if (index == 0)
			return reg == CPUID_EAX || reg == CPUID_EDX ? ~0U : 0;
		if (index == 1)
			return reg == CPUID_EBX ? 0 : ~0U;
		return 0;
	case 0x40000001:
		/* KVM's paravirtual features (kvmclock, PV EOI, async PF...). */
		return reg == CPUID_EAX ? ~0U : 0;
	case 0x80000001:
		return reg == CPUID_ECX || reg == CPUID_EDX ? ~0U : 0;
	case 0x80000007:
		/* edx: invariant TSC and friends; ebx (RAS) tinyvmm edits itself. */
		return reg == CPUID_EDX ? ~0U : 0;
	case 0x80000008:
		return reg == CPUID_EBX ? ~0U : 0;
	case 0x80000021:
		return reg == CPUID_EAX ? ~0U : 0;
	default:
		return 0;
	}
}

static const char *const leaf1_ecx[32] = {
	"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
	"tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm",
	NULL, "pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
	"tsc_deadline_timer", "aes", "xsave", "osxsave", "avx", "f16c", "rdrand", "hypervisor",
};

static const char *const leaf1_edx[32] = {
	"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
	"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
	"pat", "pse36", "pn", "clflush", NULL, "dts", "acpi", "mmx",
	"fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
};

static const char *const leaf7_ebx[32] = {
	"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", NULL, "smep",
	"bmi2", "erms", "invpcid", "rtm", "cqm", NULL, "mpx", "rdt_a",
	"avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", NULL, "clflushopt",
	"clwb", "intel_pt", "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl",
};

static const char *const leaf7_ecx[32] = {
	NULL, "avx512vbmi", "umip", "pku", "ospke", "waitpkg", "avx512_vbmi2", "shstk",
	"gfni", "vaes", "vpclmulqdq", "avx512_vnni", "avx512_bitalg", "tme", "avx512_vpopcntdq", NULL,
	"la57", NULL, NULL, NULL, NULL, NULL, "rdpid", NULL,
	"bus_lock_detect", "cldemote", NULL, "movdiri", "movdir64b", "enqcmd", "sgx_lc", NULL,
};

static const char *const leaf7_edx[32] = {
	NULL, NULL, "avx512_4vnniw", "avx512_4fmaps", "fsrm", NULL, NULL, NULL,
	"avx512_vp2intersect", NULL, "md_clear", NULL, NULL, NULL, "serialize", NULL,
	"tsxldtrk", NULL, "pconfig", "arch_lbr", "ibt", NULL, "amx_bf16", "avx512_fp16",
	"amx_tile", "amx_int8", "spec_ctrl", "intel_stibp", "flush_l1d", "arch_capabilities",
	NULL, "spec_ctrl_ssbd",
};

static const char *const amd_ext_ecx[32] = {
	"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a", "misalignsse",
	"3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", NULL, "lwp",
	"fma4", "tce", NULL, "nodeid_msr", NULL, "tbm", "topoext", "perfctr_core",
	"perfctr_nb", NULL, "bpext", "ptsc", "perfctr_llc", "mwaitx", NULL, NULL,
};

static const char *const amd_ext_edx[32] = {
	"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
	"cx8", "apic", NULL, "syscall", "mtrr", "pge", "mca", "cmov",
	"pat", "pse36", NULL, "mp", "nx", NULL, "mmxext", "mmx",
	"fxsr", "fxsr_opt", "pdpe1gb", "rdtscp", NULL, "lm", "3dnowext", "3dnow",
};

const char *cpuid_bit_name(uint32_t function, uint32_t index, enum cpuid_reg reg, int bit)
{
	const char *const *t = NULL;

	if (bit < 0 || bit > 31)
		return NULL;
	if (function == 1 && reg == CPUID_ECX)
		t = leaf1_ecx;
	else if (function == 1 && reg == CPUID_EDX)
		t = leaf1_edx;
	else if (function == 7 && index == 0 && reg == CPUID_EBX)
		t = leaf7_ebx;
	else if (function == 7 && index == 0 && reg == CPUID_ECX)
		t = leaf7_ecx;
	else if (function == 7 && index == 0 && reg == CPUID_EDX)
		t = leaf7_edx;
	else if (function == CPUID_AMD_EXT && reg == CPUID_ECX)
		t = amd_ext_ecx;
	else if (function == CPUID_AMD_EXT && reg == CPUID_EDX)
		t = amd_ext_edx;
	return t ? t[bit] : NULL;
}

static uint32_t entry_reg(const struct kvm_cpuid_entry2 *e, enum cpuid_reg reg)
{
	switch (reg) {
	case CPUID_EAX:
		return e->eax;
	case CPUID_EBX:
		return e->ebx;
	case CPUID_ECX:
		return e->ecx;
	default:
		return e->edx;
	}
}

/*
 * The host's entry for a guest leaf: same function, and same subleaf where
 * KVM marks the subleaf significant. NULL when the host has no such leaf:
 * then it offers none of its features.
 */
static const struct kvm_cpuid_entry2 *host_entry(const struct kvm_cpuid2 *host,
						 uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < host->nent; i++) {
		const struct kvm_cpuid_entry2 *h = &host->entries[i];

		if (h->function != function)
			continue;
		if (!(h->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || h->index == index)
			return h;
	}
	return NULL;
}

int cpuid_find_missing(const struct kvm_cpuid2 *guest, const struct kvm_cpuid2 *host,
		       struct cpuid_missing *m)
{
	for (uint32_t i = 0; i < guest->nent; i++) {
		const struct kvm_cpuid_entry2 *g = &guest->entries[i];
		const struct kvm_cpuid_entry2 *h = host_entry(host, g->function, g->index);

		for (int r = CPUID_EAX; r <= CPUID_EDX; r++) {
			uint32_t mask = cpuid_feature_mask(g->function, g->index, r);
			uint32_t lack = entry_reg(g, r) & mask & ~(h ? entry_reg(h, r) : 0);

			if (!lack)
				continue;
			m->function = g->function;
			m->index = g->index;
			m->reg = r;
			m->bit = __builtin_ctz(lack);
			return 1;
		}
	}
	return 0;
}

void cpuid_missing_format(const struct cpuid_missing *m, char *buf, size_t len)
{
	static const char *const regs[] = { "eax", "ebx", "ecx", "edx" };
	const char *name = cpuid_bit_name(m->function, m->index, m->reg, m->bit);
	char named[40] = "";

	if (name)
		snprintf(named, sizeof(named), " (%s)", name);
	snprintf(buf, len, "cpuid %#x.%u %s bit %d%s: the guest has it, this host's KVM does not",
		 m->function, m->index, regs[m->reg], m->bit, named);
}

void cpuid_hide_nested(struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ecx &= ~CPUID_1_ECX_VMX;
		else if (e->function == CPUID_AMD_EXT)
			e->ecx &= ~CPUID_AMD_ECX_SVM;
	}
}
