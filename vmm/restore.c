// SPDX-License-Identifier: GPL-2.0
/*
 * Restore of a saved VM into freshly created KVM objects. The order
 * matters; docs/live-restart.md explains each step:
 *   CPUID: the saved table, checked against this KVM, at vCPU creation
 *   VM:    PIC master, PIC slave, IOAPIC, then PIT2 (it raises IRQ 0)
 *   vCPU:  TSC rate first (the TSC MSR is written at that rate);
 *          SREGS (EFER, CR0/CR4, APIC base) before REGS, XSAVE, XCRS;
 *          LAPIC before MSRs (TSC_DEADLINE needs the LVT timer mode);
 *          MSRs with TSC first and TSC_DEADLINE last; VCPU_EVENTS, then
 *          MP_STATE (a pending SIPI/INIT is part of the events); DEBUGREGS
 *   devices: UART, i8042, bad-page list; the UART's IRQ line is re-driven
 *   clock: KVM_SET_CLOCK last, right before the vCPUs run, at the saved
 *          clock or later, if a pvclock page the guest still reads is ahead
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cpuid_model.h"
#include "mce.h"
#include "pvclock.h"
#include "snapshot.h"
#include "util.h"
#include "vmm.h"

/* KVM_MAX_CPUID_ENTRIES is 256; leave room for a later KVM. */
#define MAX_CPUID_ENTRIES 1024
/* kvm_set_tsc_khz(): a rate this close to the host's runs unscaled. */
#define KVM_TSC_TOLERANCE_PPM 250
#define MAX_MSRS 1024
#define MSR_IA32_TSC 0x10

static int find_vcpu_rec(const struct snapshot *s, uint32_t type, int id, const uint8_t **body,
			 uint32_t *len)
{
	struct state_rec_view rec;
	size_t pos = 0;
	uint32_t vid;

	while (state_next(s->data, s->len, &pos, &rec))
		if (rec.type == type && !state_vcpu_body(&rec, &vid, body, len) &&
		    vid == (uint32_t)id)
			return 0;
	return -ENOENT;
}

static int find_vm_rec(const struct snapshot *s, uint32_t type, const uint8_t **body,
		       uint32_t *len)
{
	struct state_rec_view rec;
	size_t pos = 0;

	while (state_next(s->data, s->len, &pos, &rec))
		if (rec.type == type) {
			*body = rec.payload;
			*len = rec.len;
			return 0;
		}
	return -ENOENT;
}

static int set_fixed(int fd, unsigned long req, const uint8_t *body, uint32_t len, size_t want,
		     const char *what, int id)
{
	void *copy;
	int ret = 0;

	if (len != want) {
		pr_err("state: %s record of vcpu %d has %u bytes, want %zu", what, id, len, want);
		return -EINVAL;
	}
	copy = malloc(want);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, body, want);
	if (ioctl(fd, req, copy) < 0) {
		pr_err("%s vcpu %d: %s", what, id, strerror(errno));
		ret = -errno;
	}
	free(copy);
	return ret;
}

/*
 * MSRs another KVM saved that this one may refuse without harm to the
 * guest. Anything else refused fails the restore: the guest would run on
 * with a register reset under it.
 */
static const char *msr_benign(uint32_t index)
{
	/* AMD's last-branch records: read-only, overwritten by the next branch. */
	if (index >= 0x1db && index <= 0x1de)
		return "last-branch record";
	/* Hyper-V's; tinyvmm offers no Hyper-V CPUID, so the guest never sees them. */
	if (index >= 0x40000000 && index <= 0x400001ff)
		return "Hyper-V MSR, not offered to the guest";
	/*
	 * Performance counters (AMD's legacy and core ones, the architectural
	 * PMCs, event selects, fixed counters, global controls, PEBS and the
	 * debug store area, the PMU capabilities): tinyvmm
	 * disables the guest's PMU where KVM can (kvm.c) and hides it from
	 * CPUID (vcpu.c), and a KVM with the PMU disabled refuses the counters
	 * another KVM saved; at worst a guest's counters start again from 0.
	 */
	if ((index >= 0xc0010000 && index <= 0xc0010007) ||
	    (index >= 0xc0010200 && index <= 0xc001020b) || (index >= 0xc1 && index <= 0xc8) ||
	    (index >= 0x186 && index <= 0x18d) || (index >= 0x309 && index <= 0x30b) ||
	    (index >= 0x38d && index <= 0x390) || (index >= 0x3f1 && index <= 0x3f6) ||
	    index == 0x600 || index == 0x345)
		return "performance counter, the guest has no PMU";
	return NULL;
}

