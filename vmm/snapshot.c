// SPDX-License-Identifier: GPL-2.0
/*
 * Save and restore of a VM for live restart. KVM file descriptors cannot
 * cross exec, so the new process creates a fresh VM over the same dax
 * mapping and feeds it the state saved here. Guest RAM is not touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dax.h"
#include "mce.h"
#include "snapshot.h"
#include "util.h"
#include "vmm.h"

#define MSR_IA32_TSC 0x10
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MAX_MSRS 1024

struct msr_list {
	uint32_t n;
	uint32_t index[MAX_MSRS];
};

struct msr_blob {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[MAX_MSRS];
};

static int xsave_size(struct vm *vm, int *use_xsave2)
{
	int sz = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);

	*use_xsave2 = sz > 0;
	if (sz < (int)sizeof(struct kvm_xsave))
		sz = sizeof(struct kvm_xsave);
	return sz;
}

/* KVM's list of MSRs to migrate, with TSC first and TSC_DEADLINE last:
 * the deadline is interpreted against the TSC being restored. */
static int msr_index_list(struct vm *vm, struct msr_list *l)
{
	struct kvm_msr_list *kl = calloc(1, sizeof(*kl) + MAX_MSRS * sizeof(uint32_t));
	uint32_t n = 0, has_tsc = 0, has_deadline = 0;

	if (!kl)
		return -ENOMEM;
	kl->nmsrs = MAX_MSRS;
	if (ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, kl) < 0) {
		pr_err("KVM_GET_MSR_INDEX_LIST: %s", strerror(errno));
		free(kl);
		return -errno;
	}
	for (uint32_t i = 0; i < kl->nmsrs; i++) {
		if (kl->indices[i] == MSR_IA32_TSC)
			has_tsc = 1;
		else if (kl->indices[i] == MSR_IA32_TSC_DEADLINE)
			has_deadline = 1;
	}
	if (has_tsc)
		l->index[n++] = MSR_IA32_TSC;
	for (uint32_t i = 0; i < kl->nmsrs; i++)
		if (kl->indices[i] != MSR_IA32_TSC && kl->indices[i] != MSR_IA32_TSC_DEADLINE)
			l->index[n++] = kl->indices[i];
	if (has_deadline)
		l->index[n++] = MSR_IA32_TSC_DEADLINE;
	l->n = n;
	free(kl);
	return 0;
}

/* Read every listed MSR this vCPU has; KVM_GET_MSRS stops at the first
 * one it cannot read, so skip that one and go on. */
static int vcpu_get_msrs(struct vcpu *v, const struct msr_list *l, struct msr_blob *out)
{
	struct msr_blob *q = calloc(1, sizeof(*q));
	uint32_t pos = 0;

	if (!q)
		return -ENOMEM;
	out->hdr.nmsrs = 0;
	while (pos < l->n) {
		uint32_t want = l->n - pos;
		int got;

		q->hdr.nmsrs = want;
		for (uint32_t i = 0; i < want; i++)
			q->e[i] = (struct kvm_msr_entry){ .index = l->index[pos + i] };
		got = ioctl(v->fd, KVM_GET_MSRS, q);
		if (got < 0) {
			pr_err("KVM_GET_MSRS vcpu %d: %s", v->id, strerror(errno));
			free(q);
			return -errno;
		}
		for (int i = 0; i < got; i++)
			out->e[out->hdr.nmsrs++] = q->e[i];
		pos += (uint32_t)got + 1;
	}
	free(q);
	return 0;
}

#define GET(fd, req, obj, what)                                                  \
	do {                                                                     \
		if (ioctl(fd, req, obj) < 0) {                                   \
			pr_err("%s: %s", what, strerror(errno));                 \
			ret = -errno;                                            \
			goto out;                                                \
		}                                                                \
	} while (0)

