/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pdax: serve carved (Soft Reserved) memory to user space without struct
 * page and without a direct-map alias. Regions are claimed ranges; devices
 * are sets of ranges of one region exposed as /dev/pdaxR.N.
 */
#ifndef PDAX_H
#define PDAX_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/version.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#define PDAX_MINORS 4096

#define PDAX_ALIGN_4K PAGE_SIZE
#define PDAX_ALIGN_2M PMD_SIZE
#define PDAX_ALIGN_1G PUD_SIZE

/* Largest pageless mapping size this kernel can insert safely. */
#if IS_ENABLED(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP)
#define PDAX_PAGELESS_MAX_ALIGN PUD_SIZE
#elif IS_ENABLED(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP)
#define PDAX_PAGELESS_MAX_ALIGN PMD_SIZE
#else
#define PDAX_PAGELESS_MAX_ALIGN PAGE_SIZE
#endif

enum pdax_mode {
	PDAX_MODE_PAGELESS,
	PDAX_MODE_COMPOUND,
};

enum pdax_scrub_state {
	PDAX_SCRUB_NONE,
	PDAX_SCRUB_RUNNING,
	PDAX_SCRUB_DONE,
	PDAX_SCRUB_SKIPPED,
	PDAX_SCRUB_FAILED,
};

enum pdax_order {
	PDAX_ORDER_4K,
	PDAX_ORDER_2M,
	PDAX_ORDER_1G,
	PDAX_NR_ORDERS,
};

/**
 * struct pdax_range - one physically contiguous piece of a device
 * @start: physical start
 * @len: length in bytes
 * @off: byte offset of @start inside the device
 */
struct pdax_range {
	phys_addr_t start;
	u64 len;
	u64 off;
};

struct pdax_mapping_attrs;

/**
 * struct pdax_region - a claimed Soft Reserved range (regionR)
 * @dev: the region's device on the pdax bus
 * @id: R
 * @res: the exclusive iomem claim, a child of the Soft Reserved entry
 * @wb_alias: vm area of a write-back ioremap held for the region's lifetime,
 *	only so that x86 PAT records the range as write-back; its page-table
 *	entries are removed at once (see pdax_region_memtype)
 * @start: physical start
 * @size: bytes
 * @nid: NUMA node of the memory
 * @devs: devices of this region (pdax_lock)
 * @dev_ida: device ids N
 * @seed: zero-size device ready to be sized, or NULL (pdax_lock)
 * @youngest: most recently created device, or NULL (pdax_lock)
 * @poison: poisoned pfns (xarray value entries), lives as long as the region
 * @node: entry in pdax_regions (pdax_lock)
 * @dead: being released; no new devices or opens (pdax_lock)
 */
struct pdax_region {
	struct device dev;
	int id;
	struct resource *res;
	void __iomem *wb_alias;
	phys_addr_t start;
	u64 size;
	int nid;
	struct list_head devs;
	struct ida dev_ida;
	struct pdax_dev *seed;
	struct pdax_dev *youngest;
	struct xarray poison;
	struct list_head node;
	bool dead;
};

/**
 * struct pdax_dev - a device pdaxR.N and its char device
 *
 * The configuration (@ranges, @nr_range, @size, @align, @mode, @preserved)
 * changes only under pdax_lock while @open_count is 0 and no scrub runs, so
 * the fault and mmap paths, which always run with the device open, read it
 * without locks.
 *
 * @dev: the device on the pdax bus, parent is the region
 * @cdev: /dev/pdaxR.N
 * @region: the region it belongs to
 * @id: N
 * @inode: private inode whose address space all opens share, so one
 *	unmap_mapping_range() reaches every mapping of the device
 * @ranges: pieces in offset order
 * @nr_range: number of @ranges
 * @size: bytes, sum of @ranges
 * @align: largest mapping size: 4K, 2M or 1G
 * @mode: pageless or compound
 * @preserved: memory holds data to keep; skip the scrub
 * @open_lock: serializes open and release (activation on first open)
 * @open_count: open files (pdax_lock)
 * @dead: deleted; opens fail (pdax_lock)
 * @faults: faults served per mapping size
 * @scrub_state: see enum pdax_scrub_state (pdax_lock)
 * @scrub_done: bytes zeroed by the current or last scrub
 * @scrub_total: bytes to zero
 * @scrub_us: elapsed microseconds of the current or last scrub
 * @scrub_stop: ask a background scrub to stop
 * @scrub_wq: woken when a scrub ends
 * @scrub_work: background scrub
 * @pgmap: compound mode: the pagemap from the first open until the
 *	configuration changes (pdax_compound_teardown), else NULL
 * @vmemmap_bytes: compound mode: vmemmap the pagemap costs while it exists
 * @pfn_spaces: memory-failure registrations of the ranges while open
 * @mapping_attrs: sysfs groups mappingM, one per range
 * @nr_mapping_attrs: number of @mapping_attrs
 * @node: entry in region->devs (pdax_lock)
 */
