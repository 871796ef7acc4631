/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libdaxmem: regions, discontiguous aligned devices and their persistent
 * record, over the kernel's device-dax ("devdax") and the pageless module
 * ("pageless").
 *
 * Conventions: objects are named daxmem_<object>_<verb>(); functions that
 * can fail return 0 or a positive count on success and a negative errno on
 * failure, after logging one line through the context's log function.
 * Regions and devices are reference counted and owned by their context; a
 * reference taken with *_ref() keeps an object valid across
 * daxmem_refresh(). Every call that changes devices or the state file
 * re-reads the kernel and the state file when it is done: region and device
 * pointers obtained before it without a reference are stale afterwards.
 */
#ifndef _LIBDAXMEM_H_
#define _LIBDAXMEM_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DAXMEM_STATE_PATH_DEFAULT "/var/lib/daxmem/state.json"
#define DAXMEM_STATE_ENV "DAXMEM_STATE"
#define DAXMEM_LOCK_TIMEOUT_MS_DEFAULT 10000

enum daxmem_backend {
	DAXMEM_BACKEND_ANY = -1,
	DAXMEM_BACKEND_DEVDAX = 0,
	DAXMEM_BACKEND_PAGELESS = 1,
};

enum daxmem_mode {
	DAXMEM_MODE_DEFAULT = -1,
	DAXMEM_MODE_DEVDAX = 0, /* device-dax, struct pages */
	DAXMEM_MODE_PAGELESS = 1, /* pageless module, no struct page */
	DAXMEM_MODE_COMPOUND = 2, /* pageless module, deduplicated vmemmap */
};

/*
 * A physical range of a device: [start, end] (end inclusive, as in
 * /proc/iomem and device-dax's mappingN/end) placed at page_offset (bytes)
 * within the device.
 */
struct daxmem_range {
	uint64_t start;
	uint64_t end;
	uint64_t page_offset;
};

static inline uint64_t daxmem_range_size(const struct daxmem_range *r)
{
	return r->end - r->start + 1;
}

struct daxmem_ctx;
struct daxmem_region;
struct daxmem_dev;

typedef void (*daxmem_log_fn)(struct daxmem_ctx *ctx, int priority, const char *fmt, va_list args);

/* context */
int daxmem_new(struct daxmem_ctx **ctx);
struct daxmem_ctx *daxmem_ref(struct daxmem_ctx *ctx);
void daxmem_unref(struct daxmem_ctx *ctx);
void daxmem_set_log_fn(struct daxmem_ctx *ctx, daxmem_log_fn fn);
void daxmem_set_log_priority(struct daxmem_ctx *ctx, int priority);
int daxmem_get_log_priority(struct daxmem_ctx *ctx);
void daxmem_set_userdata(struct daxmem_ctx *ctx, void *userdata);
void *daxmem_get_userdata(struct daxmem_ctx *ctx);
/* NULL restores the default ($DAXMEM_STATE, else DAXMEM_STATE_PATH_DEFAULT) */
int daxmem_set_state_path(struct daxmem_ctx *ctx, const char *path);
const char *daxmem_get_state_path(struct daxmem_ctx *ctx);
void daxmem_set_lock_timeout(struct daxmem_ctx *ctx, unsigned int ms);
/* Re-read regions and devices from the kernel and the state file. */
int daxmem_refresh(struct daxmem_ctx *ctx);

/* names and parsers */
const char *daxmem_backend_name(enum daxmem_backend backend);
int daxmem_backend_from_name(const char *name, enum daxmem_backend *backend);
const char *daxmem_mode_name(enum daxmem_mode mode);
int daxmem_mode_from_name(const char *name, enum daxmem_mode *mode);
/* "4096", "0x1000", "4K", "2M", "1G", "1T" (binary units) */
int daxmem_parse_size(const char *str, uint64_t *size);
/*
 * "START-END[,START-END...]" (END inclusive) or "START+SIZE[,...]"; numbers
 * as in daxmem_parse_size(). Ranges must not overlap; page_offsets follow
 * the order given. *ranges is malloc()ed.
 */
int daxmem_parse_ranges(const char *str, struct daxmem_range **ranges, size_t *nr);
/* "1.50 GiB"-style rendering into buf; returns buf */
char *daxmem_format_size(uint64_t size, char *buf, size_t len);

/* regions */
struct daxmem_region *daxmem_region_get_first(struct daxmem_ctx *ctx);
struct daxmem_region *daxmem_region_get_next(struct daxmem_region *region);
/* backend DAXMEM_BACKEND_ANY: -EEXIST if the id exists in both backends */
int daxmem_region_find(struct daxmem_ctx *ctx, enum daxmem_backend backend, int id,
		       struct daxmem_region **region);
struct daxmem_region *daxmem_region_ref(struct daxmem_region *region);
void daxmem_region_unref(struct daxmem_region *region);
struct daxmem_ctx *daxmem_region_get_ctx(struct daxmem_region *region);
int daxmem_region_get_id(struct daxmem_region *region);
enum daxmem_backend daxmem_region_get_backend(struct daxmem_region *region);
uint64_t daxmem_region_get_start(struct daxmem_region *region);
uint64_t daxmem_region_get_size(struct daxmem_region *region);
unsigned long daxmem_region_get_align(struct daxmem_region *region);
/* what the kernel reports as unassigned */
uint64_t daxmem_region_get_available_size(struct daxmem_region *region);
/* what daxmem would hand out: unassigned, not poisoned, not recorded */
uint64_t daxmem_region_get_allocatable_size(struct daxmem_region *region);
/* the largest size a device with this alignment could get, over any number of ranges */
uint64_t daxmem_region_get_largest_fit(struct daxmem_region *region, unsigned long align);
/* the idx-th poisoned range recorded in the region (never handed out); -ENOENT past the last */
int daxmem_region_get_poisoned(struct daxmem_region *region, size_t idx,
			       struct daxmem_range *range);

