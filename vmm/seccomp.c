// SPDX-License-Identifier: GPL-2.0
/*
 * tinyvmm confinement: descriptors, user/group drop, rlimits, and seccomp
 * allowlists per thread kind. The filters are classic BPF built here; what
 * each list allows and why is in docs/security.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "seccomp.h"
#include "vmm.h"

#define FILTER_MAX 256
#define KVMIO_TYPE 0xae00 /* _IOC_TYPE bits of every KVM ioctl */
#define NOFILE_ROOM 64 /* control connections, state files, a restart */
#define SELFTEST_ENV "TINYVMM_SECCOMP_SELFTEST"
/*
 * The mark of tinyvmm's own process filter: getppid() with this argument
 * fails with MARK_ERRNO instead of running. "Seccomp: 2" and Seccomp_filters
 * in /proc/self/status also count a container runtime's or systemd's filter;
 * only the mark tells that the filter a live restart exec'd under is ours.
 * getppid ignores its arguments and every filter we know allows it, so
 * asking is harmless where no tinyvmm filter answers.
 */
#define MARK_ARG 0x746d7664U /* "dvmt" */
#define MARK_ERRNO 4011 /* no kernel call fails with it */

/* Both thread kinds: memory, futexes, signals, time, reads and writes. */
static const int common_calls[] = {
	__NR_read, __NR_write, __NR_readv, __NR_writev, __NR_pread64, __NR_pwrite64,
	__NR_close, __NR_fstat, __NR_newfstatat, __NR_lseek, __NR_mmap, __NR_munmap,
	__NR_mprotect, __NR_madvise, __NR_brk, __NR_futex, __NR_rt_sigreturn,
	__NR_rt_sigprocmask, __NR_clock_gettime, __NR_gettimeofday, __NR_nanosleep,
	__NR_clock_nanosleep, __NR_getpid, __NR_gettid, __NR_tgkill, __NR_sched_yield,
	__NR_exit, __NR_exit_group, __NR_getrandom, __NR_rseq, __NR_restart_syscall,
};

/*
 * The process filter adds what the main, stdin and control threads do, and
 * what a tinyvmm started by a live restart does before it installs its own
 * vCPU filters: load (ld.so), open the devices, create the VM and threads,
 * serve the control socket, write the state file, exec.
 */
static const int process_calls[] = {
	__NR_openat, __NR_access, __NR_faccessat, __NR_faccessat2, __NR_readlink,
	__NR_readlinkat, __NR_fcntl, __NR_dup, __NR_dup3, __NR_mremap, __NR_rt_sigaction,
	__NR_sigaltstack, __NR_clone, __NR_clone3, __NR_set_robust_list, __NR_set_tid_address,
	__NR_arch_prctl, __NR_prctl, __NR_prlimit64, __NR_sched_getaffinity, __NR_uname,
	__NR_getuid, __NR_geteuid, __NR_getgid, __NR_getegid, __NR_close_range,
	__NR_seccomp, __NR_bind, __NR_listen, __NR_accept4, __NR_setsockopt,
	__NR_shutdown, __NR_unlink, __NR_unlinkat, __NR_rename, __NR_renameat,
	__NR_renameat2, __NR_fsync, __NR_fdatasync, __NR_ftruncate, __NR_statx,
	__NR_execve, __NR_time,
};

#ifdef __SANITIZE_ADDRESS__
/*
 * A build with AddressSanitizer (make SANITIZE=1): its runtime starts the
 * tinyvmm a live restart execs (under the inherited process filter) with
 * raw legacy calls, open instead of openat among them. Test builds only.
 */
static const int sanitizer_calls[] = {
	__NR_open, __NR_stat, __NR_lstat, __NR_getrlimit, __NR_getdents64, __NR_getppid,
	__NR_mincore, __NR_sched_getaffinity,
};

