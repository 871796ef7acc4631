/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * An in-memory kernel behind libdaxmem's backend ops: regions, devices and
 * poisoned pages held in plain arrays, with one armed fault that makes the
 * Nth call of an op fail before, after or halfway through its effect (a
 * command interrupted at that point).
 */
#ifndef _FAKE_KERNEL_H_
#define _FAKE_KERNEL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "private.h"

#define FAKE_MAX_REGIONS 8
#define FAKE_MAX_DEVS 64
#define FAKE_MAX_RANGES 32
#define FAKE_MAX_POISON 32

enum fake_op {
	FAKE_SCAN,
	FAKE_CREATE,
	FAKE_DESTROY,
	FAKE_SCRUB,
	FAKE_POISON,
	FAKE_NR_OPS,
};

enum fake_fault {
	FAKE_FAIL_BEFORE, /* nothing happens, the op returns -EIO */
	FAKE_FAIL_AFTER, /* the kernel does it all, then the op returns -EIO */
	FAKE_FAIL_PARTIAL, /* create: the device gets only its first range, -EIO */
	FAKE_WRONG_RANGES, /* create: succeeds, but the kernel drops the last range */
};

struct fake_region {
	enum daxmem_backend backend;
	int id;
	uint64_t start;
	uint64_t size;
	unsigned long align;
	bool hide_start; /* the scan cannot tell where the region starts */
	uint64_t poison[FAKE_MAX_POISON];
	size_t nr_poison;
};

struct fake_dev {
	bool used;
	struct fake_region *region;
	int id;
	char chardev[32];
	unsigned long align;
	enum daxmem_mode mode;
	bool preserved;
	struct daxmem_range ranges[FAKE_MAX_RANGES];
	size_t nr_ranges;
	unsigned int scrubs;
};

struct fake_kernel {
	struct fake_region regions[FAKE_MAX_REGIONS];
	size_t nr_regions;
	struct fake_dev devs[FAKE_MAX_DEVS];
	unsigned int calls[FAKE_NR_OPS];
	struct {
		bool armed;
		enum fake_op op;
		unsigned int at;
		enum fake_fault kind;
	} fault;
};

/* put the fake into both backend slots of ctx; it stays owned by the caller */
int fake_kernel_attach(struct fake_kernel *k, struct daxmem_ctx *ctx);
struct fake_region *fake_region_add(struct fake_kernel *k, enum daxmem_backend backend, int id,
				    uint64_t start, uint64_t size, unsigned long align);
/* a device the kernel made by itself (dax_hmem's daxR.0, one left from a crash) */
struct fake_dev *fake_dev_add(struct fake_kernel *k, struct fake_region *r, unsigned long align,
			      const struct daxmem_range *ranges, size_t nr);
struct fake_dev *fake_dev_find(struct fake_kernel *k, const char *chardev);
size_t fake_nr_devs(const struct fake_kernel *k);
/* the nth call of op from now (1: the next one) fails as kind */
void fake_fail(struct fake_kernel *k, enum fake_op op, unsigned int nth, enum fake_fault kind);
/* a reboot: every device and every kernel poison record is gone */
void fake_reboot(struct fake_kernel *k);

#endif /* _FAKE_KERNEL_H_ */