static int restore_msrs(struct vcpu *v, const uint8_t *body, uint32_t len)
{
	struct kvm_msrs hdr;
	struct kvm_msrs *m;
	uint32_t n, pos = 0;
	int ret = 0;

	if (len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, body, sizeof(hdr));
	n = hdr.nmsrs;
	if (n > MAX_MSRS || len != sizeof(hdr) + n * sizeof(struct kvm_msr_entry)) {
		pr_err("state: MSR record of vcpu %d is malformed", v->id);
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m) + n * sizeof(struct kvm_msr_entry));
	if (!m)
		return -ENOMEM;
	/* KVM_SET_MSRS stops at the first MSR it refuses: skip a benign one. */
	while (pos < n) {
		int got;

		m->nmsrs = n - pos;
		memcpy(m->entries, body + sizeof(hdr) + pos * sizeof(struct kvm_msr_entry),
		       m->nmsrs * sizeof(struct kvm_msr_entry));
		got = ioctl(v->fd, KVM_SET_MSRS, m);
		if (got < 0) {
			pr_err("KVM_SET_MSRS vcpu %d: %s", v->id, strerror(errno));
			ret = -errno;
			break;
		}
		if ((uint32_t)got < m->nmsrs) {
			const struct kvm_msr_entry *e = &m->entries[got];
			const char *why = msr_benign(e->index);

			if (!why) {
				pr_err("KVM_SET_MSRS vcpu %d: this KVM refused MSR 0x%x (value "
				       "0x%llx): the restore is refused", v->id, e->index,
				       (unsigned long long)e->data);
				ret = -EINVAL;
				break;
			}
			pr_info("vcpu %d: MSR 0x%x not restored (%s)", v->id, e->index, why);
		}
		pos += (uint32_t)got + 1;
	}
	free(m);
	return ret;
}

/*
 * Keep the guest's TSC rate. KVM_SET_TSC_KHZ scales it where the CPU can
 * (TSC ratio), and where it cannot KVM still takes a faster rate (it
 * catches the TSC up at each entry) and a rate within its own tolerance
 * (250 ppm, which the guest sees as crystal drift). A slower rate on a
 * host without scaling is refused: the guest's clock would run fast.
 */
static int restore_tsc_khz(const struct snapshot *s, struct vcpu *v)
{
	uint32_t rec[2], saved;
	const uint8_t *body;
	uint32_t len;
	int now;

	if (find_vm_rec(s, STATE_REC_VM_TSC_KHZ, &body, &len))
		return 0; /* a state from before the rate was saved */
	if (len != sizeof(rec)) {
		pr_err("state: TSC rate record has %u bytes, want %zu", len, sizeof(rec));
		return -EINVAL;
	}
	memcpy(rec, body, sizeof(rec));
	saved = rec[0];
	now = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
	if (now <= 0) {
		pr_err("KVM_GET_TSC_KHZ vcpu %d: %s", v->id, now < 0 ? strerror(errno) : "no rate");
		return -EINVAL;
	}
	if (!saved) {
		pr_err("state: the TSC rate record says 0 kHz");
		return -EINVAL;
	}
	if (saved == (uint32_t)now)
		return 0;
	if (ioctl(v->fd, KVM_SET_TSC_KHZ, (unsigned long)saved) == 0) {
		if (!v->id)
			pr_info("guest TSC kept at %u kHz (this host's runs at %d kHz)", saved, now);
		return 0;
	}
	if ((uint64_t)llabs((long long)saved - now) * 1000000 <=
	    (uint64_t)now * KVM_TSC_TOLERANCE_PPM) {
		if (!v->id)
			pr_info("guest TSC %u kHz runs at this host's %d kHz (within %d ppm)", saved,
				now, KVM_TSC_TOLERANCE_PPM);
		return 0;
	}
	pr_err("%s: the guest's TSC runs at %u kHz, this host's at %d kHz, and KVM cannot "
	       "change it (KVM_SET_TSC_KHZ: %s): refused", s->path, saved, now, strerror(errno));
	return -EINVAL;
}

