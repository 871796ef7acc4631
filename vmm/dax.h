/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dax device that backs guest RAM.
 */
#ifndef TINYVMM_DAX_H
#define TINYVMM_DAX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define DAX_MAX_RANGES 16
/* A live restart passes the locked device descriptor's number in this variable. */
#define DAX_FD_ENV "TINYVMM_DAX_FD"

/* One physical range of the device, as its sysfs mappingN/ directory says. */
struct dax_range {
	uint64_t start;
	uint64_t end;
	uint64_t page_offset;
};

struct dax_dev {
	const char *path;
	int fd;
	bool adopted; /* @fd came from the tinyvmm before a live restart */
	dev_t rdev;
	uint64_t size; /* device size in bytes */
	uint64_t align; /* mapping alignment (2M fallback) */
	uint8_t *map; /* host mapping of the first map_len bytes */
	uint64_t map_len;
	/* which memory this is: survives a host kexec, unlike rdev */
	int nr_ranges;
	struct dax_range ranges[DAX_MAX_RANGES];
};

/*
 * Open @path, learn size, alignment and ranges. @inherited is a descriptor
 * of the same device (and its lock) from a live restart, or -1. Errors are
 * printed.
 */
int dax_open(struct dax_dev *d, const char *path, int inherited);
/*
 * Take the device for this process: an exclusive POSIX record lock, which
 * names its holder (F_GETLK) and stays across exec while the descriptor
 * does. -EBUSY with the holder's pid printed.
 */
int dax_lock(struct dax_dev *d);
/* Let the device descriptor (and so the lock) cross the next exec, or not. */
int dax_keep_across_exec(struct dax_dev *d, int keep);
/* Check @want bytes of guest RAM fit the device; 0 means the whole device. */
int dax_check_size(const struct dax_dev *d, uint64_t want, uint64_t *out, const char **why);
/* MAP_SHARED mapping of the first @len bytes at an address aligned to the device's align. */
int dax_map(struct dax_dev *d, uint64_t len);
void dax_close(struct dax_dev *d);

#endif