#define daxmem_region_foreach(ctx, region)                          \
	for (region = daxmem_region_get_first(ctx); region != NULL; \
	     region = daxmem_region_get_next(region))

/*
 * Hand the Soft Reserved range that starts at start (as in /proc/iomem) to
 * backend: dax_hmem for DAXMEM_BACKEND_DEVDAX, the pdax module (loaded with
 * modprobe if needed) for DAXMEM_BACKEND_PAGELESS. Refuses with -EBUSY while
 * a device of the range is open, mapped, onlined as System RAM or recorded
 * in the state file. Records the choice in the state file, so that
 * daxmem_restore() hands the range to the same backend first. *region holds
 * a reference to the region that owns the range afterwards.
 */
int daxmem_region_reconfigure(struct daxmem_ctx *ctx, uint64_t start, enum daxmem_backend backend,
			      struct daxmem_region **region);

/* devices: what the kernel holds, merged with what the state file records */
struct daxmem_dev *daxmem_dev_get_first(struct daxmem_region *region);
struct daxmem_dev *daxmem_dev_get_next(struct daxmem_dev *dev);
/* by recorded name or by chardev ("dax0.1") */
struct daxmem_dev *daxmem_dev_find(struct daxmem_ctx *ctx, const char *name);
struct daxmem_dev *daxmem_dev_ref(struct daxmem_dev *dev);
void daxmem_dev_unref(struct daxmem_dev *dev);
struct daxmem_region *daxmem_dev_get_region(struct daxmem_dev *dev);
const char *daxmem_dev_get_name(struct daxmem_dev *dev);
const char *daxmem_dev_get_chardev(struct daxmem_dev *dev);
uint64_t daxmem_dev_get_size(struct daxmem_dev *dev);
unsigned long daxmem_dev_get_align(struct daxmem_dev *dev);
enum daxmem_mode daxmem_dev_get_mode(struct daxmem_dev *dev);
const char *daxmem_dev_get_label(struct daxmem_dev *dev);
bool daxmem_dev_is_preserved(struct daxmem_dev *dev);
bool daxmem_dev_is_recorded(struct daxmem_dev *dev);
/* false for a recorded device the kernel does not hold (awaiting restore) */
bool daxmem_dev_is_present(struct daxmem_dev *dev);
size_t daxmem_dev_get_nr_ranges(struct daxmem_dev *dev);
const struct daxmem_range *daxmem_dev_get_range(struct daxmem_dev *dev, size_t i);

#define daxmem_dev_foreach(region, dev) \
	for (dev = daxmem_dev_get_first(region); dev != NULL; dev = daxmem_dev_get_next(dev))

struct daxmem_dev_spec {
	const char *name; /* NULL: the chardev name; else non-empty, no '/' */
	const char *label; /* free text kept in the state file, may be NULL */
	uint64_t size; /* 0 with ranges: the ranges' total */
	unsigned long align; /* 0: the region's alignment */
	const struct daxmem_range *ranges; /* exact placement, in page_offset order */
	size_t nr_ranges;
	enum daxmem_mode mode;
	bool preserve; /* contents survive restore; never scrubbed by daxmem */
};

/*
 * Allocate, create, read back and record a device. A device that is not
 * preserved is zeroed before it is returned (the kernel does not zero
 * device-dax memory when it changes hands). *dev holds a reference.
 */
int daxmem_dev_create(struct daxmem_region *region, const struct daxmem_dev_spec *spec,
		      struct daxmem_dev **dev);
/* Remove the device from the kernel and from the state file. */
int daxmem_dev_destroy(struct daxmem_dev *dev);

/*
 * Record every device the kernel holds (merging names, labels and the
 * preserved flag already recorded) into path (NULL: the state file).
 * Returns the number of devices written.
 */
int daxmem_save(struct daxmem_ctx *ctx, const char *path);

typedef void (*daxmem_restore_fn)(struct daxmem_dev *dev, bool created, void *arg);
/*
 * Rebuild every device recorded in path (NULL: the state file) that the
 * kernel does not hold, with the same ranges in the same order. First hands
 * each range recorded by daxmem_region_reconfigure() back to its backend
 * (loading pdax if needed). Checks all
 * of them first and changes nothing if any range is taken or any region is
 * missing. fn (may be NULL) is called once per recorded device. Returns the
 * number of devices created.
 */
int daxmem_restore(struct daxmem_ctx *ctx, const char *path, daxmem_restore_fn fn, void *arg);

enum daxmem_check_kind {
	DAXMEM_CHECK_OK, /* recorded and held by the kernel as recorded */
	DAXMEM_CHECK_MISSING, /* recorded, not in the kernel */
	DAXMEM_CHECK_MISMATCH, /* recorded, the kernel holds other ranges */
	DAXMEM_CHECK_UNRECORDED, /* in the kernel, not recorded */
};
typedef void (*daxmem_check_fn)(enum daxmem_check_kind kind, const char *name, const char *chardev,
				const char *detail, void *arg);
/* Reconcile the state file with the kernel; returns the number of discrepancies. */
int daxmem_check(struct daxmem_ctx *ctx, daxmem_check_fn fn, void *arg);

/* Record [start, end] as poisoned: never handed out again. */
int daxmem_poison_add(struct daxmem_ctx *ctx, uint64_t start, uint64_t end);

#ifdef __cplusplus
}
#endif

#endif /* _LIBDAXMEM_H_ */
