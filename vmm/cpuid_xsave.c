// SPDX-License-Identifier: GPL-2.0
/*
 * Does a guest's XSETBV reach KVM? A scratch VM runs three instructions
 * in real mode (write XCR0, halt) and KVM_GET_XCRS tells whether KVM saw
 * the write. Under an emulated CPU that does not intercept XSETBV for KVM
 * (QEMU's TCG with nested SVM in the testbed) it does not: KVM keeps
 * XCR0 = x87, answers CPUID 0xD.0 EBX for that, and loads it back into
 * XCR0 at every VM entry, so the guest's AVX/PKRU state is neither sized
 * nor switched right (Linux warns at boot: "XSAVE consistency problem").
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpuid_xsave.h"
#include "vmm.h"

#define X86_CR4_OSXSAVE (1ULL << 18)
#define PROBE_MAX_RUNS 16

/* mov eax, imm32 (patched); mov edx, imm32 (patched); xor ecx, ecx; xsetbv; hlt */
static const uint8_t probe_code[] = {
	0x66, 0xb8, 0, 0, 0, 0, 0x66, 0xba, 0, 0, 0, 0,
	0x66, 0x31, 0xc9, 0x0f, 0x01, 0xd1, 0xf4,
};

static int probe_run(int vm_fd, int run_size, const struct kvm_cpuid2 *sup, uint64_t *xcr0)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0, .rflags = 2 };
	struct kvm_xcrs xcrs = { 0 };
	struct kvm_run *run;
	int fd, ret = -EIO;

	fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0UL);
	if (fd < 0) {
		pr_err("XCR0 probe: KVM_CREATE_VCPU: %s", strerror(errno));
		return -errno;
	}
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		pr_err("XCR0 probe: mmap kvm_run: %s", strerror(errno));
		close(fd);
		return -errno;
	}
	if (ioctl(fd, KVM_SET_CPUID2, sup) < 0 || ioctl(fd, KVM_GET_SREGS, &sregs) < 0) {
		pr_err("XCR0 probe: KVM_SET_CPUID2/KVM_GET_SREGS: %s", strerror(errno));
		goto out;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.cr4 |= X86_CR4_OSXSAVE;
	if (ioctl(fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(fd, KVM_SET_REGS, &regs) < 0) {
		pr_err("XCR0 probe: KVM_SET_SREGS/KVM_SET_REGS: %s", strerror(errno));
		goto out;
	}
	for (int i = 0; i < PROBE_MAX_RUNS; i++) {
		if (ioctl(fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			pr_err("XCR0 probe: KVM_RUN: %s", strerror(errno));
			goto out;
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_INTR) {
			pr_err("XCR0 probe: exit reason %u", run->exit_reason);
			goto out;
		}
	}
	if (run->exit_reason != KVM_EXIT_HLT) {
		pr_err("XCR0 probe: the probe did not halt");
		goto out;
	}
	if (ioctl(fd, KVM_GET_XCRS, &xcrs) < 0 || !xcrs.nr_xcrs) {
		pr_err("XCR0 probe: KVM_GET_XCRS: %s", strerror(errno));
		goto out;
	}
	*xcr0 = xcrs.xcrs[0].value;
	ret = 0;
out:
	munmap(run, run_size);
	close(fd);
	return ret;
}

/*
 * True when KVM sees what the guest writes to XCR0, or when the probe
 * cannot tell (then the guest gets KVM's CPUID unchanged, as before).
 * The scratch VM has no in-kernel irqchip, so no local APIC is created
 * and KVM's APIC static keys stay as they are; its one APIC-less vCPU
 * does flip kvm_has_noapic_vcpu (0 -> 1 -> 0) once per start, while no
 * vCPU of ours runs (docs/testbed.md: patched kernel text under TCG).
 */
bool kvm_tracks_guest_xcr0(struct vm *vm, const struct kvm_cpuid2 *sup, uint64_t want)
{
	struct kvm_userspace_memory_region slot = { .memory_size = 4096 };
	uint64_t got = 0;
	uint8_t *page;
	int vm_fd, ret;

	vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		pr_err("XCR0 probe: KVM_CREATE_VM: %s", strerror(errno));
		return true;
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		close(vm_fd);
		return true;
	}
	memcpy(page, probe_code, sizeof(probe_code));
	memcpy(page + 2, &want, 4);
	memcpy(page + 8, (uint8_t *)&want + 4, 4);
	slot.userspace_addr = (uintptr_t)page;
	ret = ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &slot);
	if (ret < 0)
		pr_err("XCR0 probe: KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	else
		ret = probe_run(vm_fd, vm->run_size, sup, &got);
	munmap(page, 4096);
	close(vm_fd);
	if (ret)
		return true;
	if (got == want)
		return true;
	pr_info("guest XCR0 writes do not reach KVM (wrote %#" PRIx64 ", KVM has %#" PRIx64
		"): the guest gets no XSAVE, only the FXSAVE state", want, got);
	return false;
}
