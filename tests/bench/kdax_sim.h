/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A user-space model of how the kernel's device-dax bus (drivers/dax/bus.c,
 * Linux 5.10 .. 6.12) places the ranges of a dynamic dax device when its
 * size is written: the region's resource children are walked in address
 * order and the first hole is taken, as much of it as is still needed; the
 * walk restarts from the first child until the request is met. A hole right
 * after the device's own last range extends that range instead of adding a
 * new one. Only the length of each allocation is checked against the
 * device's align; where a range starts is not.
 */
#ifndef _BENCH_KDAX_SIM_H_
#define _BENCH_KDAX_SIM_H_

#include <stddef.h>
#include <stdint.h>

/* one child resource of the region: [start, end] owned by device dev */
struct kdax_res {
	uint64_t start;
	uint64_t end;
	uint32_t dev;
};

/* a range of a device, in page_offset order */
struct kdax_range {
	uint64_t start;
	uint64_t end;
	uint64_t pgoff; /* in 4 KiB pages, as the kernel keeps it */
};

struct kdax_dev {
	uint32_t id;
	uint64_t align;
	struct kdax_range *ranges;
	size_t nr_range;
};

struct kdax_region {
	uint64_t start;
	uint64_t end; /* inclusive */
	struct kdax_res *child; /* sorted by start, never overlapping */
	size_t nr_child;
	size_t cap;
	uint64_t used;
};

int kdax_region_init(struct kdax_region *r, uint64_t start, uint64_t size);
void kdax_region_fini(struct kdax_region *r);
uint64_t kdax_region_avail(const struct kdax_region *r);

/*
 * Grow a device by bytes (dev_dax_resize from its size to size + bytes).
 * -ENOSPC when the region has fewer than bytes unassigned, -EINVAL when
 * bytes is 0 or not a multiple of the device's align (nothing changes
 * then), -ENOMEM (the device keeps what it got so far).
 */
int kdax_dev_grow(struct kdax_region *r, struct kdax_dev *dev, uint64_t bytes);
/* Shrink to 0 and free the ranges (dev_dax_shrink + delete). */
void kdax_dev_release(struct kdax_region *r, struct kdax_dev *dev);
/* True when every range starts on the device's align (usable at that page size). */
int kdax_dev_aligned(const struct kdax_dev *dev);

#endif /* _BENCH_KDAX_SIM_H_ */
