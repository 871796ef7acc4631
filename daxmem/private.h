/* SPDX-License-Identifier: LGPL-2.1 */
/* libdaxmem internals shared between the core and the backends. */
#ifndef _DAXMEM_PRIVATE_H_
#define _DAXMEM_PRIVATE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include <daxmem/libdaxmem.h>

#include "alloc.h"
#include "state.h"

#define DAXMEM_NR_BACKENDS 2
#define DAXMEM_PAGE_SIZE 4096ULL

struct daxmem_backend_ops;

/**
 * struct daxmem_ctx - library context
 * @regions: regions found by the last scan, each holding one reference
 * @state: the state document as read by the last scan (or under the lock)
 * @lock_fd: open lock file while the state lock is held, else -1
 * @ops: the backend behind each enum daxmem_backend slot (the kernel's by
 *	default; daxmem_set_backend_ops() puts another in its place)
 */
struct daxmem_ctx {
	int refcount;
	daxmem_log_fn log_fn;
	int log_priority;
	void *userdata;
	char *state_path;
	unsigned int lock_timeout_ms;
	bool scanned;
	struct daxmem_region **regions;
	size_t nr_regions;
	struct daxmem_state state;
	int lock_fd;
	const struct daxmem_backend_ops *ops[DAXMEM_NR_BACKENDS];
	void *backend_data[DAXMEM_NR_BACKENDS];
};

/**
 * struct daxmem_region - one region of one backend
 * @start_known: @start was found (iomem, the backend or the state file)
 * @space: what can still be handed out: the region minus every range the
 *	kernel holds, every poisoned page and every range recorded for a
 *	device the kernel does not hold (it is waiting for restore)
 * @path: backend-specific location (sysfs directory), may be NULL
 * @kpoison: 4 KiB pages the kernel reports poisoned in this region (also
 *	merged into the state's poisoned list by the scan)
 */
struct daxmem_region {
	int refcount;
	struct daxmem_ctx *ctx;
	enum daxmem_backend backend;
	int id;
	uint64_t start;
	uint64_t size;
	uint64_t available;
	unsigned long align;
	bool start_known;
	char *path;
	uint64_t *kpoison;
	size_t nr_kpoison;
	struct daxmem_dev **devs;
	size_t nr_devs;
	struct daxmem_space space;
};

/**
 * struct daxmem_dev - a device: held by the kernel (@present), recorded in the
 * state file (@recorded), or both
 */
struct daxmem_dev {
	int refcount;
	struct daxmem_region *region;
	char *name;
	char *chardev;
	char *label;
	unsigned long align;
	enum daxmem_mode mode;
	bool preserved;
	bool recorded;
	bool present;
	struct daxmem_range *ranges;
	size_t nr_ranges;
	uint64_t size;
};

/**
 * struct daxmem_backend_ops - what a backend provides
 * @scan: add the backend's regions and the devices the kernel holds, via
 *	daxmem_region_add() and daxmem_region_add_dev(); 0 when the backend is
 *	simply absent
 * @dev_create: create a device with exactly these ranges (page_offset
 *	order), enable it and write its chardev name into @chardev; a
 *	preserved device's memory must not be touched
 * @dev_destroy: disable and delete the device
 * @dev_scrub: zero the device's memory
 * @poison_page: tell the kernel a 4 KiB page of the region is poisoned (a
 *	recorded page after a reboot or module reload); NULL when the kernel
 *	keeps no such list
 * @fini: release @ctx->backend_data
 */
struct daxmem_backend_ops {
	enum daxmem_backend backend;
	int (*scan)(struct daxmem_ctx *ctx);
	int (*dev_create)(struct daxmem_region *region, unsigned long align, enum daxmem_mode mode,
			  bool preserved, const struct daxmem_range *ranges, size_t nr,
			  char *chardev, size_t len);
	int (*dev_destroy)(struct daxmem_region *region, const char *chardev);
	int (*dev_scrub)(struct daxmem_region *region, const char *chardev, uint64_t size);
	int (*poison_page)(struct daxmem_region *region, uint64_t addr);
	void (*fini)(struct daxmem_ctx *ctx);
};

extern const struct daxmem_backend_ops daxmem_devdax_ops;
extern const struct daxmem_backend_ops daxmem_pageless_ops;
/* the ops ctx uses for backend; NULL for DAXMEM_BACKEND_ANY or an unknown one */
const struct daxmem_backend_ops *daxmem_backend_ops(struct daxmem_ctx *ctx,
						    enum daxmem_backend backend);
