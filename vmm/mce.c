// SPDX-License-Identifier: GPL-2.0
/*
 * Memory failure: the host kernel sends SIGBUS (BUS_MCEERR_AR to the thread
 * that touched a poisoned page, BUS_MCEERR_AO to the process for an early
 * kill). The handler only records the event; the vCPU thread translates the
 * host address to a guest physical address and injects a machine check
 * with KVM_X86_SET_MCE, so only the guest process that owns the page dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mce.h"
#include "vmm.h"

#define MCG_CTL_P (1ULL << 8)
#define MCG_SER_P (1ULL << 24)
#define MCI_MISC_PHYS (2ULL << 6) /* address mode: physical; low 6 bits: LSB */
#define PAGE_LSB 12
#define MAX_LSB 30

static struct vm *mce_vm;
/* Filled by the SIGBUS handler, consumed by the same thread or vCPU 0. */
static __thread volatile sig_atomic_t tls_pending;
static __thread void *volatile tls_addr;
static __thread volatile short tls_lsb;
static __thread volatile sig_atomic_t tls_unplaced;
static __thread volatile int tls_code;
static __thread struct vcpu *tls_vcpu;
static void *volatile ao_addr;
static volatile short ao_lsb;
static volatile sig_atomic_t ao_pending;

static void mce_write(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));

	(void)r;
}

static void mce_sigbus(int sig, siginfo_t *si, void *uctx)
{
	if (si->si_code == BUS_MCEERR_AR && tls_vcpu) {
		tls_addr = si->si_addr;
		tls_lsb = si->si_addr_lsb;
		tls_code = si->si_code;
		tls_pending = 1;
		tls_vcpu->run->immediate_exit = 1;
		return;
	}
	if (si->si_code == SI_KERNEL && tls_vcpu) {
		/* A machine check the host could not place (memory_failure()
		 * fails on pages without struct page): pdax's notifier lists
		 * the page shortly; see mce_handle_pending(). */
		tls_unplaced = 1;
		tls_vcpu->run->immediate_exit = 1;
		return;
	}
	if (si->si_code == BUS_MCEERR_AO) {
		ao_addr = si->si_addr;
		ao_lsb = si->si_addr_lsb;
		ao_pending = 1;
		if (mce_vm && mce_vm->vcpus[0].started)
			pthread_kill(mce_vm->vcpus[0].thread, SIGUSR1);
		return;
	}
	mce_write("tinyvmm: SIGBUS outside guest RAM or not a memory error: exiting\n");
	_exit(3);
}

/*
 * The device's poison list, /sys/dev/char/MAJ:MIN/poison (pdax only), opened
 * once here: the vCPU threads that read it on a memory fault run under a
 * filter without openat, and a sysfs read at offset 0 always shows the list
 * as it is now.
 */
static int mce_open_poison_list(const struct vm *vm)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/poison", major(vm->dev_rdev),
		 minor(vm->dev_rdev));
	return open(path, O_RDONLY | O_CLOEXEC);
}