struct pdax_dev {
	struct device dev;
	struct cdev cdev;
	struct pdax_region *region;
	int id;
	struct inode *inode;
	struct pdax_range *ranges;
	int nr_range;
	u64 size;
	unsigned long align;
	enum pdax_mode mode;
	bool preserved;
	struct mutex open_lock;
	int open_count;
	bool dead;
	atomic64_t faults[PDAX_NR_ORDERS];
	atomic64_t fault_poison_races; /* faults that found their unit poisoned after the insert */
	enum pdax_scrub_state scrub_state;
	atomic64_t scrub_done;
	u64 scrub_total;
	u64 scrub_us;
	bool scrub_stop;
	wait_queue_head_t scrub_wq;
	struct work_struct scrub_work;
	struct dev_pagemap *pgmap;
	u64 vmemmap_bytes;
	void *pfn_spaces;
	struct pdax_mapping_attrs *mapping_attrs;
	int nr_mapping_attrs;
	struct list_head node;
};

static inline struct pdax_dev *to_pdax_dev(struct device *dev)
{
	return container_of(dev, struct pdax_dev, dev);
}

static inline struct pdax_region *to_pdax_region(struct device *dev)
{
	return container_of(dev, struct pdax_region, dev);
}

/* main.c */
extern struct mutex pdax_lock;
extern struct list_head pdax_regions;
extern struct bus_type pdax_bus_type;
extern dev_t pdax_devt;
struct inode *pdax_alloc_inode(void);
int pdax_parse_range(const char *buf, phys_addr_t *start, phys_addr_t *end);

/* region.c */
int pdax_region_claim(phys_addr_t start, phys_addr_t end);
int pdax_region_claim_all(void);
/* pdax_region_release() flags */
#define PDAX_RELEASE_UNLOAD	0x1 /* module exit: cannot be refused, no scrub */
#define PDAX_RELEASE_FORCE	0x2 /* release despite poisoned pages */
int pdax_region_release(struct pdax_region *region, unsigned int flags);
int pdax_region_scrub(struct pdax_region *region);
void pdax_region_release_all(void);
struct pdax_region *pdax_region_find_id(int id);
struct pdax_region *pdax_region_find_phys(phys_addr_t phys);
u64 pdax_region_available(struct pdax_region *region);
bool pdax_region_range_free(struct pdax_region *region, phys_addr_t start, u64 len);
extern const struct device_type pdax_region_type;

/* device.c */
struct pdax_dev *pdax_dev_create(struct pdax_region *region);
int pdax_dev_delete(struct pdax_dev *pdev);
void pdax_dev_unmap_all(struct pdax_dev *pdev);
extern atomic_t pdax_fail_range_alloc;
extern u32 pdax_fault_delay_ms;
bool pdax_range_alloc_fails(void);
int pdax_dev_resize(struct pdax_dev *pdev, u64 size);
int pdax_dev_add_range(struct pdax_dev *pdev, phys_addr_t start, u64 len);
int pdax_dev_set_align(struct pdax_dev *pdev, unsigned long align);
int pdax_dev_set_mode(struct pdax_dev *pdev, enum pdax_mode mode);
int pdax_dev_check_idle(struct pdax_dev *pdev);
phys_addr_t pdax_dev_off_to_phys(struct pdax_dev *pdev, u64 off, u64 len);
bool pdax_dev_phys_to_off(struct pdax_dev *pdev, phys_addr_t phys, u64 *off);
struct pdax_dev *pdax_dev_find(struct pdax_region *region, const char *name);
extern const struct device_type pdax_dev_type;
extern const struct file_operations pdax_fops;

