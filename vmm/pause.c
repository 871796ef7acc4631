// SPDX-License-Identifier: GPL-2.0
/*
 * Stop-the-world for live restart: every vCPU completes its pending exit,
 * leaves KVM_RUN and parks until resumed or until the VM exits.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>

#include "vmm.h"

void vm_kick_all(struct vm *vm)
{
	for (int i = 0; i < vm->ncpus; i++)
		if (vm->vcpus[i].started)
			pthread_kill(vm->vcpus[i].thread, SIGUSR1);
}

void vm_request_exit(struct vm *vm, int code, const char *why)
{
	/* The guest's last words first (bounded: stdout may be stalled). */
	if (vm->console.started)
		console_drain(&vm->console, 200);
	pthread_mutex_lock(&vm->pause_lock);
	if (!vm->exiting) {
		vm->exit_code = code;
		pr_info("%s: exit %d", why, code);
		__atomic_store_n(&vm->exiting, true, __ATOMIC_RELEASE);
	}
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
	vm_kick_all(vm);
}

/*
 * A vCPU that does not park in time (stuck in the kernel, or a bug) must not
 * hang the control thread and with it every later command: give up, let the
 * parked ones run again and report.
 */
int vm_pause(struct vm *vm)
{
	struct timespec until;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += VM_PAUSE_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&vm->pause_lock);
	__atomic_store_n(&vm->pause_requested, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vm->pause_lock);
	vm_kick_all(vm);
	pthread_mutex_lock(&vm->pause_lock);
	while (vm->parked < vm->ncpus && !vm->exiting)
		if (pthread_cond_timedwait(&vm->pause_cond, &vm->pause_lock, &until) == ETIMEDOUT)
			break;
	if (vm->exiting)
		ret = -ECANCELED;
	else if (vm->parked < vm->ncpus)
		ret = -ETIMEDOUT;
	if (ret == -ETIMEDOUT) {
		pr_err("pause: %d of %d vCPUs parked within %d ms; resuming them", vm->parked,
		       vm->ncpus, VM_PAUSE_TIMEOUT_MS);
		__atomic_store_n(&vm->pause_requested, false, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&vm->pause_cond);
	}
	pthread_mutex_unlock(&vm->pause_lock);
	return ret;
}

void vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	__atomic_store_n(&vm->pause_requested, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

void vcpu_park_if_requested(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (!__atomic_load_n(&vm->pause_requested, __ATOMIC_ACQUIRE))
		return;
	/* Re-enter once with immediate_exit so KVM finishes a pending PIO/MMIO
	 * (its result is not in any state userspace can save), then stop. */
	v->run->immediate_exit = 1;
	ioctl(v->fd, KVM_RUN, 0);
	v->run->immediate_exit = 0;

	pthread_mutex_lock(&vm->pause_lock);
	vm->parked++;
	pthread_cond_broadcast(&vm->pause_cond);
	while (vm->pause_requested && !vm->exiting)
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	vm->parked--;
	pthread_mutex_unlock(&vm->pause_lock);
}