static int vcpu_save(struct vcpu *v, struct state_buf *b, const struct msr_list *ml)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xcrs xcrs;
	struct kvm_debugregs dbg;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events ev;
	struct msr_blob *msrs = calloc(1, sizeof(*msrs));
	int use2, xsz = xsave_size(v->vm, &use2), ret = 0;
	void *xs = calloc(1, xsz);

	if (!msrs || !xs) {
		ret = -ENOMEM;
		goto out;
	}
	/*
	 * Events first: without KVM_CAP_EXCEPTION_PAYLOAD, KVM_GET_VCPU_EVENTS
	 * delivers a pending exception's payload (CR2 of a #PF, DR6 of a #DB)
	 * into the registers, which must then be read after it.
	 */
	GET(v->fd, KVM_GET_VCPU_EVENTS, &ev, "KVM_GET_VCPU_EVENTS");
	GET(v->fd, KVM_GET_MP_STATE, &mp, "KVM_GET_MP_STATE");
	GET(v->fd, KVM_GET_REGS, &regs, "KVM_GET_REGS");
	GET(v->fd, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
	GET(v->fd, use2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, xs, "KVM_GET_XSAVE");
	GET(v->fd, KVM_GET_XCRS, &xcrs, "KVM_GET_XCRS");
	GET(v->fd, KVM_GET_DEBUGREGS, &dbg, "KVM_GET_DEBUGREGS");
	GET(v->fd, KVM_GET_LAPIC, &lapic, "KVM_GET_LAPIC");
	ret = vcpu_get_msrs(v, ml, msrs);
	if (ret)
		goto out;
	state_put_vcpu(b, STATE_REC_VCPU_MP_STATE, v->id, &mp, sizeof(mp));
	state_put_vcpu(b, STATE_REC_VCPU_REGS, v->id, &regs, sizeof(regs));
	state_put_vcpu(b, STATE_REC_VCPU_SREGS, v->id, &sregs, sizeof(sregs));
	state_put_vcpu(b, STATE_REC_VCPU_XSAVE, v->id, xs, xsz);
	state_put_vcpu(b, STATE_REC_VCPU_XCRS, v->id, &xcrs, sizeof(xcrs));
	state_put_vcpu(b, STATE_REC_VCPU_DEBUGREGS, v->id, &dbg, sizeof(dbg));
	state_put_vcpu(b, STATE_REC_VCPU_LAPIC, v->id, &lapic, sizeof(lapic));
	state_put_vcpu(b, STATE_REC_VCPU_MSRS, v->id, msrs,
		       sizeof(msrs->hdr) + msrs->hdr.nmsrs * sizeof(msrs->e[0]));
	state_put_vcpu(b, STATE_REC_VCPU_EVENTS, v->id, &ev, sizeof(ev));
	if (v->cpuid)
		state_put_vcpu(b, STATE_REC_VCPU_CPUID, v->id, v->cpuid,
			       sizeof(*v->cpuid) + v->cpuid->nent * sizeof(v->cpuid->entries[0]));
out:
	free(msrs);
	free(xs);
	return ret;
}

static int vm_save(struct vm *vm, struct state_buf *b)
{
	static const uint32_t chips[] = { KVM_IRQCHIP_PIC_MASTER, KVM_IRQCHIP_PIC_SLAVE,
					  KVM_IRQCHIP_IOAPIC };
	static const uint32_t recs[] = { STATE_REC_VM_PIC_MASTER, STATE_REC_VM_PIC_SLAVE,
					 STATE_REC_VM_IOAPIC };
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock = { 0 };
	int ret = 0;

	for (int i = 0; i < 3; i++) {
		struct kvm_irqchip chip = { .chip_id = chips[i] };

		GET(vm->vm_fd, KVM_GET_IRQCHIP, &chip, "KVM_GET_IRQCHIP");
		state_put(b, recs[i], &chip, sizeof(chip));
	}
	GET(vm->vm_fd, KVM_GET_PIT2, &pit, "KVM_GET_PIT2");
	state_put(b, STATE_REC_VM_PIT2, &pit, sizeof(pit));
	GET(vm->vm_fd, KVM_GET_CLOCK, &clock, "KVM_GET_CLOCK");
	vm->clock_stable = !!(clock.flags & KVM_CLOCK_TSC_STABLE);
	state_put(b, STATE_REC_VM_CLOCK, &clock, sizeof(clock));
out:
	return ret;
}

/* The guest's TSC rate: a restore on another host (or kernel) keeps it. */
static int tsc_save(struct vm *vm, struct state_buf *b)
{
	int khz = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
	uint32_t rec[2] = { 0 };

	if (khz <= 0) {
		pr_err("KVM_GET_TSC_KHZ: %s", khz < 0 ? strerror(errno) : "no rate");
		return khz < 0 ? -errno : -EINVAL;
	}
	rec[0] = (uint32_t)khz;
	state_put(b, STATE_REC_VM_TSC_KHZ, rec, sizeof(rec));
	return 0;
}

