// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-park: keeps the testbed kernel's KVM and perf static keys from ever
 * being patched while guests run. Creating a vCPU, a guest enabling its
 * APIC and a vPMU counter each move a static key between 0 and 1, and
 * every such move rewrites kernel text (text_poke_bp) under the vCPUs of
 * every other guest; multi-threaded TCG does not survive that reliably
 * (docs/testbed.md). This program holds each key above 0 for the whole run,
 * so later guests only move the count between 1 and N, which patches
 * nothing:
 *   - one VM with an in-kernel irqchip and one vCPU that never runs: its
 *     APIC stays software-disabled (apic_sw_disabled) and is set
 *     hardware-disabled (apic_hw_disabled);
 *   - one VM without an in-kernel irqchip, with one vCPU that never runs
 *     (kvm_has_noapic_vcpu, which tinyvmm's XCR0 probe VM moves);
 *   - one task-bound perf event of its own (perf_sched_events).
 * Prints "kvm-park: ready" and sleeps until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MSR_IA32_APICBASE 0x1b
#define APIC_DEFAULT_BASE 0xfee00000ULL

static int fail(const char *what)
{
	fprintf(stderr, "kvm-park: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(void)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs = { .hdr.nmsrs = 1 };
	struct perf_event_attr attr = { 0 };
	int kvm, vm, vcpu, noapic_vm, perf;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("open /dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	/* APIC base without the enable bit: the APIC is hardware-disabled */
	msrs.entry.index = MSR_IA32_APICBASE;
	msrs.entry.data = APIC_DEFAULT_BASE;
	if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 1)
		return fail("KVM_SET_MSRS(IA32_APICBASE)");

	noapic_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (noapic_vm < 0)
		return fail("KVM_CREATE_VM (no irqchip)");
	if (ioctl(noapic_vm, KVM_CREATE_VCPU, 0) < 0)
		return fail("KVM_CREATE_VCPU (no irqchip)");

	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.disabled = 1;
	perf = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (perf < 0)
		return fail("perf_event_open");

	printf("kvm-park: ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
