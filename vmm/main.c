// SPDX-License-Identifier: GPL-2.0
/*
 * tinyvmm: boot a Linux bzImage on a dax device with raw KVM ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "control.h"
#include "dax.h"
#include "mce.h"
#include "mptable.h"
#include "rollback.h"
#include "seccomp.h"
#include "snapshot.h"
#include "util.h"
#include "vmm.h"

#define HOLD_VCPU0_ENV "TINYVMM_TEST_HOLD_VCPU0_MS"

#define DEFAULT_CMDLINE "console=ttyS0 reboot=k panic=-1 pci=off"
#define DEBUG_EXIT_PORT 0x501
#define POST_PORT 0x80

/*
 * A test hook: HOLD_VCPU0_ENV=MS keeps vCPU 0 out of the guest for MS
 * milliseconds (at most 10 s) after a restore, as an idle vCPU 0 that
 * sleeps until its next timer would be. tests/vm/scripts/vmm-restart-clock.sh
 * uses it to make a stale kvmclock page certain instead of a race.
 */
static unsigned int hold_vcpu0_ms(void)
{
	const char *v = getenv(HOLD_VCPU0_ENV);
	unsigned long ms = v ? strtoul(v, NULL, 10) : 0;

	return ms > 10000 ? 10000 : (unsigned int)ms;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tinyvmm --dax DEV --kernel BZIMAGE [options]\n"
		"       tinyvmm --restore STATE [--dax DEV]\n"
		"       tinyvmm ctl SOCK COMMAND [ARGS]\n"
		"\n"
		"Boots a Linux bzImage with guest RAM mapped from a dax device.\n"
		"  --dax DEV         /dev/daxR.N or /dev/pdaxR.N that holds guest RAM\n"
		"  --kernel FILE     bzImage (boot protocol 2.12+, 64-bit entry)\n"
		"  --initrd FILE     initial ramdisk\n"
		"  --cmdline STR     kernel command line (default \"%s\")\n"
		"  --cpus N          vCPUs, 1..%d (default 1)\n"
		"  --mem SIZE        guest RAM: a prefix of the device (default: all of it)\n"
		"  --control SOCK    control socket for 'tinyvmm ctl'\n"
		"  --restore STATE   resume a guest saved by a live restart or 'ctl save';\n"
		"                    with --dax, from DEV: the same memory under another\n"
		"                    device node (after a host kexec). STATE is renamed\n"
		"                    STATE.resumed once the guest runs and not resumed again\n"
		"  --force           with --restore: resume a STATE that was resumed before\n"
		"  --user U, --group G  run as U/G once the devices are open\n"
		"  --debug-exit      a byte the guest writes to port 0x501 ends tinyvmm\n"
		"                    with that status (test guests; off by default)\n"
		"  --console-buffer SIZE  console output held while stdout stalls (64K);\n"
		"                    beyond it bytes are dropped and counted\n"
		"  --version         print the version and exit\n"
		"  --help            this text\n"
		"\n"
		"Control commands (tinyvmm ctl SOCK ...):\n"
		"  status                       state, vCPUs, exits, last restart pause,\n"
		"                               console bytes dropped\n"
		"  restart [--binary PATH] [--timeout S]\n"
		"                               save state, exec PATH (default: this binary),\n"
		"                               wait up to S seconds (60) for it to resume;\n"
		"                               if PATH dies before it resumes the guest,\n"
		"                               this binary resumes it (rolled_back=1)\n"
		"  save                         save state to SOCK.state and exit, guest paused\n"
		"\n"
		"The console is an 8250 UART on ttyS0 (stdout, input from stdin); output\n"
		"that stdout cannot take in time is dropped and counted, never waited for. The\n"
		"guest ends tinyvmm with status 0 by resetting (reboot=k makes Linux use\n"
		"the i8042 reset line); a triple fault ends it with status 2.\n",
		DEFAULT_CMDLINE, MAX_VCPUS);
}

static void serial_set_irq(void *ctx, int irq, int level)
{
	kvm_irq_line(ctx, irq, level);
}

