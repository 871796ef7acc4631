// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: creation, CPUID, the 64-bit boot state of the BSP, and the run
 * loop that turns KVM exits into device accesses. One thread per vCPU.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "boot.h"
#include "cpuid_model.h"
#include "cpuid_xsave.h"
#include "ioport.h"
#include "mce.h"
#include "seccomp.h"
#include "vmm.h"

#define MAX_LOGGED_EXITS 32
#define MAX_EFAULT_RETRIES 100
/* Consumptions of poisoned pages in a row, without one ordinary exit. */
#define MAX_MCE_REPEATS 1000
#define CPUID_PMU 0xa
#define CPUID_AMD_EXT 0x80000001
#define CPUID_AMD_PERFCTR_CORE (1U << 23)
#define CPUID_AMD_PMU 0x80000022
#define CPUID_AMD_RAS 0x80000007
#define AMD_RAS_OVERFLOW_RECOV (1U << 0)
#define AMD_RAS_SUCCOR (1U << 1)
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_MODE_NMI 0x400
#define APIC_MODE_EXTINT 0x700

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif

/* kvm_run's memory_fault member (Linux 6.8 uapi; not in older headers). */
struct vcpu_memory_fault {
	uint64_t flags;
	uint64_t gpa;
	uint64_t size;
};

static __thread struct kvm_run *tls_run;
/* Per-port count of unclaimed I/O, for the summary at exit (dev_lock). */
static uint32_t unhandled_ports[0x10000];

/* SIGUSR1 only has to make KVM_RUN return; see vm_kick_all(). */
static void vcpu_kick_handler(int sig)
{
	if (tls_run)
		tls_run->immediate_exit = 1;
}

int vcpu_signals_init(void)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0) {
		pr_err("sigaction SIGUSR1: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

struct kvm_cpuid2 *kvm_supported_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *c;

	for (int n = 64; n <= 4096; n *= 2) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			uint64_t xcr0 = cpuid_xcr0_probe_value(c);

			/* Offer XSAVE only if the guest's XCR0 is what KVM sizes
			 * leaf 0xD and switches state by (cpuid_xsave.c). */
			if (xcr0 && !kvm_tracks_guest_xcr0(vm, c, xcr0))
				cpuid_hide_xsave(c);
			return c;
		}
		free(c);
		if (errno != E2BIG) {
			pr_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
			return NULL;
		}
	}
	pr_err("KVM_GET_SUPPORTED_CPUID: too many entries");
	return NULL;
}

/* tinyvmm's edits of KVM's table for one vCPU of a cold-booted guest. */
static void vcpu_edit_cpuid(struct vcpu *v, struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			/* Initial APIC ID, logical processor count, hypervisor bit. */
			e->ebx = (e->ebx & 0x0000ffff) | ((uint32_t)v->id << 24) |
				 ((uint32_t)v->vm->ncpus << 16);
			e->ecx |= 1U << 31;
			break;
		case CPUID_AMD_RAS:
			/* Tell an AMD guest that uncorrected errors in user context
			 * are recoverable, or it panics on the first injected MCE. */
			if (v->vm->mce->enabled && v->vm->mce->amd)
				e->ebx |= AMD_RAS_OVERFLOW_RECOV | AMD_RAS_SUCCOR;
			break;
		case CPUID_PMU:
		case CPUID_AMD_PMU:
			if (v->vm->pmu_disabled)
				e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		case CPUID_AMD_EXT:
			if (v->vm->pmu_disabled)
				e->ecx &= ~CPUID_AMD_PERFCTR_CORE;
			break;
		case 0xb:
		case 0x1f:
			e->edx = (uint32_t)v->id; /* x2APIC ID */
			break;
		default:
			break;
		}
	}
	/*
	 * Nested state (KVM_GET_NESTED_STATE) is not saved: no VMX/SVM at a
	 * cold boot. A state from before CPUID was saved keeps what it had
	 * (its guest may have set EFER.SVME, which a hidden SVM would refuse).
	 */
	if (!v->vm->cfg->restore)
		cpuid_hide_nested(c);
}

