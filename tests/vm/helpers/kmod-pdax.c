// SPDX-License-Identifier: GPL-2.0
/*
 * kmod-pdax: exercises /dev/pdaxR.N mappings in the testbed.
 *
 *   kmod-pdax map DEV LEN STEP         map LEN, write a byte every STEP
 *   kmod-pdax private DEV              MAP_PRIVATE must fail with EINVAL
 *   kmod-pdax beyond DEV SIZE ALIGN    touching offset SIZE must SIGBUS
 *   kmod-pdax fill DEV LEN BYTE        write BYTE everywhere
 *   kmod-pdax check DEV LEN BYTE       every page starts and ends with BYTE
 *   kmod-pdax gup DEV ALIGN MODE BLK   GUP paths, checked against MODE
 *                                      (BLK: block device for O_DIRECT, or -)
 *   kmod-pdax poison DEV ALIGN OFF PHYS  inject PHYS, expect SIGBUS at OFF
 *   kmod-pdax faultrace DEV OFF PHYS COUNT DELAY_MS
 *                                      COUNT times: a thread faults page
 *                                      OFF + i*4K while page PHYS + i*4K is
 *                                      poisoned (DELAY_MS/3 after the fault
 *                                      began, or at once with 0); the page
 *                                      must never stay mapped (debugfs
 *                                      pdax/user_memtype counts it)
 *   kmod-pdax kvm DEV LEN              a KVM guest on DEV writes into each GiB
 *   kmod-pdax memtype DEV LEN          map and fill LEN (timed), then print
 *                                      debugfs pdax/user_memtype: the memory
 *                                      type of this process's mappings
 *
 * Exit 0 when every check held; each failure prints one line.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PG 4096UL

static sigjmp_buf jump;
static volatile int sig_no, sig_code, sig_lsb;
static void *volatile sig_addr;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	sig_no = sig;
	sig_code = si->si_code;
	sig_addr = si->si_addr;
	sig_lsb = sig == SIGBUS ? si->si_addr_lsb : 0;
	siglongjmp(jump, 1);
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* Write one byte at @p; 0 or the signal it raised. */
static int try_write(volatile char *p, char v)
{
	sig_no = 0;
	if (sigsetjmp(jump, 1) == 0)
		*p = v;
	return sig_no;
}

static int try_read(volatile char *p, char *v)
{
	sig_no = 0;
	if (sigsetjmp(jump, 1) == 0)
		*v = *p;
	return sig_no;
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end || !*s) {
		fprintf(stderr, "kmod-pdax: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static int open_dev(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "kmod-pdax: open %s: %s\n", dev, strerror(errno));
		exit(1);
	}
	return fd;
}

static char *map_dev(int fd, unsigned long len, unsigned long off)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	if (p == MAP_FAILED) {
		fprintf(stderr, "kmod-pdax: mmap %lu bytes: %s\n", len,
			strerror(errno));
		exit(1);
	}
	return p;
}

static int cmd_map(char **argv)
{
	unsigned long len = num(argv[1]), step = num(argv[2]), off, n = 0;
	int fd = open_dev(argv[0]);
	char *p = map_dev(fd, len, 0);

	catch_signals();
	for (off = 0; off < len; off += step, n++) {
		if (try_write(p + off, 1)) {
			printf("map: signal %d at offset %#lx\n", sig_no, off);
			return 1;
		}
	}
	printf("map: %p, touched %lu places every %lu bytes\n", (void *)p, n,
	       step);
	return 0;
}