static void i8042_reset(void *ctx)
{
	vm_request_exit(ctx, 0, "guest reset via i8042");
}

static void debug_exit_io(void *dev, uint16_t offset, uint8_t *data, int size, bool is_write)
{
	if (is_write)
		vm_request_exit(dev, data[0], "guest wrote the debug exit port");
	else
		memset(data, 0, size);
}

static void post_io(void *dev, uint16_t offset, uint8_t *data, int size, bool is_write)
{
	/* Port 0x80 is Linux's I/O delay port: writes are expected and ignored. */
	if (!is_write)
		memset(data, 0xff, size);
}

static time_t rtc_host_time(void)
{
	return time(NULL);
}

static void serial_to_console(void *ctx, uint8_t c)
{
	console_put(ctx, c);
}

static int devices_init(struct vm *vm)
{
	int ret;

	if (console_init(&vm->console, STDOUT_FILENO, vm->cfg->console_buf))
		return -ENOMEM;
	serial_init(&vm->serial, STDOUT_FILENO, SERIAL_COM1_IRQ, serial_set_irq, vm);
	vm->serial.tx = serial_to_console;
	vm->serial.tx_ctx = &vm->console;
	i8042_init(&vm->i8042, i8042_reset, vm);
	rtc_init(&vm->rtc, rtc_host_time);
	ret = io_bus_register(&vm->io, SERIAL_COM1_BASE, 8, serial_io, &vm->serial, "serial");
	if (!ret)
		ret = io_bus_register(&vm->io, I8042_DATA_PORT, 5, i8042_io, &vm->i8042, "i8042");
	/* Off unless asked for: a guest must not choose how tinyvmm exits. */
	if (!ret && vm->cfg->debug_exit)
		ret = io_bus_register(&vm->io, DEBUG_EXIT_PORT, 1, debug_exit_io, vm, "debug-exit");
	if (!ret)
		ret = io_bus_register(&vm->io, POST_PORT, 1, post_io, vm, "post");
	if (!ret)
		ret = io_bus_register(&vm->io, RTC_INDEX_PORT, 2, rtc_io, &vm->rtc, "rtc");
	if (ret)
		pr_err("io_bus_register: %s", strerror(-ret));
	return ret;
}

static void *stdin_thread(void *arg)
{
	struct vm *vm = arg;
	uint8_t buf[64];
	ssize_t n;

	pthread_setname_np(pthread_self(), "stdin");
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		int done = 0;

		while (done < n) {
			pthread_mutex_lock(&vm->dev_lock);
			done += serial_rx(&vm->serial, buf + done, (int)(n - done));
			pthread_mutex_unlock(&vm->dev_lock);
			if (done < n)
				usleep(1000); /* FIFO full: let the guest drain it */
		}
	}
	return NULL;
}