/*
 * Serve backend's slot with ops from now on (a backend that is not the
 * kernel's, e.g. an in-memory one under test). Drops the scan; the slot's
 * previous ops are finished first. Not part of the exported ABI.
 */
int daxmem_set_backend_ops(struct daxmem_ctx *ctx, enum daxmem_backend backend,
			   const struct daxmem_backend_ops *ops);

void daxmem_log(struct daxmem_ctx *ctx, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define err(ctx, ...) daxmem_log(ctx, LOG_ERR, __VA_ARGS__)

/* write @val to the attribute @path; logs and returns -errno on failure */
int daxmem_sysfs_write(struct daxmem_ctx *ctx, const char *path, const char *val);
#define info(ctx, ...) daxmem_log(ctx, LOG_INFO, __VA_ARGS__)
#define dbg(ctx, ...) daxmem_log(ctx, LOG_DEBUG, __VA_ARGS__)

/* scanning, used by the backends */
struct daxmem_region *daxmem_region_add(struct daxmem_ctx *ctx, enum daxmem_backend backend, int id,
					uint64_t size, unsigned long align, uint64_t available);
int daxmem_region_add_dev(struct daxmem_region *region, const char *chardev, unsigned long align,
			  enum daxmem_mode mode, const struct daxmem_range *ranges, size_t nr);
void daxmem_regions_clear(struct daxmem_ctx *ctx);
/* a page the kernel reports poisoned: kept in the region and in ctx->state */
int daxmem_region_add_kpoison(struct daxmem_region *region, uint64_t addr);
/* merge the state records into the scanned regions and compute free space */
int daxmem_regions_settle(struct daxmem_ctx *ctx);
struct daxmem_dev *daxmem_dev_find_present(struct daxmem_ctx *ctx, enum daxmem_backend backend,
					   const char *chardev);
bool daxmem_ranges_equal(const struct daxmem_range *a, size_t na, const struct daxmem_range *b,
			 size_t nb);
/* "daxX.Y", "poisoned pages" or "device NAME (recorded)": what holds [start, end] */
void daxmem_region_describe_owner(struct daxmem_region *region, uint64_t start, uint64_t end,
				  char *buf, size_t len);

/* check exact ranges against align, logging the first problem under what */
int daxmem_ranges_check(struct daxmem_region *region, const struct daxmem_range *ranges, size_t nr,
			unsigned long align, const char *what);
/* take exact ranges out of space, logging what holds the first one that is not free */
int daxmem_space_take_ranges(struct daxmem_region *region, struct daxmem_space *space,
			     const struct daxmem_range *ranges, size_t nr, const char *what);
/*
 * Create a device exactly as recorded, verify the kernel holds those ranges,
 * scrub it unless it is a preserved device being reassembled (reassemble:
 * restore rebuilds it over its own memory), and put the record (with the new chardev) into
 * ctx->state. The caller holds the lock and stores the state. Rescans.
 */
int daxmem_dev_build(struct daxmem_ctx *ctx, enum daxmem_backend backend, int region_id,
		     const struct daxmem_state_dev *rec, bool reassemble, char *chardev,
		     size_t len);

/* the scan: regions from every backend, merged with the state file */
int daxmem_scan(struct daxmem_ctx *ctx);

/* state file (state_file.c) */
int daxmem_state_lock(struct daxmem_ctx *ctx);
void daxmem_state_unlock(struct daxmem_ctx *ctx);
/* take the lock and scan; unlocked again if the scan fails */
int daxmem_lock_scan(struct daxmem_ctx *ctx);
/* a shared hold on the lock for a scan outside a change; *fd -1 if none */
int daxmem_state_lock_shared(struct daxmem_ctx *ctx, int *fd);
/* read path into st; a missing file is an empty state */
int daxmem_state_load(struct daxmem_ctx *ctx, const char *path, struct daxmem_state *st);
/* atomically replace path with st; the caller holds the lock */
int daxmem_state_store(struct daxmem_ctx *ctx, const char *path, const struct daxmem_state *st);

/*
 * Put each range of doc's "backends" under its recorded backend (restore,
 * before it rebuilds devices; reconfigure.c). The caller holds the lock;
 * stores the state and rescans.
 */
int daxmem_backends_restore(struct daxmem_ctx *ctx, const struct daxmem_state *doc);

/* zero a device through its character device (scrub.c) */
int daxmem_scrub_chardev(struct daxmem_ctx *ctx, const char *chardev, uint64_t size);

#endif /* _DAXMEM_PRIVATE_H_ */