/*
 * LeakSanitizer's exit-time scan ptraces the process: not under seccomp.
 * The runtime's per-thread alternate signal stack would need sigaltstack
 * in the vCPU threads, which their list does not allow.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0:use_sigaltstack=0";
}
#endif

struct filter {
	struct sock_filter insn[FILTER_MAX];
	unsigned int n;
};

static uid_t drop_uid = (uid_t)-1;
static gid_t drop_gid = (gid_t)-1;

static void emit(struct filter *f, struct sock_filter s)
{
	if (f->n < FILTER_MAX)
		f->insn[f->n] = s;
	f->n++;
}

static struct sock_filter bpf_stmt(uint16_t code, uint32_t k)
{
	return (struct sock_filter){ .code = code, .k = k };
}

static struct sock_filter bpf_jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	return (struct sock_filter){ .code = code, .jt = jt, .jf = jf, .k = k };
}

#define LOAD_NR bpf_stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LOAD_ARG(i) bpf_stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[i]))
#define RET_ALLOW bpf_stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define RET_KILL bpf_stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)

static void filter_start(struct filter *f)
{
	f->n = 0;
	emit(f, bpf_stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
	emit(f, bpf_jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	emit(f, RET_KILL);
	emit(f, LOAD_NR);
}

static void allow_list(struct filter *f, const int *nrs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		emit(f, bpf_jump(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[i], 0, 1));
		emit(f, RET_ALLOW);
	}
}

/* The mark, first in the process filter: see MARK_ARG. */
static void mark_filter(struct filter *f)
{
	emit(f, bpf_jump(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 3));
	emit(f, LOAD_ARG(0));
	emit(f, bpf_jump(BPF_JMP | BPF_JEQ | BPF_K, MARK_ARG, 0, 1));
	emit(f, bpf_stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | MARK_ERRNO));
	emit(f, LOAD_NR);
}

/* ioctl: KVM's (type 0xAE) and TCGETS (stdio asks whether stdout is a tty). */
static void allow_ioctl(struct filter *f)
{
	emit(f, bpf_jump(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 6));
	emit(f, LOAD_ARG(1));
	emit(f, bpf_jump(BPF_JMP | BPF_JEQ | BPF_K, TCGETS, 3, 0));
	emit(f, bpf_stmt(BPF_ALU | BPF_AND | BPF_K, 0xff00));
	emit(f, bpf_jump(BPF_JMP | BPF_JEQ | BPF_K, KVMIO_TYPE, 1, 0));
	emit(f, RET_KILL);
	emit(f, RET_ALLOW);
}

/* socket: AF_UNIX only (the control socket). */
static void allow_unix_socket(struct filter *f)
{
	emit(f, bpf_jump(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 4));
	emit(f, LOAD_ARG(0));
	emit(f, bpf_jump(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 1, 0));
	emit(f, RET_KILL);
	emit(f, RET_ALLOW);
}