static int cmd_private(char **argv)
{
	int fd = open_dev(argv[0]);
	void *p = mmap(NULL, 1UL << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	if (p != MAP_FAILED) {
		printf("private: MAP_PRIVATE succeeded, want EINVAL\n");
		return 1;
	}
	printf("private: MAP_PRIVATE -> %s\n", strerror(errno));
	return errno == EINVAL ? 0 : 1;
}

static int cmd_beyond(char **argv)
{
	unsigned long size = num(argv[1]), align = num(argv[2]);
	int fd = open_dev(argv[0]);
	char *p = map_dev(fd, size + align, 0);

	catch_signals();
	if (try_write(p + size - 1, 1)) {
		printf("beyond: last byte inside the device raised %d\n", sig_no);
		return 1;
	}
	if (try_write(p + size, 1) != SIGBUS) {
		printf("beyond: offset %#lx (size) raised %d, want SIGBUS\n",
		       size, sig_no);
		return 1;
	}
	printf("beyond: offset %#lx -> SIGBUS code %d addr %p (map %p)\n", size,
	       sig_code, sig_addr, (void *)p);
	return sig_addr == p + size && sig_code == BUS_ADRERR ? 0 : 1;
}

static int cmd_fill(char **argv)
{
	unsigned long len = num(argv[1]);
	int fd = open_dev(argv[0]);
	char *p = map_dev(fd, len, 0);

	memset(p, (int)num(argv[2]), len);
	printf("fill: %lu bytes of %#lx\n", len, num(argv[2]));
	return 0;
}

static int cmd_check(char **argv)
{
	unsigned long len = num(argv[1]), off, bad = 0;
	int fd = open_dev(argv[0]), want = (int)num(argv[2]), i;
	unsigned char *p = (unsigned char *)map_dev(fd, len, 0);

	for (off = 0; off < len; off += PG)
		for (i = 0; i < 64; i++)
			if (p[off + i] != want || p[off + PG - 1 - i] != want) {
				if (!bad)
					printf("check: offset %#lx holds %#x, want %#x\n",
					       off + i, p[off + i], want);
				bad++;
				break;
			}
	printf("check: %lu pages, %lu differ\n", len / PG, bad);
	return bad ? 1 : 0;
}

/* An unused address range aligned to @align, @len long. */
static char *aligned_hole(unsigned long len, unsigned long align)
{
	char *p = mmap(NULL, len + align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + align - 1) & ~(align - 1);
	munmap(p, len + align);
	return (char *)a;
}

static int report(const char *op, int got, int want, const char *how)
{
	printf("gup: %-16s %-28s %s\n", op, how, got == want ? "as documented" : "UNEXPECTED");
	return got == want ? 0 : 1;
}

static int cmd_gup(char **argv)
{
	unsigned long align = num(argv[1]);
	int compound = !strcmp(argv[2], "compound");
	unsigned long len = 2 * align;
	int fd = open_dev(argv[0]), fails = 0, pfd[2], status, rfd;
	char *p = map_dev(fd, len, 0), *q, buf[PG], how[64], v;
	struct iovec local = { buf, PG }, remote = { p, PG };
	ssize_t n;
	pid_t pid;
	long word;

	catch_signals();
	memset(p, 0x5a, PG);

	/* vmsplice: pins the pages of the mapping */
	if (pipe(pfd))
		return 1;
	n = vmsplice(pfd[1], &remote, 1, 0);
	snprintf(how, sizeof(how), "%zd %s", n, n < 0 ? strerror(errno) : "");
	fails += report("vmsplice", n < 0 ? errno : 0, compound ? 0 : EFAULT, how);
	close(pfd[0]);
	close(pfd[1]);

	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	snprintf(how, sizeof(how), "%zd %s", n, n < 0 ? strerror(errno) : "");
	fails += report("process_vm_readv", n < 0 ? errno : 0, compound ? 0 : EFAULT, how);

	rfd = strcmp(argv[3], "-") ? open(argv[3], O_RDONLY | O_DIRECT) : -2;
	if (rfd == -2) {
		printf("gup: O_DIRECT read    skipped: no block device\n");
	} else if (rfd < 0) {
		printf("gup: open %s O_DIRECT: %s\n", argv[3], strerror(errno));
		fails++;
	} else {
		n = read(rfd, p, PG);
		snprintf(how, sizeof(how), "%zd %s", n, n < 0 ? strerror(errno) : "");
		fails += report("O_DIRECT read", n < 0 ? errno : 0, compound ? 0 : EFAULT, how);
		close(rfd);
		memset(p, 0x5a, PG);
	}

	/* fork + ptrace: the child shares the mapping; PEEKDATA reads it */
	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		p[8] = 0x33;
		raise(SIGSTOP);
		_exit(p[16] == 0x44 ? 0 : 3);
	}
	waitpid(pid, &status, 0);
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, p + 8, NULL);
	snprintf(how, sizeof(how), "%#lx %s", word & 0xff, errno ? strerror(errno) : "");
	fails += report("ptrace PEEKDATA", errno ? errno : (int)(word & 0xff), 0x33, how);
	p[16] = 0x44;
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	waitpid(pid, &status, 0);
	snprintf(how, sizeof(how), "child exit %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	fails += report("fork shared", WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, how);

	/* mprotect read-only: writes then fault with SIGSEGV */
	if (mprotect(p, align, PROT_READ)) {
		snprintf(how, sizeof(how), "%s", strerror(errno));
		fails += report("mprotect ro", errno, 0, how);
	} else {
		int sig = try_write(p, 1);

		snprintf(how, sizeof(how), "write -> signal %d", sig);
		fails += report("mprotect ro", sig, SIGSEGV, how);
		fails += report("read after ro", try_read(p, &v), 0, "read ok");
		mprotect(p, align, PROT_READ | PROT_WRITE);
	}

	/* partial munmap: inside a unit is refused, at a boundary works */
	if (align > PG) {
		int rc = munmap(p + align + PG, PG);

		snprintf(how, sizeof(how), "%s", rc ? strerror(errno) : "unmapped");
		fails += report("munmap in unit", rc ? errno : 0, EINVAL, how);
	}
	{
		int rc = munmap(p + align, align);

		snprintf(how, sizeof(how), "%s", rc ? strerror(errno) : "unmapped");
		fails += report("munmap aligned", rc ? errno : 0, 0, how);
	}

	/* mremap: moving keeps the data; growing is refused */
	p[64] = 0x77;
	q = aligned_hole(align, align);
	q = mremap(p, align, align, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	if (q == MAP_FAILED) {
		snprintf(how, sizeof(how), "%s", strerror(errno));
		fails += report("mremap move", errno, 0, how);
	} else {
		snprintf(how, sizeof(how), "data %#x", (unsigned char)q[64]);
		fails += report("mremap move", q[64] == 0x77 ? 0 : 1, 0, how);
		p = q;
	}
	q = mremap(p, align, 2 * align, 0);
	snprintf(how, sizeof(how), "%s", q == MAP_FAILED ? strerror(errno) : "grew");
	fails += report("mremap grow", q == MAP_FAILED ? errno : 0, EFAULT, how);
	printf("gup: %d unexpected\n", fails);
	return fails ? 1 : 0;
}

static int cmd_poison(char **argv)
{
	unsigned long align = num(argv[1]), off = num(argv[2]), o;
	int fd = open_dev(argv[0]), inj, fails = 0, sig;
	unsigned long unit = off & ~(align - 1);
	char *p = map_dev(fd, unit + align, 0), v;
	size_t n;

	catch_signals();
	/* fill the unit around the page (it may already be poisoned) */
	memset(p + unit, 0x11, (off & ~(PG - 1)) - unit);
	memset(p + (off & ~(PG - 1)) + PG, 0x11, unit + align - (off & ~(PG - 1)) - PG);
	inj = open("/sys/kernel/debug/pdax/inject_poison", O_WRONLY);
	if (inj < 0) {
		printf("poison: open inject_poison: %s\n", strerror(errno));
		return 1;
	}
	n = strlen(argv[3]);
	if (write(inj, argv[3], n) != (ssize_t)n) {
		printf("poison: inject %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	close(inj);
	sig = try_read(p + off + 8, &v);
	printf("poison: read at offset %#lx -> signal %d code %d addr %p (want %p) lsb %d\n",
	       off + 8, sig, sig_code, sig_addr, (void *)(p + off + 8), sig_lsb);
	if (sig != SIGBUS || sig_code != BUS_MCEERR_AR || sig_addr != p + off + 8 ||
	    sig_lsb != 12)
		fails++;
	for (o = unit; o < unit + align; o += PG) {
		if (o == (off & ~(PG - 1)))
			continue;
		if (try_read(p + o, &v) || v != 0x11) {
			printf("poison: offset %#lx in the unit: signal %d value %#x\n",
			       o, sig_no, v);
			fails++;
			break;
		}
	}
	printf("poison: rest of the unit readable: %s\n", fails ? "no" : "yes");
	return fails ? 1 : 0;
}

struct race {
	volatile char *p;
	volatile int go;
	int sig;
	char v;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;

	while (!r->go)
		;
	r->sig = try_read(r->p, &r->v);
	return NULL;
}

/*
 * Entries of this process's page tables that map a poisoned page of any
 * region, from debugfs pdax/user_memtype (pagemap shows VM_PFNMAP mappings
 * as holes); -1 on error.
 */
static long mapped_poison(void)
{
	FILE *f = fopen("/sys/kernel/debug/pdax/user_memtype", "r");
	char line[256];
	long total = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *q = strstr(line, " poisoned ");

		if (!q) {
			total = -1;
			break;
		}
		total += strtol(q + 10, NULL, 10);
	}
	fclose(f);
	return total;
}

static int cmd_faultrace(char **argv)
{
	unsigned long off = num(argv[1]), phys = num(argv[2]), count = num(argv[3]);
	unsigned long delay = num(argv[4]), i, sigbus = 0, read_first = 0;
	int fd = open_dev(argv[0]), inj, fails = 0;
	/* whole 2 MiB units: a 2M-aligned device maps only those */
	char *p = map_dev(fd, (off + count * PG + (2UL << 20) - 1) & ~((2UL << 20) - 1), 0), buf[32];

	catch_signals();
	inj = open("/sys/kernel/debug/pdax/inject_poison", O_WRONLY);
	if (inj < 0) {
		printf("faultrace: open inject_poison: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < count; i++) {
		struct race r = { .p = p + off + i * PG };
		pthread_t t;
		int n = snprintf(buf, sizeof(buf), "%#lx", phys + i * PG);
		long mapped;

		if (pthread_create(&t, NULL, race_reader, &r)) {
			printf("faultrace: pthread_create failed\n");
			return 1;
		}
		r.go = 1;
		if (delay)
			usleep((useconds_t)(delay * 1000 / 3));
		if (write(inj, buf, (size_t)n) != n) {
			printf("faultrace: inject %s: %s\n", buf, strerror(errno));
			return 1;
		}
		pthread_join(t, NULL);
		if (r.sig == SIGBUS)
			sigbus++;
		else if (!r.sig)
			read_first++;
		mapped = mapped_poison();
		if (mapped < 0) {
			printf("faultrace: read debugfs pdax/user_memtype failed\n");
			return 1;
		}
		if (count <= 8)
			printf("faultrace: page %lu (%s): read %s, %ld entries map a poisoned page\n",
			       i, buf, r.sig ? "faulted" : "completed", mapped);
		if (mapped && fails++ < 5)
			printf("faultrace: page %lu: poisoned page %s still mapped after the poison (the read %s)\n",
			       i, buf, r.sig ? "faulted" : "completed");
	}
	close(inj);
	printf("faultrace: %lu pages, delay %lu ms: %lu reads got SIGBUS, %lu completed, %d left the poisoned page mapped\n",
	       count, delay, sigbus, read_first, fails);
	return fails ? 1 : 0;
}

static void flat_segment(struct kvm_segment *s, int code)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = code ? 0x8 : 0x10;
	s->type = code ? 0xb : 0x3;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

/*
 * The device (LEN bytes, up to 3 GiB) is the guest's RAM from GPA 0. A
 * flat 32-bit protected-mode guest stores its GiB number at offset 0x2000
 * of every GiB, writes to port 0x10 and halts; the host then reads the
 * values back through its own mapping of the device.
 */
static int cmd_kvm(char **argv)
{
	unsigned long len = num(argv[1]), g, n = len >> 30;
	struct kvm_userspace_memory_region slot = { 0 };
	int kvm, vm, vcpu, fd = open_dev(argv[0]), i, out = 0;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_run *run;
	unsigned char *mem, *c;
	long run_size;

	if (n == 0 || n > 3 || len & ((1UL << 30) - 1)) {
		fprintf(stderr, "kmod-pdax: kvm wants 1G, 2G or 3G\n");
		return 2;
	}
	mem = (unsigned char *)map_dev(fd, len, 0);
	c = mem + 0x1000;
	for (g = 0; g < n; g++) { /* mov dword [g<<30 | 0x2000], 0xc0de0000|g */
		uint32_t a = (uint32_t)(g << 30) | 0x2000, v = 0xc0de0000 | g;

		*c++ = 0xc7;
		*c++ = 0x05;
		memcpy(c, &a, 4);
		c += 4;
		memcpy(c, &v, 4);
		c += 4;
	}
	memcpy(c, "\xb0\x5a\xe6\x10\xf4", 5); /* mov al,0x5a; out 0x10,al; hlt */

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return printf("kvm: open /dev/kvm: %s\n", strerror(errno)), 1;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return printf("kvm: KVM_CREATE_VM: %s\n", strerror(errno)), 1;
	slot.memory_size = len;
	slot.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return printf("kvm: KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno)), 1;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || run_size < (long)sizeof(*run))
		return printf("kvm: KVM_CREATE_VCPU: %s\n", strerror(errno)), 1;
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return printf("kvm: vcpu setup: %s\n", strerror(errno)), 1;
	flat_segment(&sregs.cs, 1);
	flat_segment(&sregs.ds, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 |= 1;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return printf("kvm: KVM_SET_SREGS: %s\n", strerror(errno)), 1;
	regs.rip = 0x1000;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return printf("kvm: KVM_SET_REGS: %s\n", strerror(errno)), 1;
	for (i = 0; i < 16; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return printf("kvm: KVM_RUN: %s\n", strerror(errno)), 1;
		if (run->exit_reason == KVM_EXIT_IO) {
			out = 1;
			continue;
		}
		if (run->exit_reason != KVM_EXIT_HLT)
			return printf("kvm: exit reason %u\n", run->exit_reason), 1;
		break;
	}
	if (!out || run->exit_reason != KVM_EXIT_HLT)
		return printf("kvm: guest did not write the port and halt\n"), 1;
	for (g = 0; g < n; g++) {
		uint32_t v;

		memcpy(&v, mem + (g << 30) + 0x2000, 4);
		printf("kvm: GiB %lu holds %#x\n", g, v);
		if (v != (0xc0de0000 | g))
			return 1;
	}
	printf("kvm: guest ran on %s and wrote into %lu GiB\n", argv[0], n);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmd_memtype(char **argv)
{
	static const char path[] = "/sys/kernel/debug/pdax/user_memtype";
	unsigned long len = num(argv[1]);
	int fd = open_dev(argv[0]);
	char *p = map_dev(fd, len, 0), buf[512];
	double t0, t1, t2;
	FILE *f;

	t0 = now_ms();
	memset(p, 0x5a, len); /* faults every page in */
	t1 = now_ms();
	memset(p, 0xa5, len); /* through the mapping alone */
	t2 = now_ms();
	printf("memtype: %lu bytes, first memset %.1f ms, second %.1f ms\n",
	       len, t1 - t0, t2 - t1);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "kmod-pdax: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(buf, sizeof(buf), f))
		printf("memtype: %s", buf);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int nargs;
		int (*fn)(char **argv);
	} cmds[] = {
		{ "map", 3, cmd_map },       { "private", 1, cmd_private },
		{ "beyond", 3, cmd_beyond }, { "fill", 3, cmd_fill },
		{ "check", 3, cmd_check },   { "gup", 4, cmd_gup },
		{ "poison", 4, cmd_poison }, { "kvm", 2, cmd_kvm },
		{ "faultrace", 5, cmd_faultrace },
		{ "memtype", 2, cmd_memtype },
	};
	size_t i;

	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			if (argc - 2 != cmds[i].nargs) {
				fprintf(stderr, "kmod-pdax: %s wants %d arguments\n",
					cmds[i].name, cmds[i].nargs);
				return 2;
			}
			setvbuf(stdout, NULL, _IONBF, 0);
			return cmds[i].fn(argv + 2);
		}
	fprintf(stderr, "usage: kmod-pdax map|private|beyond|fill|check|gup|poison|faultrace|kvm|memtype ...\n");
	return 2;
}
