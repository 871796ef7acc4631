/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's kvmclock as the guest computes it: from a vCPU's pvclock page
 * (struct pvclock_vcpu_time_info, which KVM writes into guest RAM at the
 * address the guest put in MSR_KVM_SYSTEM_TIME_NEW) and that vCPU's TSC.
 * Live restart uses it so that the restored clock never runs behind what a
 * page left by the old process still gives the guest: KVM rewrites a
 * vCPU's page only when that vCPU next enters the guest, an idle vCPU may
 * not for a while, and the guest's vDSO reads vCPU 0's page on every CPU.
 * The arithmetic and the decision are pure and unit-tested.
 */
#ifndef TINYVMM_PVCLOCK_H
#define TINYVMM_PVCLOCK_H

#include <stdint.h>

#define MSR_KVM_SYSTEM_TIME 0x12
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

/* The guest ABI (Documentation/virt/kvm/x86/msr.rst), 32 bytes. */
struct pvclock_page {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __attribute__((packed));

/*
 * pvclock_read - the nanoseconds @p gives at guest TSC @tsc.
 * Returns 0, or -EAGAIN if the page is mid-update (odd version), -ERANGE if
 * @tsc is before the page's timestamp or the scaled delta overflows, and
 * -EINVAL for a shift KVM never writes. The page lives in guest memory:
 * every field is the guest's to scribble on, so nothing is trusted.
 */
int pvclock_read(const struct pvclock_page *p, uint64_t tsc, uint64_t *ns);

/*
 * struct pvclock_sample - what one vCPU's page gives right now.
 * @ok: 0 if @ns is valid (pvclock_read's result otherwise)
 */
struct pvclock_sample {
	int ok;
	uint64_t ns;
};

/* Largest step forward pvclock_continue accepts from a page; a page further
 * ahead of the saved clock than this is not KVM's and is ignored. */
#define PVCLOCK_MAX_AHEAD_NS (60ULL * 1000000000ULL)

/*
 * pvclock_continue - the kvmclock value to restore: @saved (KVM_GET_CLOCK at
 * the save) or, if any valid sample of @n is later (by at most
 * PVCLOCK_MAX_AHEAD_NS), the latest sample. *@from is the index of the
 * sample used, or -1 for @saved.
 */
uint64_t pvclock_continue(uint64_t saved, const struct pvclock_sample *s, int n, int *from);

#endif