/*
 * A pending exception's payload travels in the events only if both KVMs
 * keep it apart (KVM_CAP_EXCEPTION_PAYLOAD). This one does not: deliver
 * the exception as injected, which is what a KVM without the capability
 * reports; with a payload not yet applied to CR2 or DR6 that would lose
 * it, so refuse.
 */
static int events_for_this_kvm(const struct vm *vm, struct kvm_vcpu_events *ev, int id)
{
	if (vm->exception_payload || !(ev->flags & KVM_VCPUEVENT_VALID_PAYLOAD))
		return 0;
	if (ev->exception.pending && ev->exception_has_payload) {
		pr_err("vcpu %d: exception %u pending with a payload, and this KVM has no "
		       "KVM_CAP_EXCEPTION_PAYLOAD: refused", id, ev->exception.nr);
		return -EINVAL;
	}
	if (ev->exception.pending) {
		ev->exception.injected = 1;
		ev->exception.pending = 0;
	}
	ev->flags &= ~KVM_VCPUEVENT_VALID_PAYLOAD;
	ev->exception_has_payload = 0;
	return 0;
}

static int restore_vcpu(struct vm *vm, struct snapshot *s, struct vcpu *v)
{
	static const struct {
		uint32_t type;
		unsigned long req;
		size_t size;
		const char *name;
	} steps[] = {
		{ STATE_REC_VCPU_SREGS, KVM_SET_SREGS, sizeof(struct kvm_sregs), "KVM_SET_SREGS" },
		{ STATE_REC_VCPU_REGS, KVM_SET_REGS, sizeof(struct kvm_regs), "KVM_SET_REGS" },
		{ STATE_REC_VCPU_XSAVE, KVM_SET_XSAVE, 0, "KVM_SET_XSAVE" },
		{ STATE_REC_VCPU_XCRS, KVM_SET_XCRS, sizeof(struct kvm_xcrs), "KVM_SET_XCRS" },
		{ STATE_REC_VCPU_LAPIC, KVM_SET_LAPIC, sizeof(struct kvm_lapic_state),
		  "KVM_SET_LAPIC" },
		{ STATE_REC_VCPU_MSRS, KVM_SET_MSRS, 0, "KVM_SET_MSRS" },
		{ STATE_REC_VCPU_EVENTS, KVM_SET_VCPU_EVENTS, sizeof(struct kvm_vcpu_events),
		  "KVM_SET_VCPU_EVENTS" },
		{ STATE_REC_VCPU_MP_STATE, KVM_SET_MP_STATE, sizeof(struct kvm_mp_state),
		  "KVM_SET_MP_STATE" },
		{ STATE_REC_VCPU_DEBUGREGS, KVM_SET_DEBUGREGS, sizeof(struct kvm_debugregs),
		  "KVM_SET_DEBUGREGS" },
	};
	const uint8_t *body;
	uint32_t len;
	int ret;

	ret = restore_tsc_khz(s, v);
	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (find_vcpu_rec(s, steps[i].type, v->id, &body, &len)) {
			pr_err("state: no %s record for vcpu %d", steps[i].name, v->id);
			return -EINVAL;
		}
		if (steps[i].type == STATE_REC_VCPU_MSRS) {
			ret = restore_msrs(v, body, len);
		} else if (steps[i].type == STATE_REC_VCPU_XSAVE) {
			if (len < sizeof(struct kvm_xsave))
				return -EINVAL;
			ret = set_fixed(v->fd, KVM_SET_XSAVE, body, len, len, steps[i].name, v->id);
		} else if (steps[i].type == STATE_REC_VCPU_EVENTS) {
			struct kvm_vcpu_events ev;

			if (len != sizeof(ev))
				return -EINVAL;
			memcpy(&ev, body, sizeof(ev));
			ev.flags |= KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR;
			ret = events_for_this_kvm(vm, &ev, v->id);
			if (ret)
				return ret;
			ret = set_fixed(v->fd, KVM_SET_VCPU_EVENTS, (uint8_t *)&ev, len, sizeof(ev),
					steps[i].name, v->id);
		} else {
			ret = set_fixed(v->fd, steps[i].req, body, len, steps[i].size,
					steps[i].name, v->id);
		}
		if (ret)
			return ret;
	}
	return 0;
}

int snapshot_cpuid(const struct snapshot *s, int id, const struct kvm_cpuid2 *supported,
		   struct kvm_cpuid2 **out)
{
	struct kvm_cpuid2 hdr, *c;
	struct cpuid_missing m;
	const uint8_t *body;
	char msg[160];
	uint32_t len;

