/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dax device that backs guest RAM.
 */
#ifndef TINYVMM_DAX_H
#define TINYVMM_DAX_H

#include <stdint.h>
#include <sys/types.h>

struct dax_dev {
	const char *path;
	int fd;
	dev_t rdev;
	uint64_t size; /* device size in bytes */
	uint64_t align; /* mapping alignment (2M fallback) */
	uint8_t *map; /* host mapping of the first map_len bytes */
	uint64_t map_len;
};

/* Open @path, learn size and alignment. Errors are printed. */
int dax_open(struct dax_dev *d, const char *path);
/* Check @want bytes of guest RAM fit the device; 0 means the whole device. */
int dax_check_size(const struct dax_dev *d, uint64_t want, uint64_t *out, const char **why);
/* MAP_SHARED mapping of the first @len bytes at an address aligned to the device's align. */
int dax_map(struct dax_dev *d, uint64_t len);
void dax_close(struct dax_dev *d);

#endif
