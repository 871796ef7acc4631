// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvm and the VM file descriptor: memory slots, in-kernel irqchip and
 * PIT, and the two addresses KVM needs for its real-mode/TSS support.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"

int kvm_open(struct vm *vm)
{
	int api;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		pr_err("open /dev/kvm: %s", strerror(errno));
		return -errno;
	}
	api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		pr_err("KVM_GET_API_VERSION: got %d, need %d", api, KVM_API_VERSION);
		return -ENOTSUP;
	}
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run)) {
		pr_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -EINVAL;
	}
	return 0;
}

static int kvm_check_cap(struct vm *vm, int cap, const char *name)
{
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap) <= 0) {
		pr_err("KVM lacks %s", name);
		return -ENOTSUP;
	}
	return 0;
}

/*
 * The guest gets no PMU: tinyvmm has no use for one, and every guest
 * counter would be a host perf event (the guest's NMI watchdog makes one at
 * boot). CPUID hides it too (vcpu.c). Must precede KVM_CREATE_VCPU.
 */
static int kvm_disable_pmu(struct vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PMU_CAPABILITY,
				      .args = { KVM_PMU_CAP_DISABLE } };
	int r = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_PMU_CAPABILITY);

	if (r <= 0 || !(r & KVM_PMU_CAP_DISABLE))
		return 0;
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		pr_err("KVM_ENABLE_CAP KVM_CAP_PMU_CAPABILITY: %s", strerror(errno));
		return -1;
	}
	vm->pmu_disabled = true;
	return 0;
}

/*
 * With KVM_CAP_EXCEPTION_PAYLOAD, KVM_GET_VCPU_EVENTS reports an exception
 * still pending (not yet delivered) apart from one already injected, and
 * its payload (the CR2 of a #PF, the DR6 bits of a #DB) apart from the
 * registers it has not reached yet: the saved events are the vCPU's
 * exactly, and the next KVM delivers them as this one would have. Without
 * it KVM folds both into "injected" and applies the payload when the
 * events are read. Must precede KVM_CREATE_VCPU.
 */
static int kvm_enable_exception_payload(struct vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXCEPTION_PAYLOAD, .args = { 1 } };

	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXCEPTION_PAYLOAD) <= 0)
		return 0;
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		pr_err("KVM_ENABLE_CAP KVM_CAP_EXCEPTION_PAYLOAD: %s", strerror(errno));
		return -1;
	}
	vm->exception_payload = true;
	return 0;
}

int kvm_create_vm(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	__u64 ident = KVM_IDENTITY_MAP_ADDR;

	if (kvm_check_cap(vm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP") ||
	    kvm_check_cap(vm, KVM_CAP_PIT2, "KVM_CAP_PIT2") ||
	    kvm_check_cap(vm, KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY") ||
	    kvm_check_cap(vm, KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"))
		return -ENOTSUP;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		pr_err("KVM_CREATE_VM: %s", strerror(errno));
		return -errno;
	}
	if (kvm_disable_pmu(vm) || kvm_enable_exception_payload(vm))
		return -errno;
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0) {
		pr_err("KVM_SET_TSS_ADDR: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0) {
		pr_err("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		pr_err("KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		pr_err("KVM_CREATE_PIT2: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int kvm_set_slot(struct vm *vm, int slot, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		pr_err("KVM_SET_USER_MEMORY_REGION slot %d: %s", slot, strerror(errno));
		return -errno;
	}
	return 0;
}

int kvm_set_memslots(struct vm *vm)
{
	struct guest_mem *m = &vm->mem;
	int ret;

	ret = kvm_set_slot(vm, 0, 0, m->low_size, m->host);
	if (ret || m->size == m->low_size)
		return ret;
	return kvm_set_slot(vm, 1, MEM_HIGH_START, m->size - m->low_size, m->host + m->low_size);
}

int kvm_irq_line(struct vm *vm, int irq, int level)
{
	struct kvm_irq_level l = { .irq = (uint32_t)irq, .level = (uint32_t)level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0) {
		pr_err("KVM_IRQ_LINE %d: %s", irq, strerror(errno));
		return -errno;
	}
	return 0;
}