	*out = NULL;
	if (find_vcpu_rec(s, STATE_REC_VCPU_CPUID, id, &body, &len)) {
		if (id && !find_vcpu_rec(s, STATE_REC_VCPU_CPUID, 0, &body, &len)) {
			pr_err("%s: no CPUID record for vcpu %d", s->path, id);
			return -EINVAL;
		}
		/* From a tinyvmm that did not save CPUID: this host's, as it did. */
		if (!id)
			pr_info("%s has no CPUID record: the guest gets this host's CPUID", s->path);
		return 0;
	}
	if (len < sizeof(hdr))
		goto malformed;
	memcpy(&hdr, body, sizeof(hdr));
	if (!hdr.nent || hdr.nent > MAX_CPUID_ENTRIES ||
	    len != sizeof(hdr) + hdr.nent * sizeof(hdr.entries[0]))
		goto malformed;
	c = malloc(len);
	if (!c)
		return -ENOMEM;
	memcpy(c, body, len);
	if (cpuid_find_missing(c, supported, &m)) {
		cpuid_missing_format(&m, msg, sizeof(msg));
		pr_err("%s: %s: refused", s->path, msg);
		free(c);
		return -EINVAL;
	}
	*out = c;
	return 0;
malformed:
	pr_err("%s: CPUID record of vcpu %d is malformed", s->path, id);
	return -EINVAL;
}

static int restore_vm(struct vm *vm, struct snapshot *s)
{
	static const uint32_t recs[] = { STATE_REC_VM_PIC_MASTER, STATE_REC_VM_PIC_SLAVE,
					 STATE_REC_VM_IOAPIC };
	const uint8_t *body;
	uint32_t len;

	for (int i = 0; i < 3; i++) {
		if (find_vm_rec(s, recs[i], &body, &len) ||
		    set_fixed(vm->vm_fd, KVM_SET_IRQCHIP, body, len, sizeof(struct kvm_irqchip),
			      "KVM_SET_IRQCHIP", -1))
			return -EINVAL;
	}
	if (find_vm_rec(s, STATE_REC_VM_PIT2, &body, &len) ||
	    set_fixed(vm->vm_fd, KVM_SET_PIT2, body, len, sizeof(struct kvm_pit_state2),
		      "KVM_SET_PIT2", -1))
		return -EINVAL;
	return 0;
}

static int restore_devices(struct vm *vm, struct snapshot *s)
{
	const uint8_t *body;
	uint32_t len;

	if (find_vm_rec(s, STATE_REC_DEV_SERIAL, &body, &len) || len != sizeof(vm->serial.r) ||
	    find_vm_rec(s, STATE_REC_DEV_I8042, &body, &len) || len != sizeof(vm->i8042.r)) {
		pr_err("state: device records missing or of the wrong size");
		return -EINVAL;
	}
	find_vm_rec(s, STATE_REC_DEV_SERIAL, &body, &len);
	memcpy(&vm->serial.r, body, len);
	if (vm->serial.r.rx_count > SERIAL_FIFO_LEN || vm->serial.r.rx_head >= SERIAL_FIFO_LEN) {
		pr_err("state: UART FIFO indices out of range");
		return -EINVAL;
	}
	find_vm_rec(s, STATE_REC_DEV_I8042, &body, &len);
	memcpy(&vm->i8042.r, body, len);
	/* Optional: states written before the RTC existed have none. */
	if (!find_vm_rec(s, STATE_REC_DEV_RTC, &body, &len)) {
		if (len != sizeof(vm->rtc.r)) {
			pr_err("state: RTC record of the wrong size");
			return -EINVAL;
		}
		memcpy(&vm->rtc.r, body, len);
		vm->rtc.r.index &= RTC_NR_REGS - 1;
	}
	if (!find_vm_rec(s, STATE_REC_DEV_MCE, &body, &len)) {
		if (len % sizeof(uint64_t) || len / sizeof(uint64_t) > MCE_MAX_BAD_PAGES) {
			pr_err("state: bad-page record malformed");
			return -EINVAL;
		}
		vm->mce->nr_bad = (int)(len / sizeof(uint64_t));
		memcpy(vm->mce->bad_gpa, body, len);
		for (int i = 0; i < vm->mce->nr_bad; i++)
			pr_info("guest page 0x%" PRIx64 " was poisoned before the restart",
				vm->mce->bad_gpa[i]);
	}
	/* The line level is part of the restored irqchip; re-drive ours to match. */
	vm->serial.irq_level = -1;
	serial_update_irq(&vm->serial);
	return 0;
}