int mce_init(struct vm *vm)
{
	static struct mce_ctx ctx;
	struct sigaction sa = { .sa_sigaction = mce_sigbus, .sa_flags = SA_SIGINFO };
	uint64_t sup = 0;
	int banks;
	char vendor[13] = { 0 };
	unsigned a, b, c, d;

	vm->mce = &ctx;
	mce_vm = vm;
	ctx.poison_fd = mce_open_poison_list(vm);
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	ctx.amd = !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
	/* KVM_CAP_MCE answers the bank count; the ioctl the MCG_CAP flags. */
	banks = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MCE);
	if (banks >= MCE_NR_BANKS && ioctl(vm->kvm_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &sup) == 0) {
		ctx.enabled = true;
		ctx.mcg_cap = MCE_NR_BANKS | (sup & (MCG_CTL_P | MCG_SER_P));
	} else {
		pr_info("KVM offers no MCE banks: poisoned guest RAM will end the VM");
	}
	/* Ask for early (action optional) SIGBUS so the guest hears of a bad
	 * page before it touches it. */
	prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0) {
		pr_err("sigaction SIGBUS: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int mce_setup_vcpu(struct vcpu *v)
{
	struct mce_ctx *m = v->vm->mce;

	if (!m->enabled)
		return 0;
	if (ioctl(v->fd, KVM_X86_SETUP_MCE, &m->mcg_cap) < 0) {
		pr_err("KVM_X86_SETUP_MCE vcpu %d: %s", v->id, strerror(errno));
		return -errno;
	}
	return 0;
}

void mce_thread_init(struct vcpu *v)
{
	tls_vcpu = v;
}

/* Returns false if @gpa was already recorded. */
static bool mce_record(struct mce_ctx *m, uint64_t gpa)
{
	for (int i = 0; i < m->nr_bad; i++)
		if (m->bad_gpa[i] == gpa)
			return false;
	if (m->nr_bad < MCE_MAX_BAD_PAGES)
		m->bad_gpa[m->nr_bad++] = gpa;
	return true;
}

/*
 * @lsb: log2 of the granule the host reported (si_addr_lsb): 12 for a page;
 * device-dax reports the whole 2 MiB / 1 GiB folio it mapped. The MCE
 * carries the same granule in MCi_MISC, as hardware does.
 */
static void mce_inject(struct vcpu *v, void *hva, bool ar, int lsb)
{
	struct vm *vm = v->vm;
	struct mce_ctx *m = vm->mce;
	struct kvm_x86_mce mce = { .bank = MCE_BANK };
	uint64_t gpa, status, mcg_status;
	bool first;

	if (guest_mem_gpa(&vm->mem, hva, &gpa)) {
		pr_err("memory error at host address %p outside guest RAM", hva);
		vm_request_exit(vm, 3, "unrecoverable host memory error");
		return;
	}
	if (lsb < PAGE_LSB || lsb > MAX_LSB)
		lsb = PAGE_LSB;
	gpa &= ~((1ULL << lsb) - 1);
	mce.misc = MCI_MISC_PHYS | (uint64_t)lsb;
	if (!ar && m->amd) {
		/* AMD reports no action-optional machine checks: the guest
		 * hears of the page when it consumes it (action required). */
		pr_info("memory error (action optional) at guest physical 0x%" PRIx64
			" (%llu KiB): not passed to an AMD guest",
			gpa, (1ULL << lsb) >> 10);
		return;
	}
	pthread_mutex_lock(&vm->dev_lock);
	first = mce_record(m, gpa);
	pthread_mutex_unlock(&vm->dev_lock);
	pr_info("memory error (%s) at guest physical 0x%" PRIx64 " (%llu KiB)%s: injecting MCE "
		"into vcpu %d",
		ar ? "action required" : "action optional", gpa, (1ULL << lsb) >> 10,
		first ? "" : " again", v->id);
	if (!m->enabled) {
		vm_request_exit(vm, 3, "guest RAM poisoned and KVM has no MCE support");
		return;
	}
	mce.addr = gpa;
	mce_status_for(m->amd, ar, &status, &mcg_status);
	mce.status = status;
	mce.mcg_status = mcg_status;
	if (ioctl(v->fd, KVM_X86_SET_MCE, &mce) < 0) {
		pr_err("KVM_X86_SET_MCE vcpu %d: %s", v->id, strerror(errno));
		vm_request_exit(vm, 3, "cannot inject a machine check");
	}
}

/* Guest physical page of device offset @off. */
static uint64_t mce_off_to_gpa(const struct vm *vm, uint64_t off)
{
	off &= ~0xfffULL;
	return off < vm->mem.low_size ? off : MEM_HIGH_START + (off - vm->mem.low_size);
}

static bool mce_known(struct vm *vm, uint64_t gpa)
{
	bool known = false;

	pthread_mutex_lock(&vm->dev_lock);
	for (int i = 0; i < vm->mce->nr_bad; i++)
		known |= vm->mce->bad_gpa[i] == gpa;
	pthread_mutex_unlock(&vm->dev_lock);
	return known;
}

/*
 * The device's poison list (mce_open_poison_list), one "PHYS OFFSET" line
 * per poisoned page, at most a page of text (a sysfs attribute). Calls @fn
 * for each page inside guest RAM; stops when it returns true. Returns that,
 * false at the end of the list.
 */
static bool mce_for_each_poisoned(struct vm *vm, bool (*fn)(struct vm *, uint64_t, void *),
				  void *arg)
{
	char buf[4096 + 1], *line, *save;
	bool stop = false;
	size_t len = 0;
	ssize_t r;

	if (vm->mce->poison_fd < 0)
		return false;
	while (len < sizeof(buf) - 1) {
		r = pread(vm->mce->poison_fd, buf + len, sizeof(buf) - 1 - len, (off_t)len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = 0;
	for (line = strtok_r(buf, "\n", &save); line && !stop; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long phys, off;

		if (sscanf(line, "%llx %llx", &phys, &off) != 2 || off >= vm->mem.size)
			continue;
		stop = fn(vm, mce_off_to_gpa(vm, off), arg);
	}
	return stop;
}

static bool mce_is_gpa(struct vm *vm, uint64_t gpa, void *arg)
{
	return gpa == *(uint64_t *)arg;
}

int mce_memory_fault_at(struct vcpu *v, uint64_t gpa)
{
	struct vm *vm = v->vm;
	uint8_t *hva;

	gpa &= ~0xfffULL;
	hva = guest_mem_ptr(&vm->mem, gpa, 0x1000);
	if (!hva)
		return 0;
	if (!mce_known(vm, gpa) && !mce_for_each_poisoned(vm, mce_is_gpa, &gpa))
		return 0;
	mce_inject(v, hva, true, PAGE_LSB);
	return 1;
}

struct mce_scan {
	struct vcpu *v;
	int injected;
};

static bool mce_inject_new(struct vm *vm, uint64_t gpa, void *arg)
{
	struct mce_scan *scan = arg;

	if (!mce_known(vm, gpa)) {
		mce_inject(scan->v, guest_mem_ptr(&vm->mem, gpa, 0x1000), true, PAGE_LSB);
		scan->injected++;
	}
	return false;
}

int mce_memory_fault(struct vcpu *v)
{
	struct mce_scan scan = { .v = v };

	mce_for_each_poisoned(v->vm, mce_inject_new, &scan);
	return scan.injected;
}

void mce_handle_pending(struct vcpu *v)
{
	if (tls_unplaced) {
		tls_unplaced = 0;
		pr_info("vcpu %d: host machine check without an address: injecting what the "
			"device's poison list holds",
			v->id);
		if (mce_memory_fault(v))
			v->vm->mce->unplaced = 0;
		else if (++v->vm->mce->unplaced > MCE_MAX_UNPLACED)
			vm_request_exit(v->vm, 3,
					"repeated host machine checks outside the "
					"device's poison list");
	}
	if (tls_pending) {
		tls_pending = 0;
		mce_inject(v, tls_addr, tls_code == BUS_MCEERR_AR, tls_lsb);
	}
	if (v->id == 0 && ao_pending) {
		ao_pending = 0;
		mce_inject(v, ao_addr, false, ao_lsb);
	}
}