static int filter_install(struct filter *f, const char *what)
{
	struct sock_fprog prog;

	emit(f, RET_KILL);
	if (f->n > FILTER_MAX) {
		pr_err("seccomp: %s filter needs %u instructions, room for %d", what, f->n,
		       FILTER_MAX);
		return -E2BIG;
	}
	prog.len = (unsigned short)f->n;
	prog.filter = f->insn;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		pr_err("prctl PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -errno;
	}
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		pr_err("seccomp SECCOMP_SET_MODE_FILTER (%s): %s", what, strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * A hidden test hook: $TINYVMM_SECCOMP_SELFTEST names a call the filter just
 * installed in this kind of thread forbids: "process" socket(AF_INET),
 * "vcpu" execve, "vcpu-open" a read-only open.
 */
static void selftest(const char *thread)
{
	const char *want = getenv(SELFTEST_ENV);
	char *const argv[] = { "/bin/true", NULL };
	size_t n = strlen(thread);

	if (!want || strncmp(want, thread, n) || (want[n] && want[n] != '-'))
		return;
	pr_info("seccomp self-test: %s, a forbidden call from a %s thread", want, thread);
	if (!strcmp(want, "vcpu"))
		execve(argv[0], argv, environ);
	else if (!strcmp(want, "vcpu-open"))
		open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	else if (!strcmp(want, "process"))
		socket(AF_INET, SOCK_STREAM, 0);
	else
		pr_err("seccomp self-test: no such test %s", want);
	pr_err("seccomp self-test: the forbidden call returned (%s)", strerror(errno));
	_exit(3);
}

/* tinyvmm's own process filter came with a live restart (MARK_ARG). */
static int own_filter_inherited(void)
{
	errno = 0;
	return syscall(__NR_getppid, MARK_ARG) == -1 && errno == MARK_ERRNO;
}

void harden_close_inherited_fds(void)
{
	if (syscall(__NR_close_range, 3U, ~0U, 0U) == 0)
		return;
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}

static int lookup_id(int opt, const char *arg, unsigned long *id)
{
	char *end;

	errno = 0;
	*id = strtoul(arg, &end, 10);
	if (*arg && !*end && !errno && *id < 0xffffffffUL)
		return 0;
	if (opt == 'u') {
		struct passwd *pw = getpwnam(arg);

		if (pw) {
			*id = pw->pw_uid;
			if (drop_gid == (gid_t)-1)
				drop_gid = pw->pw_gid;
			return 0;
		}
	} else {
		struct group *gr = getgrnam(arg);

		if (gr) {
			*id = gr->gr_gid;
			return 0;
		}
	}
	return -EINVAL;
}

int harden_set_option(int opt, const char *arg)
{
	unsigned long id;

	if (lookup_id(opt, arg, &id)) {
		pr_err("--%s %s: no such %s", opt == 'u' ? "user" : "group", arg,
		       opt == 'u' ? "user" : "group");
		return -EINVAL;
	}
	if (opt == 'u')
		drop_uid = (uid_t)id;
	else
		drop_gid = (gid_t)id;
	return 0;
}

static int drop_privileges(void)
{
	if (drop_gid != (gid_t)-1) {
		if (setgroups(0, NULL) < 0 && errno != EPERM) {
			pr_err("setgroups: %s", strerror(errno));
			return -errno;
		}
		if (setresgid(drop_gid, drop_gid, drop_gid) < 0) {
			pr_err("setresgid %u: %s", (unsigned int)drop_gid, strerror(errno));
			return -errno;
		}
	}
	if (drop_uid != (uid_t)-1 && setresuid(drop_uid, drop_uid, drop_uid) < 0) {
		pr_err("setresuid %u: %s", (unsigned int)drop_uid, strerror(errno));
		return -errno;
	}
	return 0;
}

static int set_limits(void)
{
	struct rlimit core = { 0, 0 }, files;
	int highest = 2;

	for (int fd = 3; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			highest = fd;
	files.rlim_cur = files.rlim_max = (rlim_t)highest + 1 + NOFILE_ROOM;
	if (setrlimit(RLIMIT_CORE, &core) < 0) {
		pr_err("setrlimit RLIMIT_CORE: %s", strerror(errno));
		return -errno;
	}
	if (setrlimit(RLIMIT_NOFILE, &files) < 0) {
		pr_err("setrlimit RLIMIT_NOFILE %lu: %s", (unsigned long)files.rlim_cur,
		       strerror(errno));
		return -errno;
	}
	return 0;
}

int harden_apply(void)
{
	struct filter f;
	int ret;

	ret = drop_privileges();
	if (!ret)
		ret = set_limits();
	if (ret)
		return ret;
	/*
	 * Not dumpable: no core, and /proc/PID (maps, mem, environ) stays
	 * root's, not the tenant user's. Every exec makes a process dumpable
	 * again, so this runs on every start, live restarts included.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		pr_err("prctl PR_SET_DUMPABLE: %s", strerror(errno));
		return -errno;
	}
	/*
	 * glibc reads /etc/localtime at the first gmtime_r/localtime_r, which
	 * is the RTC model's, in a vCPU thread that may not open files: now.
	 */
	tzset();
	if (own_filter_inherited()) {
		pr_info("seccomp: process filter inherited across the live restart");
	} else {
		filter_start(&f);
		mark_filter(&f);
		allow_list(&f, common_calls, sizeof(common_calls) / sizeof(common_calls[0]));
		allow_list(&f, process_calls, sizeof(process_calls) / sizeof(process_calls[0]));
#ifdef __SANITIZE_ADDRESS__
		allow_list(&f, sanitizer_calls, sizeof(sanitizer_calls) / sizeof(sanitizer_calls[0]));
#endif
		allow_ioctl(&f);
		allow_unix_socket(&f);
		ret = filter_install(&f, "process");
		if (ret)
			return ret;
	}
	selftest("process");
	return 0;
}

int seccomp_install_vcpu(void)
{
	struct filter f;
	int ret;

	filter_start(&f);
	allow_list(&f, common_calls, sizeof(common_calls) / sizeof(common_calls[0]));
	/* no openat: the poison list is opened before (mce_init) */
	allow_ioctl(&f);
	ret = filter_install(&f, "vcpu");
	if (!ret)
		selftest("vcpu");
	return ret;
}
