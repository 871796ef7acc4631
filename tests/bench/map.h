/* SPDX-License-Identifier: GPL-2.0 */
/* What it costs to map a dax device: scrub, first map, faults, populate. */
#ifndef _BENCH_MAP_H_
#define _BENCH_MAP_H_

#include <stdint.h>

struct bench_touch {
	uint64_t mmap_ns; /* the mmap() call (all of MAP_POPULATE's work) */
	uint64_t touch_ns; /* one write to every 4 KiB page afterwards */
	uint64_t mmap_flt; /* page faults taken inside mmap() */
	uint64_t touch_flt; /* page faults taken by the writes */
};

/* zero the whole device through a shared mapping; ns or 0 on error */
uint64_t bench_map_scrub(int fd, uint64_t size);
/* map and write one byte per align unit, unmap; ns or 0 on error */
uint64_t bench_map_first(int fd, uint64_t size, uint64_t align);
/* map (MAP_POPULATE if populate), write every 4 KiB page, unmap; 0 or -errno */
int bench_map_touch(int fd, uint64_t size, int populate, struct bench_touch *t);

#endif /* _BENCH_MAP_H_ */