static int write_atomic(const char *path, const uint8_t *data, size_t len)
{
	char tmp[4096], dir[4096];
	size_t done = 0;
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		pr_err("open %s: %s", tmp, strerror(errno));
		return -errno;
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pr_err("write %s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -EIO;
		}
		done += n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		pr_err("fsync %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	if (rename(tmp, path) < 0) {
		pr_err("rename %s -> %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -errno;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int snapshot_save(struct vm *vm, const char *path, uint64_t stop_ns)
{
	struct state_config cfg = { 0 };
	struct msr_list *ml = calloc(1, sizeof(*ml));
	struct state_buf b;
	int ret;

	if (!ml)
		return -ENOMEM;
	cfg.mem_size = vm->mem.size;
	cfg.dev_size = vm->dev_size;
	cfg.dev_rdev = vm->dev_rdev;
	cfg.stop_ns = stop_ns;
	cfg.ncpus = (uint32_t)vm->ncpus;
	cfg.restarts = vm->restarts + 1;
	snprintf(cfg.dax, sizeof(cfg.dax), "%s", vm->cfg->dax);
	snprintf(cfg.control, sizeof(cfg.control), "%s", vm->cfg->control ? vm->cfg->control : "");

	state_buf_init(&b);
	state_put(&b, STATE_REC_CONFIG, &cfg, sizeof(cfg));
	ret = msr_index_list(vm, ml);
	if (!ret)
		ret = vm_save(vm, &b);
	if (!ret)
		ret = tsc_save(vm, &b);
	for (int i = 0; !ret && i < vm->ncpus; i++)
		ret = vcpu_save(&vm->vcpus[i], &b, ml);
	if (!ret) {
		pthread_mutex_lock(&vm->dev_lock);
		state_put(&b, STATE_REC_DEV_SERIAL, &vm->serial.r, sizeof(vm->serial.r));
		state_put(&b, STATE_REC_DEV_I8042, &vm->i8042.r, sizeof(vm->i8042.r));
		state_put(&b, STATE_REC_DEV_RTC, &vm->rtc.r, sizeof(vm->rtc.r));
		state_put(&b, STATE_REC_DEV_MCE, vm->mce->bad_gpa,
			  (uint32_t)(vm->mce->nr_bad * sizeof(uint64_t)));
		if (vm->dax->nr_ranges)
			state_put(&b, STATE_REC_DEV_RANGES, vm->dax->ranges,
				  (uint32_t)(vm->dax->nr_ranges * sizeof(struct dax_range)));
		pthread_mutex_unlock(&vm->dev_lock);
		ret = state_finish(&b);
	}
	if (!ret)
		ret = write_atomic(path, b.data, b.len);
	if (!ret)
		pr_info("state saved to %s (%zu bytes, %d vCPUs, %u MSRs each, kvmclock %s)",
			path, b.len, vm->ncpus, ml->n,
			vm->clock_stable ? "TSC-stable" : "not TSC-stable");
	state_buf_free(&b);
	free(ml);
	return ret;
}

static const struct state_rec_view *find_rec(const struct snapshot *s, uint32_t type,
					     struct state_rec_view *rec)
{
	size_t pos = 0;

	while (state_next(s->data, s->len, &pos, rec))
		if (rec->type == type)
			return rec;
	return NULL;
}

static bool has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);

	return n >= k && !strcmp(path + n - k, suffix);
}

/* A state file that ran once must not run again: it would fork the guest. */
static int refuse_resumed(const char *path, const struct vmm_config *cfg)
{
	char done[4096];
	struct stat st;

	if (cfg->force)
		return 0;
	if (has_suffix(path, SNAPSHOT_RESUMED_SUFFIX)) {
		pr_err("%s was resumed already: restoring it again would run an old copy of the "
		       "guest, refused (--force to do it anyway)", path);
		return -EALREADY;
	}
	snprintf(done, sizeof(done), "%s%s", path, SNAPSHOT_RESUMED_SUFFIX);
	if (stat(path, &st) && errno == ENOENT && !stat(done, &st)) {
		pr_err("%s was resumed already (now %s): restoring it again would run an old copy "
		       "of the guest, refused (--force --restore %s to do it anyway)", path, done,
		       done);
		return -EALREADY;
	}
	return 0;
}

struct snapshot *snapshot_load(const char *path, struct vmm_config *cfg)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	struct state_rec_view rec;
	struct stat before, after;
	const char *why;

	if (!s || refuse_resumed(path, cfg))
		goto fail;
	if (stat(path, &before)) {
		pr_err("stat %s: %s", path, strerror(errno));
		goto fail;
	}
	if (read_file(path, &s->data, &s->len))
		goto fail;
	if (stat(path, &after) || after.st_ino != before.st_ino || after.st_dev != before.st_dev) {
		pr_err("%s was replaced while it was read: refused", path);
		goto fail;
	}
	s->path = path;
	s->file_dev = after.st_dev;
	s->file_ino = after.st_ino;
	if (state_validate(s->data, s->len, &why)) {
		pr_err("%s: %s", path, why);
		goto fail;
	}
	if (!find_rec(s, STATE_REC_CONFIG, &rec) || rec.len != sizeof(s->cfg)) {
		pr_err("%s: no valid config record", path);
		goto fail;
	}
	memcpy(&s->cfg, rec.payload, sizeof(s->cfg));
	s->cfg.dax[sizeof(s->cfg.dax) - 1] = 0;
	s->cfg.control[sizeof(s->cfg.control) - 1] = 0;
	if (!s->cfg.ncpus || s->cfg.ncpus > MAX_VCPUS || !s->cfg.dax[0]) {
		pr_err("%s: config record out of range", path);
		goto fail;
	}
	/* after a host kexec the same memory may come back as another device node */
	s->dax_given = cfg->dax != NULL;
	if (!s->dax_given)
		cfg->dax = s->cfg.dax;
	cfg->mem = s->cfg.mem_size;
	cfg->cpus = (int)s->cfg.ncpus;
	if (!cfg->control && s->cfg.control[0])
		cfg->control = s->cfg.control;
	return s;
fail:
	if (s)
		free(s->data);
	free(s);
	return NULL;
}