static int parse_args(int argc, char **argv, struct vmm_config *cfg)
{
	static const struct option opts[] = {
		{ "dax", required_argument, NULL, 'd' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "cpus", required_argument, NULL, 'n' },
		{ "mem", required_argument, NULL, 'm' },
		{ "control", required_argument, NULL, 's' },
		{ "restore", required_argument, NULL, 'r' },
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "console-buffer", required_argument, NULL, 'b' },
		{ "debug-exit", no_argument, NULL, 'x' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long n;
	int c;

	cfg->cmdline = DEFAULT_CMDLINE;
	cfg->cpus = 1;
	cfg->console_buf = CONSOLE_BUF_DEFAULT;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': cfg->dax = optarg; break;
		case 'k': cfg->kernel = optarg; break;
		case 'i': cfg->initrd = optarg; break;
		case 'c': cfg->cmdline = optarg; break;
		case 's': cfg->control = optarg; break;
		case 'r': cfg->restore = optarg; break;
		case 'x': cfg->debug_exit = true; break;
		case 'f': cfg->force = true; break;
		case 'n':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || *end || n < 1 || n > MAX_VCPUS) {
				pr_err("--cpus wants a number from 1 to %d, got '%s'", MAX_VCPUS, optarg);
				return -EINVAL;
			}
			cfg->cpus = (int)n;
			break;
		case 'm':
			if (parse_size(optarg, &cfg->mem) || !cfg->mem) {
				pr_err("--mem wants a size such as 512M or 1G, got '%s'", optarg);
				return -EINVAL;
			}
			break;
		case 'b':
			if (parse_size(optarg, &cfg->console_buf) ||
			    cfg->console_buf < CONSOLE_BUF_MIN || cfg->console_buf > CONSOLE_BUF_MAX) {
				pr_err("--console-buffer wants a size from %d to 64M, got '%s'",
				       CONSOLE_BUF_MIN, optarg);
				return -EINVAL;
			}
			break;
		case 'u':
		case 'g':
			if (harden_set_option(c, optarg))
				return -EINVAL;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("tinyvmm %s\n", DAXMEM_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -EINVAL;
	}
	if (cfg->force && !cfg->restore) {
		pr_err("--force goes with --restore (see --help)");
		return -EINVAL;
	}
	if (cfg->restore)
		return 0;
	if (!cfg->dax || !cfg->kernel) {
		pr_err("--dax and --kernel are required (see --help)");
		return -EINVAL;
	}
	return 0;
}

static int vm_setup_memory(struct vm *vm, struct dax_dev *dax, const struct vmm_config *cfg,
			   int inherited)
{
	const char *why;
	uint64_t size;

	if (dax_open(dax, cfg->dax, inherited))
		return -ENODEV;
	/* before the mapping: a second VMM must not touch the guest's memory */
	if (dax_lock(dax))
		return -EBUSY;
	if (dax_check_size(dax, cfg->mem, &size, &why)) {
		pr_err("%s (%" PRIu64 " bytes, align %" PRIu64 "): %s", cfg->dax, dax->size,
		       dax->align, why);
		return -EINVAL;
	}
	if (dax_map(dax, size))
		return -ENOMEM;
	guest_mem_init(&vm->mem, dax->map, size);
	vm->dev_size = dax->size;
	vm->dev_rdev = dax->rdev;
	vm->dax = dax;
	return 0;
}

/*
 * The device descriptor a live restart passed on (TINYVMM_DAX_FD), which
 * carries the device lock across the exec; -1 if none.
 */
static int take_inherited_dax_fd(void)
{
	const char *v = getenv(DAX_FD_ENV);
	char *end;
	long fd;

	if (!v)
		return -1;
	errno = 0;
	fd = strtol(v, &end, 10);
	unsetenv(DAX_FD_ENV);
	if (errno || *end || fd < 3 || fd > 65535 || fcntl((int)fd, F_GETFD) < 0)
		return -1;
	return (int)fd;
}

/* harden_close_inherited_fds(), except for the device descriptor of a restart. */
static void close_inherited_fds(int keep)
{
	if (keep < 0) {
		harden_close_inherited_fds();
		return;
	}
	if (keep > 3 && syscall(__NR_close_range, 3U, (unsigned int)keep - 1, 0U))
		for (int fd = 3; fd < keep; fd++)
			close(fd);
	if (syscall(__NR_close_range, (unsigned int)keep + 1, ~0U, 0U))
		for (int fd = keep + 1; fd < 1024; fd++)
			close(fd);
}

static int vm_cold_boot(struct vm *vm, const struct vmm_config *cfg)
{
	uint8_t *kernel, *initrd = NULL, *mp;
	size_t klen, ilen = 0;
	struct boot_plan plan;
	const char *why;
	int ret;

	if (read_file(cfg->kernel, &kernel, &klen))
		return -EINVAL;
	if (cfg->initrd && read_file(cfg->initrd, &initrd, &ilen)) {
		free(kernel);
		return -EINVAL;
	}
	ret = boot_load(&vm->mem, kernel, klen, cfg->cmdline, initrd, ilen, &plan, &why);
	free(kernel);
	free(initrd);
	if (ret) {
		pr_err("%s: %s", cfg->kernel, why);
		return ret;
	}
	mp = guest_mem_ptr(&vm->mem, MPTABLE_ADDR, MPTABLE_MAX_SIZE);
	if (!mp || mptable_build(mp, MPTABLE_MAX_SIZE, MPTABLE_ADDR, vm->ncpus) < 0) {
		pr_err("cannot build the MP table");
		return -EINVAL;
	}
	return vcpu_setup_boot(&vm->vcpus[0], plan.entry, plan.boot_params_addr);
}

