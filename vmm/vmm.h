/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tinyvmm: the core objects shared by every part of the VMM.
 */
#ifndef TINYVMM_VMM_H
#define TINYVMM_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "console.h"
#include "ioport.h"
#include "layout.h"
#include "serial.h"
#include "i8042.h"
#include "rtc.h"

/* Distinguishes builds in "ctl status" (live restart across binaries). */
#ifndef TINYVMM_BUILD
#define TINYVMM_BUILD "default"
#endif

struct vm;
struct dax_dev;
struct kvm_cpuid2;
struct vcpu_state;
struct mce_ctx;

/* What the command line (or a restored state file) asked for. */
struct vmm_config {
	const char *dax;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *control;
	const char *restore;
	bool force;
	int cpus;
	uint64_t mem;
	uint64_t console_buf;
	bool debug_exit;
};

/**
 * struct vcpu - one virtual CPU and the thread that runs it.
 * @state: per-vCPU register state captured at pause time (live restart).
 * @cpuid: the table given to KVM_SET_CPUID2, saved with the state.
 */
struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	struct vcpu_state *state;
	struct kvm_cpuid2 *cpuid;
};

/* Counts of exits tinyvmm did not know how to handle. */
struct exit_stats {
	uint64_t unhandled_io;
	uint64_t unhandled_mmio;
	uint64_t unknown_exit;
	uint64_t logged;
};

/**
 * struct vm - the virtual machine: KVM handles, guest memory, devices.
 *
 * @dev_lock serialises all device emulation and @stats. @pause_lock and
 * @pause_cond implement the stop-the-world needed by live restart.
 */
struct vm {
	const struct vmm_config *cfg;
	int kvm_fd;
	int vm_fd;
	int run_size;
	struct guest_mem mem;
	int ncpus;
	struct vcpu vcpus[MAX_VCPUS];

	pthread_mutex_t dev_lock;
	struct io_bus io;
	struct serial serial;
	struct i8042 i8042;
	struct rtc rtc;
	struct exit_stats stats;
	struct console console;

	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	bool pause_requested;
	int parked;
	bool exiting;
	int exit_code;

	struct mce_ctx *mce;
	bool pmu_disabled;
	bool exception_payload; /* KVM_CAP_EXCEPTION_PAYLOAD enabled */

	/* identity of the backing device, recorded in state files */
	uint64_t dev_size;
	uint64_t dev_rdev;
	struct dax_dev *dax;
	/* live restart: how many so far, and the last pause */
	uint32_t restarts;
	uint64_t last_pause_ns;
	bool clock_stable; /* the last save found the kvmclock TSC-stable (master clock) */
	bool rolled_back; /* started by a restart's watchdog: the new binary failed */
	/* test hook: vCPU 0 first runs this long after a restore (main.c) */
	unsigned int hold_vcpu0_ms;
	struct control *ctl;
};

/* main.c */
void vm_request_exit(struct vm *vm, int code, const char *why);
void vm_kick_all(struct vm *vm);

/* kvm.c */
int kvm_open(struct vm *vm);
int kvm_create_vm(struct vm *vm);
int kvm_set_memslots(struct vm *vm);
int kvm_irq_line(struct vm *vm, int irq, int level);

/* vcpu.c */
/* @saved: the CPUID a restored guest had, set as is; NULL: derive from @supported. */
int vcpu_create(struct vm *vm, int id, const struct kvm_cpuid2 *supported,
		const struct kvm_cpuid2 *saved);
int vcpu_setup_boot(struct vcpu *vcpu, uint64_t entry, uint64_t boot_params);
int vcpu_start(struct vcpu *vcpu);
int vcpu_signals_init(void);
void vcpu_report_exits(const struct vm *vm);
struct kvm_cpuid2 *kvm_supported_cpuid(struct vm *vm);

/* pause.c */
#define VM_PAUSE_TIMEOUT_MS 5000
/* Park every vCPU: 0, -ECANCELED (the VM is exiting) or -ETIMEDOUT (resumed again). */
int vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);
void vcpu_park_if_requested(struct vcpu *vcpu);

#define pr_err(fmt, ...) fprintf(stderr, "tinyvmm: " fmt "\n", ##__VA_ARGS__)
#define pr_info(fmt, ...) fprintf(stderr, "tinyvmm: " fmt "\n", ##__VA_ARGS__)

#endif
