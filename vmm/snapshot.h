/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live-restart snapshots: save a paused VM's complete KVM and device state
 * to a state file, and rebuild a VM from it in a new process.
 */
#ifndef TINYVMM_SNAPSHOT_H
#define TINYVMM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "statefile.h"

struct vm;
struct vmm_config;
struct kvm_cpuid2;
struct dax_dev;

struct snapshot {
	uint8_t *data;
	size_t len;
	struct state_config cfg;
	bool dax_given; /* --dax named the device: the same memory under a new node */
	const char *path;
	uint64_t file_dev, file_ino; /* the file read, to find it again under the lock */
};

#define SNAPSHOT_RESUMED_SUFFIX ".resumed"

/* Save the (paused) VM to @path atomically; @stop_ns is when the pause began. */
int snapshot_save(struct vm *vm, const char *path, uint64_t stop_ns);
/* Read and validate @path; fills @cfg from it. Errors are printed. */
struct snapshot *snapshot_load(const char *path, struct vmm_config *cfg);
/*
 * Refuse a state file taken on other memory (its ranges differ, even at the
 * same size) or with another RAM size.
 */
int snapshot_check_device(const struct snapshot *s, const struct dax_dev *d, uint64_t size);
/*
 * With the device locked: the state file is still the one read, and has not
 * been resumed; rename it to PATH.resumed so that it is never resumed twice.
 */
int snapshot_consume(struct snapshot *s, bool force);
/*
 * vCPU @id's saved CPUID, checked against this host's @supported table: 0
 * with *@out set (free it), or NULL for a state that has none; an error,
 * printed, when the record is malformed or the guest has a feature this
 * KVM does not offer.
 */
int snapshot_cpuid(const struct snapshot *s, int id, const struct kvm_cpuid2 *supported,
		   struct kvm_cpuid2 **out);
/* Restore VM, vCPU and device state, in the order documented in docs/live-restart.md. */
int snapshot_restore(struct vm *vm, struct snapshot *s);
/* The vCPUs run again: report the pause. */
void snapshot_resumed(struct vm *vm, struct snapshot *s);

#endif