/* The saved value of the kvmclock MSR the guest enabled on @v, or 0. */
static uint64_t saved_system_time(const struct snapshot *s, int id)
{
	struct kvm_msr_entry e;
	const uint8_t *body;
	uint32_t len, n;

	if (find_vcpu_rec(s, STATE_REC_VCPU_MSRS, id, &body, &len) || len < sizeof(struct kvm_msrs))
		return 0;
	n = ((const struct kvm_msrs *)(const void *)body)->nmsrs;
	if (len != sizeof(struct kvm_msrs) + (uint64_t)n * sizeof(e))
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		memcpy(&e, body + sizeof(struct kvm_msrs) + i * sizeof(e), sizeof(e));
		if ((e.index == MSR_KVM_SYSTEM_TIME_NEW || e.index == MSR_KVM_SYSTEM_TIME) &&
		    (e.data & 1))
			return e.data & ~1ULL;
	}
	return 0;
}

/*
 * The kvmclock value to restore. KVM rewrites a vCPU's pvclock page only
 * when that vCPU next enters the guest; until then the page the old
 * process left is what the guest reads, extrapolated with the restored TSC
 * (the vDSO reads vCPU 0's page on every CPU). The TSC ran between the save's
 * KVM_GET_CLOCK and this point, so such a page is ahead of the saved clock,
 * and setting the clock to the saved value would step the guest's time back
 * when that vCPU wakes. Continue from the latest page instead.
 */
static uint64_t restore_clock_value(struct vm *vm, const struct snapshot *s, uint64_t saved)
{
	struct pvclock_sample smp[MAX_VCPUS];
	int from;
	uint64_t ns;

	for (int i = 0; i < vm->ncpus; i++) {
		struct {
			struct kvm_msrs hdr;
			struct kvm_msr_entry e;
		} tsc = { .hdr.nmsrs = 1, .e.index = MSR_IA32_TSC };
		uint64_t gpa = saved_system_time(s, vm->vcpus[i].id);
		struct pvclock_page page;
		const void *p = gpa ? guest_mem_ptr(&vm->mem, gpa, sizeof(page)) : NULL;

		smp[i].ok = -ENOENT;
		if (!p || ioctl(vm->vcpus[i].fd, KVM_GET_MSRS, &tsc) != 1)
			continue;
		memcpy(&page, p, sizeof(page));
		smp[i].ok = pvclock_read(&page, tsc.e.data, &smp[i].ns);
	}
	ns = pvclock_continue(saved, smp, vm->ncpus, &from);
	if (from >= 0)
		pr_info("kvmclock: continues from vCPU %d's pvclock page, %" PRIu64 " us after the saved clock",
			from, (ns - saved) / 1000);
	return ns;
}

int snapshot_restore(struct vm *vm, struct snapshot *s)
{
	struct kvm_clock_data clock = { 0 };
	const uint8_t *body;
	uint32_t len;
	int ret;

	ret = restore_vm(vm, s);
	for (int i = 0; !ret && i < vm->ncpus; i++)
		ret = restore_vcpu(vm, s, &vm->vcpus[i]);
	if (!ret)
		ret = restore_devices(vm, s);
	if (ret)
		return ret;
	if (find_vm_rec(s, STATE_REC_VM_CLOCK, &body, &len) || len != sizeof(clock)) {
		pr_err("state: no KVM clock record");
		return -EINVAL;
	}
	memcpy(&clock, body, sizeof(clock));
	clock.clock = restore_clock_value(vm, s, clock.clock);
	clock.flags = 0;
	if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &clock) < 0) {
		pr_err("KVM_SET_CLOCK: %s", strerror(errno));
		return -errno;
	}
	vm->restarts = s->cfg.restarts;
	return 0;
}

void snapshot_resumed(struct vm *vm, struct snapshot *s)
{
	uint64_t now = now_ns();

	vm->last_pause_ns = now > s->cfg.stop_ns ? now - s->cfg.stop_ns : 0;
	pr_info("live restart %u: vCPUs were paused %" PRIu64 ".%03" PRIu64 " ms",
		vm->restarts, vm->last_pause_ns / 1000000, vm->last_pause_ns / 1000 % 1000);
}