/* fault.c */
int pdax_mmap(struct file *filp, struct vm_area_struct *vma);
unsigned long pdax_get_unmapped_area(struct file *filp, unsigned long addr,
				     unsigned long len, unsigned long pgoff,
				     unsigned long flags);

/* scrub.c */
int pdax_scrub_start(struct pdax_dev *pdev);
int __pdax_scrub_before_open(struct pdax_dev *pdev);
void pdax_scrub_init(struct pdax_dev *pdev);
void pdax_scrub_cancel(struct pdax_dev *pdev);
void pdax_scrub_reset(struct pdax_dev *pdev);
ssize_t pdax_scrub_show(struct pdax_dev *pdev, char *buf);

/* poison.c */
int pdax_poison_add(phys_addr_t phys);
bool pdax_poison_in(struct pdax_region *region, phys_addr_t start, u64 len);
char *pdax_poison_region_text(struct pdax_region *region, size_t *len);
char *pdax_poison_dev_text(struct pdax_dev *pdev, size_t *len);
int pdax_poison_init(void);
void pdax_poison_exit(void);
int pdax_poison_dev_open(struct pdax_dev *pdev);
void pdax_poison_dev_close(struct pdax_dev *pdev);

/* compound.c */
int pdax_compound_check(struct pdax_dev *pdev);
int pdax_compound_activate(struct pdax_dev *pdev);
void pdax_compound_deactivate(struct pdax_dev *pdev);
int pdax_compound_teardown(struct pdax_dev *pdev, bool unload);

/* sysfs.c */
extern const struct attribute_group *pdax_bus_groups[];
extern const struct attribute_group *pdax_region_groups[];
extern const struct attribute_group *pdax_dev_groups[];
int pdax_mapping_attrs_update(struct pdax_dev *pdev);
void pdax_mapping_attrs_remove(struct pdax_dev *pdev);

/* kmap.c */
enum pdax_kmap_level {
	PDAX_KMAP_PTE,
	PDAX_KMAP_PMD,
	PDAX_KMAP_PUD,
};

/**
 * struct pdax_kmap_found - what a page-table walk found mapping a region
 * @wb: bytes mapped write-back
 * @uc_minus: bytes mapped uncached-minus
 * @other: bytes mapped with any other memory type
 * @entries: page-table entries read
 * @poisoned: leaf entries found that map a page on the region's poison list
 * @first: the first leaf entries found (physical range each maps)
 * @nr_first: number of @first
 */
struct pdax_kmap_found {
	u64 wb;
	u64 uc_minus;
	u64 other;
	unsigned long entries;
	unsigned long poisoned;
	struct {
		u64 phys;
		u64 size;
	} first[8];
	int nr_first;
};

void pdax_kmap_begin(void);
void pdax_kmap_end(void);
void pdax_kmap_quiesce(void);
void pdax_kmap_resume(void);
int pdax_kmap_drop(void __iomem *addr, u64 size);
void pdax_kmap_find_kernel(struct pdax_region *region,
			   bool (*skip)(struct pdax_region *, u64, u64, u64 *),
			   struct pdax_kmap_found *found);
void pdax_kmap_find_user(struct mm_struct *mm, struct pdax_region *region,
			 struct pdax_kmap_found *found);

/* debugfs.c */
void pdax_debugfs_init(void);
void pdax_debugfs_exit(void);

#define pdax_pageless_align_ok(align) ((align) <= PDAX_PAGELESS_MAX_ALIGN)

#endif /* PDAX_H */
