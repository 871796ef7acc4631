/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machine checks: a SIGBUS for poisoned guest RAM becomes an MCE in the guest.
 */
#ifndef TINYVMM_MCE_H
#define TINYVMM_MCE_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;

#define MCE_MAX_BAD_PAGES 64
#define MCE_BANK 9 /* the bank memory errors are reported in, as QEMU does */
#define MCE_NR_BANKS 10
/* Address-less machine checks in a row that the poison list cannot place. */
#define MCE_MAX_UNPLACED 100

/**
 * struct mce_ctx - MCE configuration and the record of bad guest pages.
 * @mcg_cap: MCG_CAP given to every vCPU (KVM_X86_SETUP_MCE)
 * @bad_gpa: guest physical pages reported poisoned, kept across live restart
 * @unplaced: SIGBUS without an address (SI_KERNEL) since the last injection
 * @poison_fd: the device's poison list, opened by mce_init() because vCPU
 *	threads may not open files; -1 when the device has none (device-dax)
 */
struct mce_ctx {
	bool enabled;
	bool amd;
	uint64_t mcg_cap;
	int nr_bad;
	uint64_t bad_gpa[MCE_MAX_BAD_PAGES];
	int unplaced;
	int poison_fd;
};

/* Query MCE support, install the SIGBUS handler. */
int mce_init(struct vm *vm);
int mce_setup_vcpu(struct vcpu *v);
/* Called on each vCPU thread before its first KVM_RUN. */
void mce_thread_init(struct vcpu *v);
/* Called by a vCPU after KVM_RUN returns: inject what a SIGBUS left pending. */
void mce_handle_pending(struct vcpu *v);

/*
 * KVM_RUN failed with EFAULT and KVM_EXIT_MEMORY_FAULT named @gpa (Linux
 * 6.8+): if that page is a known bad page or on the device's poison list,
 * inject an action-required MCE for it, every time the guest consumes it, as
 * hardware raises one on every access. Returns 1 if injected, 0 if @gpa is
 * not poisoned guest RAM.
 */
int mce_memory_fault_at(struct vcpu *v, uint64_t gpa);

/*
 * KVM_RUN failed with EFAULT and no address: on a pageless device a poisoned page is not a
 * SIGBUS for KVM but a failed pfn lookup. Read the device's own poison list
 * (/sys/dev/char/MAJ:MIN/poison, "PHYS OFFSET" lines) and inject an
 * action-required MCE for each poisoned guest page not reported yet.
 * Returns how many were injected.
 */
int mce_memory_fault(struct vcpu *v);

/* MCi_STATUS and MCG_STATUS for a memory error, per vendor (pure, unit tested). */
void mce_status_for(bool amd, bool action_required, uint64_t *status, uint64_t *mcg_status);

#endif