int main(int argc, char **argv)
{
	static struct vm vm;
	struct vmm_config cfg = { 0 };
	struct snapshot *snap = NULL;
	struct kvm_cpuid2 *cpuid;
	struct dax_dev dax;
	pthread_t in_thread;
	int inherited;

	/* A reader that goes away (control client, stdout pipe) is EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);
	/* A restart's watchdog (rollback.c) is never waited for: no zombies. */
	signal(SIGCHLD, SIG_IGN);
	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return control_client(argc - 2, argv + 2);
	inherited = take_inherited_dax_fd();
	if (getenv(ROLLBACK_ENV)) {
		vm.rolled_back = true;
		unsetenv(ROLLBACK_ENV);
	}
	close_inherited_fds(inherited);
	if (parse_args(argc, argv, &cfg))
		return 2;
	if (cfg.restore) {
		snap = snapshot_load(cfg.restore, &cfg);
		if (!snap)
			return 1;
	}
	pthread_mutex_init(&vm.dev_lock, NULL);
	pthread_mutex_init(&vm.pause_lock, NULL);
	pthread_cond_init(&vm.pause_cond, NULL);
	vm.cfg = &cfg;
	vm.ncpus = cfg.cpus;
	if (vm_setup_memory(&vm, &dax, &cfg, inherited) || kvm_open(&vm) || kvm_create_vm(&vm) ||
	    kvm_set_memslots(&vm) || devices_init(&vm) || vcpu_signals_init() || mce_init(&vm))
		return 1;
	if (snap && snapshot_check_device(snap, &dax, vm.mem.size))
		return 1;
	cpuid = kvm_supported_cpuid(&vm);
	if (!cpuid)
		return 1;
	for (int i = 0; i < vm.ncpus; i++) {
		struct kvm_cpuid2 *saved = NULL;

		if (snap && snapshot_cpuid(snap, i, cpuid, &saved))
			return 1;
		if (vcpu_create(&vm, i, cpuid, saved))
			return 1;
		free(saved);
	}
	free(cpuid);
	if (snap ? snapshot_restore(&vm, snap) : vm_cold_boot(&vm, &cfg))
		return 1;
	if (harden_apply() || console_start(&vm.console))
		return 1;
	/*
	 * Under the device lock, right before the vCPUs run: this state is used
	 * up, and a restart's rollback watchdog (rollback.c) stands down.
	 */
	if (snap && snapshot_consume(snap, cfg.force))
		return 1;
	if (snap)
		vm.hold_vcpu0_ms = hold_vcpu0_ms();
	if (pthread_create(&in_thread, NULL, stdin_thread, &vm) == 0)
		pthread_detach(in_thread);
	for (int i = 0; i < vm.ncpus; i++)
		if (vcpu_start(&vm.vcpus[i])) {
			vm_request_exit(&vm, 1, "cannot start vCPU threads");
			break;
		}
	if (snap)
		snapshot_resumed(&vm, snap);
	/* Only now: a status query must see this restart's pause time. */
	if (cfg.control && control_start(&vm, cfg.control))
		vm_request_exit(&vm, 1, "cannot create the control socket");
	for (int i = 0; i < vm.ncpus; i++)
		if (vm.vcpus[i].started)
			pthread_join(vm.vcpus[i].thread, NULL);
	control_stop(&vm);
	if (console_flush(&vm.console, 2000))
		pr_info("console: %" PRIu64 " bytes dropped (stdout stalled or failed)",
			console_dropped(&vm.console));
	vcpu_report_exits(&vm);
	return vm.exit_code;
}