static void format_ranges(char *buf, size_t len, const struct dax_range *r, int n)
{
	int k = snprintf(buf, len, "%s", n ? "" : "no ranges readable");

	for (int i = 0; i < n && k >= 0 && (size_t)k < len; i++)
		k += snprintf(buf + k, len - k, "%s%#" PRIx64 "-%#" PRIx64 "@%#" PRIx64,
			      i ? "," : "", r[i].start, r[i].end, r[i].page_offset);
}

/*
 * The device's ranges (mappingN/) name its memory: after a host kexec the
 * node can differ, the memory must not. States from before the record was
 * added only have the size to go by.
 */
static int check_ranges(const struct snapshot *s, const struct dax_dev *d)
{
	struct dax_range saved[DAX_MAX_RANGES];
	char a[512], b[512];
	struct state_rec_view rec;
	int n;

	if (!find_rec(s, STATE_REC_DEV_RANGES, &rec))
		return 0;
	if (rec.len % sizeof(saved[0]) || rec.len / sizeof(saved[0]) > DAX_MAX_RANGES) {
		pr_err("%s: device range record malformed", s->path);
		return -EINVAL;
	}
	n = (int)(rec.len / sizeof(saved[0]));
	memcpy(saved, rec.payload, rec.len);
	if (n == d->nr_ranges && !memcmp(saved, d->ranges, rec.len))
		return 0;
	/*
	 * A live restart as --user cannot read the ranges (mappingN/ is
	 * root's), but the descriptor it was handed is the locked one its
	 * predecessor checked: the same open device, so the same memory.
	 */
	if (d->adopted && !d->nr_ranges)
		return 0;
	format_ranges(a, sizeof(a), saved, n);
	format_ranges(b, sizeof(b), d->ranges, d->nr_ranges);
	pr_err("%s was saved on %s (memory %s), %s is other memory (%s): refused", s->path,
	       s->cfg.dax, a, d->path, b);
	return -EINVAL;
}

int snapshot_check_device(const struct snapshot *s, const struct dax_dev *d, uint64_t size)
{
	if (s->cfg.dev_size != d->size || s->cfg.mem_size != size ||
	    (!s->dax_given && s->cfg.dev_rdev != (uint64_t)d->rdev)) {
		pr_err("state file belongs to another device: saved %s (%" PRIu64
		       " bytes, guest RAM %" PRIu64 "), found %s, %" PRIu64 " bytes",
		       s->cfg.dax, s->cfg.dev_size, s->cfg.mem_size, d->path, d->size);
		return -EINVAL;
	}
	return check_ranges(s, d);
}

int snapshot_consume(struct snapshot *s, bool force)
{
	char done[4096], dir[4096];
	struct stat st;
	int dfd;

	if (force && has_suffix(s->path, SNAPSHOT_RESUMED_SUFFIX))
		return 0;
	if (stat(s->path, &st) || st.st_ino != s->file_ino || st.st_dev != s->file_dev) {
		pr_err("%s was resumed by another tinyvmm while this one started: refused", s->path);
		return -EALREADY;
	}
	if (snprintf(done, sizeof(done), "%s%s", s->path, SNAPSHOT_RESUMED_SUFFIX) >=
	    (int)sizeof(done))
		return -ENAMETOOLONG;
	if (rename(s->path, done) < 0) {
		pr_err("rename %s -> %s: %s", s->path, done, strerror(errno));
		return -errno;
	}
	snprintf(dir, sizeof(dir), "%s", s->path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