/*
 * A restored guest gets exactly the table it had (a changed CPU model
 * under a running kernel is undefined); the table is kept for the next save.
 */
static int vcpu_set_cpuid(struct vcpu *v, const struct kvm_cpuid2 *sup,
			  const struct kvm_cpuid2 *saved)
{
	const struct kvm_cpuid2 *from = saved ? saved : sup;
	size_t sz = sizeof(*from) + from->nent * sizeof(from->entries[0]);
	struct kvm_cpuid2 *c = malloc(sz);

	if (!c)
		return -ENOMEM;
	memcpy(c, from, sz);
	if (!saved)
		vcpu_edit_cpuid(v, c);
	if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0) {
		pr_err("KVM_SET_CPUID2 vcpu %d: %s", v->id, strerror(errno));
		free(c);
		return -errno;
	}
	free(v->cpuid);
	v->cpuid = c;
	return 0;
}

static int vcpu_setup_lapic(struct vcpu *v)
{
	struct kvm_lapic_state l;
	uint32_t *lvt0 = (uint32_t *)&l.regs[APIC_LVT0], *lvt1 = (uint32_t *)&l.regs[APIC_LVT1];

	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0) {
		pr_err("KVM_GET_LAPIC vcpu %d: %s", v->id, strerror(errno));
		return -errno;
	}
	/* As a BIOS would: LINT0 takes the PIC's ExtINT, LINT1 is NMI. */
	*lvt0 = (*lvt0 & ~0x700U & ~0x10000U) | APIC_MODE_EXTINT;
	*lvt1 = (*lvt1 & ~0x700U & ~0x10000U) | APIC_MODE_NMI;
	if (ioctl(v->fd, KVM_SET_LAPIC, &l) < 0) {
		pr_err("KVM_SET_LAPIC vcpu %d: %s", v->id, strerror(errno));
		return -errno;
	}
	return 0;
}

int vcpu_create(struct vm *vm, int id, const struct kvm_cpuid2 *supported,
		const struct kvm_cpuid2 *saved)
{
	struct vcpu *v = &vm->vcpus[id];

	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		pr_err("KVM_CREATE_VCPU %d: %s", id, strerror(errno));
		return -errno;
	}
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		pr_err("mmap kvm_run of vcpu %d: %s", id, strerror(errno));
		v->run = NULL;
		return -errno;
	}
	if (vcpu_set_cpuid(v, supported, saved))
		return -EINVAL;
	if (mce_setup_vcpu(v))
		return -EINVAL;
	return vcpu_setup_lapic(v);
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

int vcpu_setup_boot(struct vcpu *v, uint64_t entry, uint64_t boot_params)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0) {
		pr_err("KVM_GET_SREGS: %s", strerror(errno));
		return -errno;
	}
	set_seg(&sregs.cs, GDT_CODE64_SEL, 0xb, 1);
	set_seg(&sregs.ds, GDT_DATA_SEL, 0x3, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = GDT_TSS_SEL;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 0xb;
	sregs.tr.present = 1;
	sregs.gdt.base = BOOT_GDT_ADDR;
	sregs.gdt.limit = 6 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = 0x80000011; /* PG | ET | PE */
	sregs.cr3 = BOOT_PML4_ADDR;
	sregs.cr4 = 0x20; /* PAE */
	sregs.efer = 0x500; /* LME | LMA */
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0) {
		pr_err("KVM_SET_SREGS: %s", strerror(errno));
		return -errno;
	}
	regs.rip = entry;
	regs.rsi = boot_params;
	regs.rflags = 2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0) {
		pr_err("KVM_SET_REGS: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0) {
		pr_err("KVM_SET_FPU: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Log the first MAX_LOGGED_EXITS odd exits; all of them are counted. */
#define vcpu_log_exit(vm, fmt, ...)                                  \
	do {                                                         \
		if ((vm)->stats.logged++ < MAX_LOGGED_EXITS)         \
			pr_err(fmt, ##__VA_ARGS__);                  \
	} while (0)

static void vcpu_handle_io(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_run *r = v->run;
	bool is_write = r->io.direction == KVM_EXIT_IO_OUT;

	if (io_exit_check(vm->run_size, r->io.data_offset, r->io.size, r->io.count)) {
		vcpu_log_exit(vm, "malformed I/O exit: port 0x%x size %u count %u", r->io.port,
			      r->io.size, r->io.count);
		vm->stats.unhandled_io++;
		return;
	}
	pthread_mutex_lock(&vm->dev_lock);
	if (!io_bus_dispatch(&vm->io, r->io.port, (uint8_t *)r + r->io.data_offset, r->io.size,
			     r->io.count, is_write)) {
		vm->stats.unhandled_io++;
		unhandled_ports[r->io.port]++;
		vcpu_log_exit(vm, "unhandled I/O: %s port 0x%x size %u", is_write ? "out" : "in",
			      r->io.port, r->io.size);
	}
	pthread_mutex_unlock(&vm->dev_lock);
}

static void vcpu_handle_mmio(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_run *r = v->run;

	if (!r->mmio.is_write)
		memset(r->mmio.data, 0xff, sizeof(r->mmio.data));
	pthread_mutex_lock(&vm->dev_lock);
	vm->stats.unhandled_mmio++;
	vcpu_log_exit(vm, "unhandled MMIO: %s 0x%llx len %u", r->mmio.is_write ? "write" : "read",
		      (unsigned long long)r->mmio.phys_addr, r->mmio.len);
	pthread_mutex_unlock(&vm->dev_lock);
}

static void vcpu_dump(struct vcpu *v)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 || ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return;
	pr_err("vcpu %d: rip %#llx rsp %#llx rax %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx",
	       v->id, regs.rip, regs.rsp, regs.rax, sregs.cr0, sregs.cr3, sregs.cr4, sregs.efer);
}

/* Returns false when the vCPU thread should end. */
static bool vcpu_handle_exit(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_run *r = v->run;

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_handle_io(v);
		return true;
	case KVM_EXIT_MMIO:
		vcpu_handle_mmio(v);
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		vm_request_exit(vm, 0, r->system_event.type == KVM_SYSTEM_EVENT_RESET ?
					       "guest reset" : "guest power off");
		return false;
	case KVM_EXIT_SHUTDOWN:
		vcpu_dump(v);
		vm_request_exit(vm, 2, "guest triple fault (KVM_EXIT_SHUTDOWN)");
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		pr_err("vcpu %d: KVM_EXIT_FAIL_ENTRY reason %#llx", v->id,
		       (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
		vcpu_dump(v);
		vm_request_exit(vm, 1, "vcpu entry failed");
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		pr_err("vcpu %d: KVM_EXIT_INTERNAL_ERROR suberror %u", v->id, r->internal.suberror);
		vcpu_dump(v);
		vm_request_exit(vm, 1, "KVM internal error");
		return false;
	default:
		pthread_mutex_lock(&vm->dev_lock);
		vm->stats.unknown_exit++;
		vcpu_log_exit(vm, "vcpu %d: exit reason %u not handled", v->id, r->exit_reason);
		pthread_mutex_unlock(&vm->dev_lock);
		return true;
	}
}

/*
 * KVM_RUN failed with EFAULT: KVM could not map a guest page. Linux 6.8+
 * names the page (KVM_EXIT_MEMORY_FAULT); a poisoned one becomes an MCE in
 * the guest each time it is consumed. Without the address, look for pages
 * newly on the device's poison list and give an injected MCE a few entries
 * to land. Returns false when the vCPU thread should end.
 */
static bool vcpu_handle_efault(struct vcpu *v, int *efaults, int *repeats)
{
	struct vm *vm = v->vm;
	struct kvm_run *r = v->run;

	if (r->exit_reason == KVM_EXIT_MEMORY_FAULT) {
		const struct vcpu_memory_fault *mf = (const void *)&r->hw;

		if (!mce_memory_fault_at(v, mf->gpa)) {
			pr_err("KVM_RUN vcpu %d: EFAULT at guest physical %#" PRIx64
			       " (size %#" PRIx64 ", flags %#" PRIx64 "), not a poisoned page",
			       v->id, mf->gpa, mf->size, mf->flags);
			vm_request_exit(vm, 1, "KVM_RUN failed");
			return false;
		}
		if (++*repeats > MAX_MCE_REPEATS) {
			vm_request_exit(vm, 3, "the guest keeps consuming a poisoned page");
			return false;
		}
		return true;
	}
	if (mce_memory_fault(v)) {
		*efaults = 0;
		return true;
	}
	if (++*efaults <= MAX_EFAULT_RETRIES)
		return true;
	pr_err("KVM_RUN vcpu %d: %s", v->id, strerror(EFAULT));
	if (vm->mce->nr_bad) {
		/* Most likely the guest touched a page it was already told
		 * about (from kernel mode: real hardware would panic it). */
		vm_request_exit(vm, 3,
				"the guest consumed a poisoned page again and this kernel "
				"does not say which (no KVM_EXIT_MEMORY_FAULT)");
		return false;
	}
	vm_request_exit(vm, 1, "KVM_RUN failed");
	return false;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	int efaults = 0, repeats = 0;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%d", v->id);
	pthread_setname_np(pthread_self(), name);
	tls_run = v->run;
	mce_thread_init(v);
	if (v->id == 0 && vm->hold_vcpu0_ms)
		usleep(vm->hold_vcpu0_ms * 1000U);
	if (seccomp_install_vcpu()) {
		vm_request_exit(vm, 1, "cannot confine the vCPU thread");
		return NULL;
	}
	for (;;) {
		vcpu_park_if_requested(v);
		if (__atomic_load_n(&vm->exiting, __ATOMIC_ACQUIRE))
			break;
		v->run->exit_reason = KVM_EXIT_UNKNOWN;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			int err = errno;

			if (err == EINTR || err == EAGAIN) {
				v->run->immediate_exit = 0;
				mce_handle_pending(v);
				continue;
			}
			if (err == EFAULT) {
				if (vcpu_handle_efault(v, &efaults, &repeats))
					continue;
				break;
			}
			pr_err("KVM_RUN vcpu %d: %s", v->id, strerror(err));
			vm_request_exit(vm, 1, "KVM_RUN failed");
			break;
		}
		efaults = 0;
		repeats = 0;
		mce_handle_pending(v);
		if (!vcpu_handle_exit(v))
			break;
	}
	return NULL;
}

void vcpu_report_exits(const struct vm *vm)
{
	const struct exit_stats *s = &vm->stats;

	if (!s->unhandled_io && !s->unhandled_mmio && !s->unknown_exit)
		return;
	pr_info("unhandled exits: io %" PRIu64 " mmio %" PRIu64 " other %" PRIu64,
		s->unhandled_io, s->unhandled_mmio, s->unknown_exit);
	for (int shown = 0; shown < 4; shown++) {
		uint32_t best = 0;
		int port = -1;

		for (int p = 0; p < 0x10000; p++)
			if (unhandled_ports[p] > best)
				best = unhandled_ports[port = p];
		if (port < 0)
			break;
		pr_info("  port 0x%x: %u", port, best);
		unhandled_ports[port] = 0;
	}
}

int vcpu_start(struct vcpu *v)
{
	int ret = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (ret) {
		pr_err("pthread_create vcpu %d: %s", v->id, strerror(ret));
		return -ret;
	}
	v->started = true;
	return 0;
}
